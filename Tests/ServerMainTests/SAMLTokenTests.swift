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
            // No TLS certificate came: the record names the holder-of-key certificate, and keeps the token's attributes.
            let holderOfKey = try CertificateAuthority.load(certificatePEM: p.pki.demoCaller.certificatePEM, privateKeyPEM: p.pki.demoCaller.keyPEM)
            let holderOfKeyDER = try holderOfKey.root.certificateDER
            #expect(record.certificateFingerprint == CertificateFingerprint.sha256(holderOfKeyDER))
            let details = try #require(try JSONSerialization.jsonObject(with: Data((record.details ?? "{}").utf8)) as? [String: [String: String]])
            let token = try #require(details["token"], "\(record.details ?? "no details")")
            #expect(token["dk:gov:saml:attribute:AssuranceLevel"] == "3")
            #expect(token["dk:gov:saml:attribute:SpecVer"] == "DK-SAML-2.0")
            #expect(token["dk:gov:saml:attribute:KombitSpecVer"] == "1.0")
            let privileges = token["dk:gov:saml:attribute:Privileges_intermediate"].flatMap { Data(base64Encoded: $0) }
            #expect(privileges.map { String(decoding: $0, as: UTF8.self).contains("urn:dk:gov:saml:cvrNumberIdentifier:64942212") } == true)
            #expect(token["Issuer"] == PlatformSettings.exttestSTSEntityID)
            #expect(token["AssertionID"].map { assertion.contains("ID=\"\($0)\"") } == true)
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

    @Test("verdict cache poisoning: after a token verified, an edited copy of it is still SP-2001, and the token still works")
    func verdictCache() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            #expect(try await p.post(try p.signedCall(assertion: assertion), as: .none).1.receiptStatus == "Modtaget")
            // The STS signature of the genuine assertion is now remembered; each edit below must miss it and fail
            // the full check: another CVR, a stretched validity, whitespace in the Issuer.
            let edits: [(String) -> String] = [
                { $0.replacingOccurrences(of: ">64942212<", with: ">11259979<") },
                { $0.replacingOccurrences(of: "NotOnOrAfter=\"", with: "NotOnOrAfter=\"2") },
                { $0.replacingOccurrences(of: "</saml:Issuer>", with: " </saml:Issuer>") },
            ]
            for edit in edits {
                let edited = edit(assertion)
                #expect(edited != assertion)
                let besked = UUID().uuidString.lowercased()
                try await expectRefused(p, try await p.post(try p.signedCall(beskedID: besked, assertion: edited), as: .none),
                                        code: "SP-2001", beskedID: besked)
            }
            // A namespace declaration nobody uses leaves the canonical form, and the verdict, as they were.
            let redeclared = assertion.replacingOccurrences(of: "<saml:Assertion ", with: "<saml:Assertion xmlns:unused=\"urn:unused\" ")
            #expect(redeclared != assertion)
            #expect(try await p.post(try p.signedCall(assertion: redeclared), as: .none).1.receiptStatus == "Modtaget")
            #expect(try await p.post(try p.signedCall(assertion: assertion), as: .none).1.receiptStatus == "Modtaget")
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

@Suite("Signed responses to SAML-model calls")
struct SignedResponseTests {
    @Test("the answer is signed over Body, Timestamp, WS-Addressing and Framework, and verifies with three implementations")
    func signedResponse() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let request = try p.signedCall(assertion: assertion)
            let (status, reply) = try await p.post(request, as: .none)
            #expect(status == .ok)
            // Ours (libxmlsec1), pinned to the published signing certificate.
            let verifier = try SignedResponseVerifier(signingCertificatePEM: p.pki.responseSigning.certificatePEM)
            let covered = try verifier.verify(Array(reply.text.utf8))
            #expect(covered.count == 6, "Body, Timestamp, Action, MessageID, RelatesTo, Framework")
            let requestText = String(decoding: request, as: UTF8.self)
            let messageID = try #require(requestText.range(of: "urn:uuid:").map { String(requestText[$0.lowerBound...].prefix(45)) })
            #expect(reply.element("http://www.w3.org/2005/08/addressing", "RelatesTo") == messageID)
            #expect(reply.element("http://www.w3.org/2005/08/addressing", "Action") == SampleMessages.retAction + "Response")
            #expect(reply.receiptStatus == "Modtaget")

            let dir = NSTemporaryDirectory() + "signed-response-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try reply.text.write(toFile: dir + "/response.xml", atomically: true, encoding: .utf8)
            try p.pki.responseSigning.certificatePEM.write(toFile: dir + "/signing.pem", atomically: true, encoding: .utf8)
            // An independent Python implementation (lxml + cryptography, its own exc-c14n).
            let (pythonStatus, pythonOutput) = try SAMLAttackCorpusTests.python(["-c", """
                import sys; sys.path.insert(0, 'scripts/saml')
                import oioidws
                oioidws.verify_response(open('\(dir)/response.xml', 'rb').read(), open('\(dir)/signing.pem', 'rb').read(), require_signed_headers=True)
                print('verified')
                """])
            #expect(pythonStatus == 0, "\(pythonOutput)")
            // Apache Santuario, with secure validation.
            let (santuarioStatus, output) = try Subprocess.run(["/bin/bash", TestPaths.repositoryRoot.path + "/Tests/santuario/verify.sh",
                                                                dir + "/response.xml", dir + "/signing.pem"])
            #expect(santuarioStatus == 0, "\(output)")
            #expect(output.contains("VERIFIED by Apache Santuario"))
        }
    }

    @Test("a response changed after signing does not verify, and faults stay unsigned")
    func tamperedResponse() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let (_, reply) = try await p.post(try p.signedCall(assertion: assertion), as: .none)
            let verifier = try SignedResponseVerifier(signingCertificatePEM: p.pki.responseSigning.certificatePEM)
            let tampered = reply.text.replacingOccurrences(of: ">Modtaget<", with: ">Afvist<")
            #expect(throws: SignedResponseVerifier.Failure.self) { try verifier.verify(Array(tampered.utf8)) }
            let other = try SignedResponseVerifier(signingCertificatePEM: p.pki.sts.certificatePEM)
            #expect(throws: SignedResponseVerifier.Failure.self) { try other.verify(Array(reply.text.utf8)) }
            let (_, fault) = try await p.post(try p.signedCall(assertion: assertion) { $0.replacingOccurrences(of: ">Afgjort<", with: ">IGang<") }, as: .none)
            #expect(fault.faultCode == "SP-2001")
            #expect(!fault.text.contains("ds:Signature"))
        }
    }
}

@Suite("The STS in the real platform's REST shape")
struct RESTSTSTests {
    func issue(_ p: RunningPlatform, json: String, as identity: CallerIdentityChoice = .kyDemo) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "https://127.0.0.1:\(p.ports["service"]!)/runtime/api/rest/wstrust/v1/issue")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        request.tlsConfiguration = try p.tls(identity)
        let response = try await p.client.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func body(cvr: String = "64942212", useKey: String?, audience: String = "urn:serviceplatform:service:JC:Kontanthjaelp:2") -> String {
        let key = useKey.map { #", "UseKey": "\#($0)""# } ?? ""
        return #"{"TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0", "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue", "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey", "AnvenderKontekst": {"Cvr": "\#(cvr)"}, "AppliesTo": {"EndpointReference": {"Address": "\#(audience)"}}\#(key)}"#
    }

    @Test("a REST issue request gets a base64 assertion that a signed call can use")
    func restShape() async throws {
        try await withRunningPlatform { p async throws in
            let der = try CertificateAuthority.load(certificatePEM: p.pki.demoCaller.certificatePEM, privateKeyPEM: p.pki.demoCaller.keyPEM).root.certificateDER
            let (status, json) = try await issue(p, json: Self.body(useKey: Data(der).base64EncodedString()))
            #expect(status == 200, "\(json)")
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            let token = (object?["RequestedSecurityToken"] as? [String: Any])?["Assertion"] as? String
            let assertion = try #require(token.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) })
            #expect(assertion.contains("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"))
            #expect(try await p.post(try p.signedCall(assertion: assertion), as: .none).1.receiptStatus == "Modtaget")
        }
    }

    @Test("UseKey that is not the TLS client certificate, and a CVR without agreement, are 403")
    func restRefusals() async throws {
        try await withRunningPlatform { p async throws in
            let other = try p.pki.authority().issue(commonName: "Other", usage: .client)
            #expect(try await issue(p, json: Self.body(useKey: Data(try other.certificateDER).base64EncodedString())).0 == 403)
            #expect(try await issue(p, json: Self.body(cvr: "58271713", useKey: nil)).0 == 403)
            #expect(try await issue(p, json: "{}").0 == 400)
        }
    }
}

@Suite("wsa:To and its leniencies")
struct AddressingTests {
    @Test("an explicit default port, a trailing slash and case differences are the same endpoint", arguments: [
        ("https://router.example:443/service/JC/Kontanthjaelp/2", true),
        ("https://router.example/service/JC/Kontanthjaelp/2/", true),
        ("HTTPS://Router.Example/service/JC/Kontanthjaelp/2", true),
        ("https://router.example:8443/service/JC/Kontanthjaelp/2", false),
        ("https://other.example/service/JC/Kontanthjaelp/2", false),
        ("https://router.example/service/JC/Kontanthjaelp/3", false),
    ])
    func leniency(_ to: String, _ same: Bool) {
        #expect(EndpointAddress.matches(to, endpoint: "https://router.example/service/JC/Kontanthjaelp/2") == same)
    }

    @Test("a signed call addressed with a trailing slash is accepted; one addressed to another host is SP-2001")
    func live() async throws {
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let signer = try TokenMessageSigner(privateKeyPEM: p.pki.demoCaller.keyPEM)
            let slash = try signer.envelope(payload: SampleMessages.retBevilling(), assertion: assertion, action: SampleMessages.retAction,
                                            to: p.serviceURL + "/")
            #expect(try await p.post(slash, as: .none).1.receiptStatus == "Modtaget")
            let besked = UUID().uuidString.lowercased()
            let elsewhere = try signer.envelope(payload: SampleMessages.retBevilling(beskedID: besked), assertion: assertion,
                                                action: SampleMessages.retAction, to: "https://other.example/service/JC/Kontanthjaelp/2")
            try await expectRefused(p, try await p.post(elsewhere, as: .none), code: "SP-2001", beskedID: besked)
        }
    }
}

@Suite("Each signed header changed after signing")
struct SignedHeaderTamperTests {
    /// (what is changed, how): each edit changes one signed part and nothing else.
    static let edits: [(String, String, String)] = [
        ("wsa:MessageID", "<wsa:MessageID wsu:Id=\"wsa-msgid\">urn:uuid:", "<wsa:MessageID wsu:Id=\"wsa-msgid\">urn:uuid:0"),
        ("wsa:To", "/service/JC/Kontanthjaelp/2</wsa:To>", "/service/JC/Kontanthjaelp/2/</wsa:To>"),
        ("wsa:ReplyTo", "addressing/anonymous</wsa:Address>", "addressing/none</wsa:Address>"),
        ("wsa:Action mustUnderstand", "<wsa:Action soap:mustUnderstand=\"1\"", "<wsa:Action soap:mustUnderstand=\"0\""),
        ("sbf:Framework", "version=\"2.0\"", "version=\"2.1\""),
        ("wsu:Timestamp", "<wsu:Created>", "<wsu:Created>\u{20}"),
    ]

    @Test("a change to a signed header is SP-2001 and nothing is forwarded", arguments: edits.map(\.0))
    func tampered(_ name: String) async throws {
        let (_, find, replace) = try #require(Self.edits.first { $0.0 == name })
        try await withRunningPlatform { p async throws in
            let (_, assertion) = try await p.token()
            let besked = UUID().uuidString.lowercased()
            let message = try p.signedCall(beskedID: besked, assertion: assertion) { text in
                #expect(text.contains(find), "the edit for \(name) finds nothing")
                return text.replacingOccurrences(of: find, with: replace)
            }
            try await expectRefused(p, try await p.post(message, as: .none), code: "SP-2001", beskedID: besked)
        }
    }
}
