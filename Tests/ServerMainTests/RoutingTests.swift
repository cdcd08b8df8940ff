import Foundation
import HTTPTypes
import PlatformTestSupport
import ServicePlatform
import Testing
@testable import ServerMain

/// A fresh Ret bevilling envelope and its BeskedID.
func retCall(code: String = "101", cvr: String = "64942212", beskedID: String = UUID().uuidString.lowercased(),
             bevillingID: String = UUID().uuidString.lowercased(), _ edit: (String) -> String = { $0 }) -> (String, String) {
    let payload = SampleMessages.retBevilling(beskedID: beskedID, bevillingID: bevillingID) {
        edit($0.replacingOccurrences(of: "<kh:Myndighedskode>101<", with: "<kh:Myndighedskode>\(code)<")
            .replacingOccurrences(of: ">64942212<", with: ">\(cvr)<"))
    }
    return (SampleMessages.envelope(payload), beskedID)
}

/// Checks a refused call: its fault code at the caller, its audit record, nothing at the jobcenter.
func expectRefused(_ platform: RunningPlatform, _ reply: (HTTPResponse.Status, ReplyReader), code: String, beskedID: String?,
                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
    #expect(reply.0 == .internalServerError, sourceLocation: sourceLocation)
    #expect(reply.1.faultCode == code, "\(reply.1.text.prefix(300))", sourceLocation: sourceLocation)
    let transaction = try #require(reply.1.element("urn:serviceplatform:fault:1", "TransaktionsID"), sourceLocation: sourceLocation)
    let record = try await platform.audit(transactionID: transaction)
    #expect(record?.outcome == code, sourceLocation: sourceLocation)
    #expect(record?.faultCode == code, sourceLocation: sourceLocation)
    if let beskedID {
        #expect(try platform.jobcenterReceived(beskedID: beskedID) == 0, "a refused call reached the jobcenter", sourceLocation: sourceLocation)
    }
}

@Suite("Routing under AuthorityContext, end to end over mutual TLS")
struct RoutingTests {
    @Test("a valid call: receipt at the caller, grant in the jobcenter's database, audit record in the platform's")
    func endToEnd() async throws {
        try await withRunningPlatform { p async throws in
            let bevillingID = UUID().uuidString.lowercased()
            let (envelope, beskedID) = retCall(bevillingID: bevillingID)
            let (status, reply) = try await p.post(envelope)
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Modtaget")
            #expect(reply.element("urn:serviceplatform:jc:kontanthjaelp:2", "BeskedID") == beskedID)
            let grant = try #require(try p.jobcenterGrant(bevillingID))
            #expect(grant["status"] as String? == "Afgjort")
            #expect(grant["municipality"] as String? == "101")
            let transaction = try #require(reply.element("urn:serviceplatform:jc:kontanthjaelp:2", "TransaktionsID"))
            #expect(grant["updated_by_transaction"] as String? == transaction)
            let record = try #require(try await p.audit(transactionID: transaction))
            #expect(record.callerSystem == "ky-demo")
            #expect(record.securityModel == "AuthorityContext")
            #expect(record.municipalityCode == "101")
            #expect(record.municipalityCVR == "64942212")
            #expect(record.operation == "RetBevilling")
            #expect(record.beskedID == beskedID)
            #expect(record.receiverSystem == "demo-jobcenter")
            #expect(record.outcome == "Modtaget")
            let demoCaller = try CertificateAuthority.load(certificatePEM: p.pki.demoCaller.certificatePEM, privateKeyPEM: p.pki.demoCaller.keyPEM)
            #expect(record.certificateFingerprint == (try demoCaller.root.fingerprint))
            #expect(record.cprHash?.count == 64)
            #expect(record.cprHash != "0101901234")
            #expect(record.details?.contains("KBH-SAGSBEH-4711") == true)
        }
    }

    @Test("no client certificate is SP-2001")
    func noCertificate() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .none), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("a certificate from another CA is SP-2001")
    func foreignCA() async throws {
        try await withRunningPlatform { p async throws in
            let foreign = try SharedTestPKI.foreignCA.issue(commonName: "KY demo", usage: .client)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(foreign)), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("an expired certificate, even a registered one, is SP-2001")
    func expired() async throws {
        try await withRunningPlatform { p async throws in
            let expired = try p.pki.authority().issue(commonName: "Old KY", usage: .client, notBefore: Date().addingTimeInterval(-86400 * 30),
                                                     notAfter: Date().addingTimeInterval(-86400))
            _ = try await p.admin(.post, "/admin/api/systems/ky-demo/certificates",
                                  json: #"{"certificatePem": \#(RunningPlatform.json(try expired.certificatePEM))}"#)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(expired)), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("a valid but unregistered certificate is SP-2001")
    func unregistered() async throws {
        try await withRunningPlatform { p async throws in
            let stranger = try p.pki.authority().issue(commonName: "Stranger", usage: .client)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(stranger)), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("an inactive system is SP-2002, and reactivating it takes effect on the next call")
    func inactiveSystem() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller()
            #expect(try await p.admin(.post, "/admin/api/systems/\(caller.id)/deactivate").0 == 200)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2002", beskedID: besked)
            #expect(try await p.admin(.post, "/admin/api/systems/\(caller.id)/activate").0 == 200)
            #expect(try await p.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget")
        }
    }

    @Test("a certificate added for rollover works beside the old one")
    func rollover() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller()
            let next = try p.pki.authority().issue(commonName: "Test caller 2027", usage: .client)
            #expect(try await p.admin(.post, "/admin/api/systems/\(caller.id)/certificates",
                                      json: #"{"certificatePem": \#(RunningPlatform.json(try next.certificatePEM))}"#).0 == 200)
            #expect(try await p.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget")
            #expect(try await p.post(retCall().0, as: .certificate(next)).1.receiptStatus == "Modtaget")
        }
    }

    @Test("a retired or leaked certificate, removed, is SP-2001 from the next call while the system's other certificate works; removing again is 404")
    func certificateRemoved() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller()
            let next = try p.pki.authority().issue(commonName: "Test caller 2027", usage: .client)
            let (_, added) = try await p.admin(.post, "/admin/api/systems/\(caller.id)/certificates",
                                               json: #"{"certificatePem": \#(RunningPlatform.json(try next.certificatePEM))}"#)
            let nextFingerprint = try RunningPlatform.field("id", in: added)
            let oldFingerprint = try #require(try await p.platform.store.registryContents().certificates
                .first { $0.systemID == caller.id && $0.sha256 != nextFingerprint }?.sha256)
            #expect(try await p.admin(.delete, "/admin/api/systems/\(caller.id)/certificates/\(oldFingerprint)").0 == 200)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2001", beskedID: besked)
            #expect(try await p.post(retCall().0, as: .certificate(next)).1.receiptStatus == "Modtaget")
            #expect(try await p.admin(.delete, "/admin/api/systems/\(caller.id)/certificates/\(oldFingerprint)").0 == 404)
            // Another system's certificate cannot be removed through this one.
            #expect(try await p.admin(.delete, "/admin/api/systems/ky-demo/certificates/\(nextFingerprint)").0 == 404)
        }
    }

    @Test("a system taken out of MONOPOLBRUD is SP-2002 from the next call; removing a membership it lacks is 404")
    func visibilityGroupRemoved() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller()
            #expect(try await p.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget")
            #expect(try await p.admin(.delete, "/admin/api/systems/\(caller.id)/visibility-groups/MONOPOLBRUD").0 == 200)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2002", beskedID: besked)
            #expect(try await p.admin(.delete, "/admin/api/systems/\(caller.id)/visibility-groups/MONOPOLBRUD").0 == 404)
        }
    }

    @Test("AuthorityContext missing is SP-2001")
    func authorityContextMissing() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall { text in
                let start = text.range(of: "<ac:AuthorityContext>")!, end = text.range(of: "</ac:AuthorityContext>")!
                var t = text; t.removeSubrange(start.lowerBound..<end.upperBound); return t
            }
            try await expectRefused(p, try await p.post(envelope), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("AuthorityContext malformed is SP-2001")
    func authorityContextMalformed() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall(cvr: "6494221X")
            try await expectRefused(p, try await p.post(envelope), code: "SP-2001", beskedID: besked)
        }
    }

    @Test("AuthorityContext naming a CVR without an agreement is SP-2002")
    func cvrWithoutAgreement() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall(code: "151", cvr: "58271713")
            try await expectRefused(p, try await p.post(envelope), code: "SP-2002", beskedID: besked)
        }
    }

    @Test("an agreement requested but not approved is SP-2002; approving it lets the next call through")
    func agreementRequested() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller(agreementState: "requested")
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2002", beskedID: besked)
            #expect(try await p.admin(.post, "/admin/api/agreements/\(caller.agreementID!)/approve").0 == 200)
            #expect(try await p.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget")
        }
    }

    @Test("a revoked agreement is SP-2002 from the next call on")
    func agreementRevoked() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller()
            #expect(try await p.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget")
            #expect(try await p.admin(.post, "/admin/api/agreements/\(caller.agreementID!)/revoke").0 == 200)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2002", beskedID: besked)
        }
    }

    @Test("a system outside the MONOPOLBRUD visibility group is SP-2002")
    func notInVisibilityGroup() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller(group: false)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-2002", beskedID: besked)
        }
    }

    @Test("a Myndighedskode of another municipality is SP-2003")
    func otherMunicipality() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall(code: "147")
            try await expectRefused(p, try await p.post(envelope), code: "SP-2003", beskedID: besked)
        }
    }

    @Test("a municipality with no receiver is SP-3001")
    func noReceiver() async throws {
        try await withRunningPlatform { p async throws in
            let caller = try await p.registerCaller(cvr: "58271713")
            let (envelope, besked) = retCall(code: "151", cvr: "58271713")
            try await expectRefused(p, try await p.post(envelope, as: .certificate(caller.certificate)), code: "SP-3001", beskedID: besked)
        }
    }

    /// Points the demo jobcenter's receiver registration at `url` (with `trustRoot`).
    static func moveReceiver(_ p: RunningPlatform, to url: String, trustRoot: String? = nil) async throws {
        let body = #"{"endpointUrl": \#(RunningPlatform.json(url)), "trustRootPem": \#(RunningPlatform.json(trustRoot ?? p.pki.ca.certificatePEM)), "municipalityCodes": ["101", "147", "751"]}"#
        let (status, text) = try await p.admin(.put, "/admin/api/receivers/demo-jobcenter", json: body)
        #expect(status == 200, "\(text)")
    }

    @Test("receiver down (connection refused) is SP-3002, and a retry with the same BeskedID is forwarded once it is back")
    func receiverDown() async throws {
        try await withRunningPlatform { p async throws in
            let original = "https://127.0.0.1:\(p.ports["jobcenter"]!)\(DemoJobcenter.path)"
            try await Self.moveReceiver(p, to: "https://127.0.0.1:\(try SilentPort.closedPort())/x")
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope), code: "SP-3002", beskedID: besked)
            try await Self.moveReceiver(p, to: original)
            let (status, reply) = try await p.post(envelope)
            #expect(status == .ok)
            #expect(reply.receiptStatus == "Modtaget")
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)
        }
    }

    @Test("a hanging receiver is SP-3002 within the deadline, not later")
    func receiverHanging() async throws {
        try await withRunningPlatform(forwardTimeoutMs: 1_500) { p async throws in
            let silent = try SilentPort()
            defer { silent.close() }
            try await Self.moveReceiver(p, to: "https://127.0.0.1:\(silent.port)/x")
            let started = ContinuousClock.now
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope), code: "SP-3002", beskedID: besked)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a receiver with an untrusted server certificate is SP-3002")
    func receiverUntrusted() async throws {
        try await withRunningPlatform { p async throws in
            let original = "https://127.0.0.1:\(p.ports["jobcenter"]!)\(DemoJobcenter.path)"
            try await Self.moveReceiver(p, to: original, trustRoot: try SharedTestPKI.foreignCA.root.certificatePEM)
            let (envelope, besked) = retCall()
            try await expectRefused(p, try await p.post(envelope), code: "SP-3002", beskedID: besked)
        }
    }

    @Test("receiver answering HTTP 500, garbage, a receipt without Status, a fault, or 2 MiB (memory exhaustion by a receiver)", arguments: [
        ("/http500", "SP-3002"), ("/garbage", "SP-3003"), ("/nostatus", "SP-3003"), ("/fault", "SP-3002"), ("/huge", "SP-3002"),
    ])
    func receiverMisbehaves(_ path: String, _ code: String) async throws {
        try await withRunningPlatform { p async throws in
            let fake = try await FakeReceiver.start(pki: p.pki)
            try await Self.moveReceiver(p, to: fake.url(path))
            let (envelope, _) = retCall()
            let reply = try await p.post(envelope)
            await fake.stop()
            try await expectRefused(p, reply, code: code, beskedID: nil)
            if path == "/fault" {
                #expect(reply.1.text.contains("<spf:ErrorCode>JC-5001</spf:ErrorCode>"))
                #expect(reply.1.text.contains("Databasen svarer ikke"))
            }
        }
    }

    @Test("the same BeskedID twice: the second is answered from the store and the jobcenter is called once")
    func sameBeskedIDTwice() async throws {
        try await withRunningPlatform { p async throws in
            let (envelope, besked) = retCall()
            let first = try await p.post(envelope)
            let second = try await p.post(envelope)
            #expect(first.1.receiptStatus == "Modtaget")
            #expect(second.1.receiptStatus == "Modtaget")
            #expect(first.1.element("urn:serviceplatform:jc:kontanthjaelp:2", "TransaktionsID")
                    == second.1.element("urn:serviceplatform:jc:kontanthjaelp:2", "TransaktionsID"))
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)
            #expect(try await p.audit(beskedID: besked).count == 2)
        }
    }

    @Test("the same BeskedID sent again while the first call is still at the jobcenter (a client retrying after its timeout): the jobcenter is called once, both get the one receipt")
    func sameBeskedIDWhileInFlight() async throws {
        try await withRunningPlatform { p async throws in
            let fake = try await FakeReceiver.start(pki: p.pki)
            try await Self.moveReceiver(p, to: fake.url("/slow"))
            let (envelope, besked) = retCall()
            let first = Task { try await p.post(envelope) }
            try await Task.sleep(for: .milliseconds(300))  // the first is at the receiver now
            async let second = p.post(envelope)
            async let third = p.post(envelope)
            let replies = try await [first.value, second, third]
            let calls = fake.slowCallCount
            await fake.stop()
            #expect(calls == 1, "the receiver was called \(calls) times")
            #expect(replies.allSatisfy { $0.0 == .ok && $0.1.receiptStatus == "Modtaget" })
            let transactions = Set(replies.map { $0.1.element("urn:serviceplatform:jc:kontanthjaelp:2", "TransaktionsID") })
            #expect(transactions.count == 1)
            #expect(try await p.audit(beskedID: besked).count == 3)
        }
    }

    @Test("the same BeskedID with other content is SP-4001, and nothing more reaches the jobcenter")
    func sameBeskedIDOtherContent() async throws {
        try await withRunningPlatform { p async throws in
            let besked = UUID().uuidString.lowercased()
            let (first, _) = retCall(beskedID: besked)
            #expect(try await p.post(first).1.receiptStatus == "Modtaget")
            let (other, _) = retCall(beskedID: besked) { $0.replacingOccurrences(of: "<kh:Status>Afgjort<", with: "<kh:Status>IGang<") }
            let reply = try await p.post(other)
            #expect(reply.1.faultCode == "SP-4001")
            #expect(try p.jobcenterReceived(beskedID: besked) == 1)
        }
    }
}
