import Foundation
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

/// The SAML calls the benchmark signs before its rows (d) and (e) (`bench-presign`) must be
/// what the router accepts, each once: otherwise the rows would measure faults.
@Suite("The benchmark's pre-signed SAML calls")
struct BenchSAMLMessagesTests {
    static let stsEntityID = "urn:test:bench-sts"
    /// The request element with a placeholder for every id that must not repeat.
    static let payload = SampleMessages.retBevilling(beskedID: "{{uuid}}", bevillingID: "{{uuid}}")

    @Test("one token reused: each message has its own ids, MessageID and signature, and gets its own receipt and audit record")
    func reusedToken() async throws {
        try await withRunningPlatform { p async throws in
            let (status, assertion) = try await p.token()
            try #require(status == 200)
            let messages = SAMLBenchMessages(holderKeyPEM: p.pki.demoCaller.keyPEM, payload: Self.payload, token: .reused(assertion: assertion),
                                             action: SampleMessages.retAction, endpoint: p.serviceURL)
            let bodies = try await messages.sign(count: 6, jobs: 2)
            #expect(Set(bodies.map { Self.between($0, "<ds:SignatureValue>", "</ds:SignatureValue>", after: "</saml:Assertion>") }).count == 6,
                    "a message signature of its own")
            #expect(Set(bodies.map { Self.between($0, "urn:uuid:", "</wsa:MessageID>") }).count == 6)
            #expect(Set(bodies.map { Self.between($0, " ID=\"", "\"") }).count == 1, "one assertion in every message")
            try await Self.expectAccepted(bodies, by: p)
        }
    }

    @Test("a fresh token per message, from a bench STS the router is told to trust")
    func freshTokens() async throws {
        let sts = try SharedTestPKI.foreignCA.issue(commonName: "Bench STS", usage: .client, key: .rsa2048)
        let file = NSTemporaryDirectory() + "bench-sts-\(UUID().uuidString).pem"
        try sts.certificatePEM.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withRunningPlatform(trustedSTS: (file, Self.stsEntityID)) { p async throws in
            let issuer = try AssertionIssuer(entityID: Self.stsEntityID, certificatePEM: try sts.certificatePEM,
                                             privateKeyPEM: try sts.privateKeyPEM)
            let token = SAMLBenchMessages.Token.fresh(
                issuer: issuer, holderCertificateDER: try SAMLBenchMessages.certificateDER(pem: p.pki.demoCaller.certificatePEM),
                cvr: try #require(MunicipalityCVR("64942212")), audience: PlatformSettings.defaultAudience)
            let messages = SAMLBenchMessages(holderKeyPEM: p.pki.demoCaller.keyPEM, payload: Self.payload, token: token,
                                             action: SampleMessages.retAction, endpoint: p.serviceURL)
            let bodies = try await messages.sign(count: 4, jobs: 2)
            #expect(Set(bodies.map { Self.between($0, " ID=\"", "\"") }).count == 4, "an assertion of its own in every message")
            try await Self.expectAccepted(bodies, by: p)
        }
    }

    @Test("bench-presign writes numbered files in sending order and will not add to a folder that has some")
    func presignCommand() async throws {
        try await withRunningPlatform { p async throws in
            let dir = NSTemporaryDirectory() + "bench-presign-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let (_, assertion) = try await p.token()
            try assertion.write(toFile: dir + "/token.xml", atomically: true, encoding: .utf8)
            try Self.payload.write(toFile: dir + "/payload.xml", atomically: true, encoding: .utf8)
            try p.pki.demoCaller.keyPEM.write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
            let arguments = ["--count", "12", "--out-dir", dir + "/out", "--payload-file", dir + "/payload.xml", "--key", dir + "/key.pem",
                             "--endpoint", p.serviceURL, "--assertion", dir + "/token.xml", "--jobs", "3"]
            try await BenchPresign.parse(arguments).run()
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/out").sorted()
            #expect(names == (0..<12).map { String(format: "%07d.xml", $0) })
            let bodies = try names.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/out/" + $0))) }
            try await Self.expectAccepted(bodies, by: p)
            await #expect(throws: (any Error).self) { try await BenchPresign.parse(arguments).run() }
            #expect(throws: (any Error).self) {
                try BenchPresign.parse(["--count", "1", "--out-dir", dir + "/x", "--payload-file", dir + "/payload.xml", "--key", dir + "/key.pem",
                                        "--endpoint", p.serviceURL])
            }
        }
    }

    static func expectAccepted(_ bodies: [[UInt8]], by p: RunningPlatform) async throws {
        var beskedIDs: Set<String> = []
        for body in bodies {
            let besked = try #require(between(body, "<kh:BeskedID>", "</kh:BeskedID>"))
            beskedIDs.insert(besked)
            let (status, reply) = try await p.post(body, as: .kyDemo)
            #expect(status == .ok, "\(reply.text.prefix(400))")
            #expect(reply.receiptStatus == "Modtaget")
            #expect(try await p.audit(beskedID: besked).count == 1)
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)
        }
        #expect(beskedIDs.count == bodies.count)
    }

    /// The text between the first `start` (after `after`, when given) and the next `end`.
    static func between(_ bytes: [UInt8], _ start: String, _ end: String, after: String? = nil) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        let origin = after.flatMap { text.range(of: $0)?.upperBound } ?? text.startIndex
        guard let from = text.range(of: start, range: origin..<text.endIndex),
              let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
        return String(text[from.upperBound..<to.lowerBound])
    }
}
