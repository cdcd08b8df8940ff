import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlatformTestSupport
import Testing
@testable import ServerMain

/// Attacks and malformed input, each sent to the real server; each must get its fault code
/// and leave the server answering.
@Suite("Bad input at the service endpoint")
struct BadInputTests {
    static let valid = SampleMessages.envelope(SampleMessages.retBevilling())

    static func attributes(_ count: Int) -> String {
        var text = "<kh:Bevilling"
        for i in 0..<count { text += " a\(String(i, radix: 36))=''" }
        return text + ">"
    }

    /// (name, body, headers, expected fault code)
    static let cases: [(String, String, HTTPFields, String)] = [
        ("not well-formed XML", "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><a></b></soap:Body></soap:Envelope>", SOAPHeaders.soap11(), "SP-1001"),
        ("truncated body", String(valid.prefix(valid.count / 2)), SOAPHeaders.soap11(), "SP-1001"),
        ("empty body", "", SOAPHeaders.soap11(), "SP-1001"),
        ("wrong content type", valid, [.contentType: "application/json"], "SP-1001"),
        ("no content type", valid, [:], "SP-1001"),
        ("SOAP 1.1 envelope with a 1.2 content type", valid, SOAPHeaders.soap12(), "SP-1001"),
        ("SOAP 1.2 envelope with a 1.1 content type", SampleMessages.envelope(SampleMessages.retBevilling(), soap12: true), SOAPHeaders.soap11(), "SP-1001"),
        ("missing soap:Body", "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header/></soap:Envelope>", SOAPHeaders.soap11(), "SP-1001"),
        ("a second soap:Body", valid.replacingOccurrences(of: "</soap:Body>", with: "</soap:Body><soap:Body/>"), SOAPHeaders.soap11(), "SP-1001"),
        ("missing kh:Header", SampleMessages.envelope(SampleMessages.retBevilling { text in
            let start = text.range(of: "<kh:Header>")!, end = text.range(of: "</kh:Header>")!
            var t = text; t.removeSubrange(start.lowerBound..<end.upperBound); return t }), SOAPHeaders.soap11(), "SP-1002"),
        ("missing kh:Body", SampleMessages.envelope(SampleMessages.retBevilling { text in
            let start = text.range(of: "<kh:Body>")!, end = text.range(of: "</kh:Body>")!
            var t = text; t.removeSubrange(start.lowerBound..<end.upperBound); return t }), SOAPHeaders.soap11(), "SP-1002"),
        ("unknown operation", SampleMessages.envelope("<kh:HentBevillingRequest xmlns:kh=\"urn:serviceplatform:jc:kontanthjaelp:2\"/>"), SOAPHeaders.soap11(action: nil), "SP-1001"),
        ("SOAPAction naming the other operation", valid, SOAPHeaders.soap11(action: SampleMessages.sletAction), "SP-1001"),
        ("SOAP 1.2 action naming the other operation", SampleMessages.envelope(SampleMessages.retBevilling(), soap12: true), SOAPHeaders.soap12(action: SampleMessages.sletAction), "SP-1001"),
        ("billion laughs", "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">]>" + valid.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "").replacingOccurrences(of: ">KY<", with: ">&lol2;<"), SOAPHeaders.soap11(), "SP-1001"),
        ("external entity (file)", "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + valid.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "").replacingOccurrences(of: ">KY<", with: ">&xxe;<"), SOAPHeaders.soap11(), "SP-1001"),
        ("external entity (http)", "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY xxe SYSTEM \"http://127.0.0.1:9/x\">]>" + valid.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "").replacingOccurrences(of: ">KY<", with: ">&xxe;<"), SOAPHeaders.soap11(), "SP-1001"),
        ("external parameter entity", "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p.dtd\"> %p;]>" + valid.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: ""), SOAPHeaders.soap11(), "SP-1001"),
        ("100 000-deep nesting", SampleMessages.envelope(String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)), SOAPHeaders.soap11(), "SP-1001"),
        ("100 000 attributes on one element", valid.replacingOccurrences(of: "<kh:Bevilling>", with: attributes(100_000)), SOAPHeaders.soap11(), "SP-1001"),
        ("an encoding other than UTF-8 declared", valid.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\""), SOAPHeaders.soap11(), "SP-1001"),
        ("InvocationContext security model", SampleMessages.envelope(SampleMessages.retBevilling { $0.replacingOccurrences(of: "<kh:Header>", with: "<ic:InvocationContext xmlns:ic=\"http://serviceplatformen.dk/xml/schemas/InvocationContext/1/\"/><kh:Header>") }), SOAPHeaders.soap11(), "SP-2001"),
        ("AuthorityContext missing", SampleMessages.envelope(SampleMessages.retBevilling { text in
            let start = text.range(of: "<ac:AuthorityContext>")!, end = text.range(of: "</ac:AuthorityContext>")!
            var t = text; t.removeSubrange(start.lowerBound..<end.upperBound); return t }), SOAPHeaders.soap11(), "SP-2001"),
        ("AuthorityContext malformed", SampleMessages.envelope(SampleMessages.retBevilling { $0.replacingOccurrences(of: ">64942212<", with: ">6494x212<") }), SOAPHeaders.soap11(), "SP-2001"),
        ("Myndighedskode of another municipality", SampleMessages.envelope(SampleMessages.retBevilling { $0.replacingOccurrences(of: "<kh:Myndighedskode>101<", with: "<kh:Myndighedskode>147<") }), SOAPHeaders.soap11(), "SP-2003"),
        ("a header block this service does not process, marked mustUnderstand (SOAP 1.1)",
         SampleMessages.envelope(SampleMessages.retBevilling(), header: #"<x:Policy xmlns:x="urn:x" soap:mustUnderstand="1">do not store</x:Policy>"#),
         SOAPHeaders.soap11(), "SP-1001"),
        ("a header block this service does not process, marked mustUnderstand (SOAP 1.2)",
         SampleMessages.envelope(SampleMessages.retBevilling(), soap12: true, header: #"<x:Policy xmlns:x="urn:x" soap:mustUnderstand="true" soap:role="http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"/>"#),
         SOAPHeaders.soap12(), "SP-1001"),
    ]

    @Test("each bad request gets its fault code", arguments: cases.map { $0.0 })
    func badRequest(_ name: String) async throws {
        let (_, body, headers, code) = try #require(Self.cases.first { $0.0 == name })
                try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(body, headers: headers)
            #expect(status == .internalServerError)
            #expect(reply.faultCode == code, "\(name): \(reply.text.prefix(400))")
            #expect(reply.serviceplatformFaultCode == code)
            // and the server keeps serving
            let (okStatus, ok) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling()))
            #expect(okStatus == .ok)
            #expect(ok.receiptStatus == "Modtaget")
        }
    }

    @Test("header blocks that need not be understood here are ignored: mustUnderstand off, or for another actor or role")
    func headerBlocksIgnored() async throws {
        try await withRunningPlatform { client async throws in
            let soap11 = [#"<x:Hint xmlns:x="urn:x">a</x:Hint>"#, #"<x:Hint xmlns:x="urn:x" soap:mustUnderstand="0">a</x:Hint>"#,
                          #"<x:Hint xmlns:x="urn:x" soap:mustUnderstand="1" soap:actor="urn:some-intermediary">a</x:Hint>"#]
            for header in soap11 {
                let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling(), header: header))
                #expect(status == .ok && reply.receiptStatus == "Modtaget", "\(header): \(reply.text.prefix(300))")
            }
            let none = #"<x:Hint xmlns:x="urn:x" soap:mustUnderstand="true" soap:role="http://www.w3.org/2003/05/soap-envelope/role/none"/>"#
            let (status, reply) = try await client.post(SampleMessages.envelope(SampleMessages.retBevilling(), soap12: true, header: none),
                                                        headers: SOAPHeaders.soap12())
            #expect(status == .ok && reply.receiptStatus == "Modtaget", "\(reply.text.prefix(300))")
        }
    }

    @Test("invalid UTF-8 is SP-1001")
    func invalidUTF8() async throws {
                var bytes = Array(Self.valid.utf8)
        let at = try #require(Self.valid.range(of: ">KY<")).lowerBound.utf16Offset(in: Self.valid) + 1
        bytes.replaceSubrange(at..<(at + 2), with: [0xC0, 0xAF])
        let body = bytes
        try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(body)
            #expect(status == .internalServerError)
            #expect(reply.faultCode == "SP-1001")
        }
    }

    @Test("a 10 MiB body is refused with 413 before it is parsed")
    func tenMebibytes() async throws {
                let body = Array(Self.valid.utf8) + [UInt8](repeating: 0x20, count: 10 << 20)
        try await withRunningPlatform { client async throws in
            let (status, reply) = try await client.post(body)
            #expect(status == .contentTooLarge)
            #expect(reply.faultCode == "SP-1001")
            #expect(reply.serviceplatformFaultCode == "SP-1001")
            let (okStatus, _) = try await client.post(Self.valid)
            #expect(okStatus == .ok)
        }
    }

    @Test("1 000 bad requests: the server keeps answering and memory stays flat")
    func flood() async throws {
                let attacks = Self.cases.map { ($0.1, $0.2) }
        try await withRunningPlatform { client async throws in
            for i in 0..<200 { _ = try await client.post(attacks[i % attacks.count].0, headers: attacks[i % attacks.count].1) }
            let auditBefore = try await client.platform.store.auditCount()
            let before = ResidentMemory.bytes()
            for i in 0..<1_000 {
                let (status, reply) = try await client.post(attacks[i % attacks.count].0, headers: attacks[i % attacks.count].1)
                #expect(status == .internalServerError)
                #expect(reply.faultCode != nil)
            }
            let after = ResidentMemory.bytes()
            #expect(try await client.platform.store.auditCount() == auditBefore + 1_000)
            #expect(after - before < 64 << 20, "RSS grew from \(before) to \(after)")
            let (okStatus, ok) = try await client.post(Self.valid.replacingOccurrences(of: "8d0f6a52", with: "9d0f6a52"))
            #expect(okStatus == .ok)
            #expect(ok.receiptStatus == "Modtaget")
        }
    }
}

/// This process's resident set size, from /proc.
enum ResidentMemory {
    static func bytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
