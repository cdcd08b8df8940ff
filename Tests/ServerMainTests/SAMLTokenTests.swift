import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

extension RunningPlatform {
    /// A token from the exttest STS for KY demo (or another identity), over mutual TLS.
    func token(cvr: String = "64942212", audience: String? = nil, as identity: CallerIdentityChoice = .kyDemo) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(ports["service"]!)/sts/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let audienceField = audience.map { #", "audience": "\#($0)""# } ?? ""
        request.body = .bytes(ByteBuffer(string: #"{"cvr": "\#(cvr)"\#(audienceField)}"#))
        request.tlsConfiguration = try tls(identity)
        let response = try await client.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// A Ret bevilling signed as KY demo under the SAML model.
    func signedCall(beskedID: String = UUID().uuidString.lowercased(), assertion: String, now: Date = Date(),
                    lifetime: TimeInterval = 300, edit: (String) -> String = { $0 }) throws -> [UInt8] {
        let signer = try TokenMessageSigner(privateKeyPEM: pki.demoCaller.keyPEM)
        let payload = SampleMessages.retBevilling(beskedID: beskedID)
        let bytes = try signer.envelope(payload: payload, assertion: assertion, action: SampleMessages.retAction, to: serviceURL,
                                        now: now, lifetime: lifetime)
        return Array(edit(String(decoding: bytes, as: UTF8.self)).utf8)
    }
}

@Suite("SAML token model with the exttest STS and the project's own client")
struct SAMLTokenTests {
    @Test("the STS issues a token over mutual TLS and a signed call with it gets a receipt, without a client certificate")
    func tokenCall() async throws {
        try await withRunningPlatform { p async throws in
            let (status, assertion) = try await p.token()
            #expect(status == 200)
            #expect(assertion.contains("dk:gov:saml:attribute:CvrNumberIdentifier"))
            let besked = UUID().uuidString.lowercased()
            let (callStatus, reply) = try await p.post(try p.signedCall(beskedID: besked, assertion: assertion), as: .none)
            #expect(callStatus == .ok, "\(reply.text.prefix(500))")
            #expect(reply.receiptStatus == "Modtaget")
            let record = try #require(try await p.audit(beskedID: besked).first)
            #expect(record.securityModel == "SAML")
            #expect(record.callerSystem == "ky-demo")
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)
            // one token, many calls
            #expect(try await p.post(try p.signedCall(assertion: assertion), as: .none).1.receiptStatus == "Modtaget")
        }
    }

    @Test("the STS refuses a CVR without an agreement, an unknown audience, and a caller without a certificate")
    func stsRefusals() async throws {
        try await withRunningPlatform { p async throws in
            #expect(try await p.token(cvr: "58271713").0 == 403)
            #expect(try await p.token(audience: "urn:other").0 == 403)
            #expect(try await p.token(as: .none).0 == 403)
        }
    }

    @Test("tampering after signing, a replay, and stale or long-lived timestamps are SP-2001, and nothing is forwarded")
    func attacks() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            var besked = UUID().uuidString.lowercased()
            let tampered = try p.signedCall(beskedID: besked, assertion: assertion) { $0.replacingOccurrences(of: "<kh:Status>Afgjort<", with: "<kh:Status>IGang<") }
            try await expectRefused(p, try await p.post(tampered, as: .none), code: "SP-2001", beskedID: besked)

            besked = UUID().uuidString.lowercased()
            let message = try p.signedCall(beskedID: besked, assertion: assertion)
            #expect(try await p.post(message, as: .none).1.receiptStatus == "Modtaget")
            let replay = try await p.post(message, as: .none)
            #expect(replay.1.faultCode == "SP-2001")
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)

            besked = UUID().uuidString.lowercased()
            let stale = try p.signedCall(beskedID: besked, assertion: assertion, now: Date().addingTimeInterval(-400))
            try await expectRefused(p, try await p.post(stale, as: .none), code: "SP-2001", beskedID: besked)

            besked = UUID().uuidString.lowercased()
            let future = try p.signedCall(beskedID: besked, assertion: assertion, now: Date().addingTimeInterval(3600))
            try await expectRefused(p, try await p.post(future, as: .none), code: "SP-2001", beskedID: besked)

            besked = UUID().uuidString.lowercased()
            let long = try p.signedCall(beskedID: besked, assertion: assertion, lifetime: 301)
            try await expectRefused(p, try await p.post(long, as: .none), code: "SP-2001", beskedID: besked)

            besked = UUID().uuidString.lowercased()
            let exact = try p.signedCall(beskedID: besked, assertion: assertion, lifetime: 300)
            #expect(try await p.post(exact, as: .none).1.receiptStatus == "Modtaget")
        }
    }

    @Test("a token whose assertion was edited after the STS signed it is SP-2001")
    func editedAssertion() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let edited = assertion.replacingOccurrences(of: ">64942212<", with: ">11259979<")
            let besked = UUID().uuidString.lowercased()
            let message = try p.signedCall(beskedID: besked, assertion: edited) {
                $0.replacingOccurrences(of: "<kh:Myndighedskode>101<", with: "<kh:Myndighedskode>147<")
            }
            try await expectRefused(p, try await p.post(message, as: .none), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("wsa:Action naming the other operation is SP-1001")
    func wsaActionOtherOperation() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let besked = UUID().uuidString.lowercased()
            let signer = try TokenMessageSigner(privateKeyPEM: p.pki.demoCaller.keyPEM)
            let message = try signer.envelope(payload: SampleMessages.retBevilling(beskedID: besked), assertion: assertion,
                                              action: SampleMessages.sletAction, to: p.serviceURL)
            try await expectRefused(p, try await p.post(message, headers: SOAPHeaders.soap11(action: nil), as: .none), code: "SP-1001", beskedID: besked)
        }
    }
}
