import Foundation
import HTTPTypes
import PlatformTestSupport
@testable import ServicePlatform
import Testing
@testable import ServerMain

/// Two router instances on one PostgreSQL database, as behind a load balancer: what one
/// instance learned must hold on the other (stored receipts, seen signatures, admin changes).
@Suite("Several instances on one PostgreSQL database", .enabled(if: TestDatabase.available))
struct SharedDatabaseTests {
    static func withTwoInstances(_ body: (RunningPlatform, RunningPlatform) async throws -> Void) async throws {
        let url = try await TestDatabase.create()
        // One after the other: the second finds the demo data the first wrote.
        let first = try await RunningPlatform.start(databaseURL: url)
        let second: RunningPlatform
        do { second = try await RunningPlatform.start(databaseURL: url) } catch {
            await first.stop()
            throw error
        }
        do {
            try await body(first, second)
        } catch {
            await second.stop()
            await first.stop()
            throw error
        }
        await second.stop()
        await first.stop()
    }

    /// Behind a load balancer both instances are one address: callers sign `wsa:To` for it.
    static func behindOneAddress(_ p: RunningPlatform) -> HTTPFields {
        var headers = SOAPHeaders.soap11()
        headers.append(HTTPField(name: HTTPField.Name("Host")!, value: "127.0.0.1:\(p.ports["service"]!)"))
        return headers
    }

    @Test("a retry sent to the other instance gets the stored receipt, and the jobcenter is called once")
    func retryOnOtherInstance() async throws {
        try await Self.withTwoInstances { a, b in
            let (envelope, besked) = retCall()
            let (status, first) = try await b.post(envelope)
            #expect(status == .ok, "\(first.text.prefix(300))")
            #expect(first.receiptStatus == "Modtaget")
            let (retryStatus, retry) = try await a.post(envelope)
            #expect(retryStatus == .ok)
            let kh = "urn:serviceplatform:jc:kontanthjaelp:2"
            #expect(retry.element(kh, "TransaktionsID") == first.element(kh, "TransaktionsID"))
            #expect(try a.jobcenterReceived(beskedID: besked) + b.jobcenterReceived(beskedID: besked) == 1)
            // Both calls are in the one audit, whichever instance answered.
            #expect(try await a.audit(beskedID: besked).count == 2)
            // The same BeskedID with other content is refused on the other instance too.
            let (reused, _) = retCall(beskedID: besked)
            try await expectRefused(a, try await a.post(reused), code: "SP-4001", beskedID: nil)
        }
    }

    @Test("a SAML message replayed to the other instance is refused (SP-2001) and not forwarded; a fresh one passes there")
    func samlReplayOnOtherInstance() async throws {
        try await Self.withTwoInstances { a, b in
            let (tokenStatus, assertion) = try await a.token()
            #expect(tokenStatus == 200)
            let besked = UUID().uuidString.lowercased()
            let message = try a.signedCall(beskedID: besked, assertion: assertion)
            let headers = Self.behindOneAddress(a)
            #expect(try await a.post(message, headers: headers, as: .none).1.receiptStatus == "Modtaget")
            let replay = try await b.post(message, headers: headers, as: .none)
            #expect(replay.1.faultCode == "SP-2001", "\(replay.1.text.prefix(300))")
            #expect(replay.1.text.contains("replay"))
            #expect(try a.jobcenterReceived(beskedID: besked) + b.jobcenterReceived(beskedID: besked) == 1)
            // Control: the same token in a newly signed message is accepted by the other instance.
            let fresh = try a.signedCall(assertion: assertion)
            #expect(try await b.post(fresh, headers: headers, as: .none).1.receiptStatus == "Modtaget")
        }
    }

    @Test("a system deactivated through one instance's admin API is refused by the other within seconds, and back again")
    func adminChangeReachesOtherInstance() async throws {
        try await Self.withTwoInstances { a, b in
            let caller = try await a.registerCaller()
            // Registered through a: b follows the registry version and admits the caller.
            #expect(try await Self.eventually { try await b.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget" })
            #expect(try await a.admin(.post, "/admin/api/systems/\(caller.id)/deactivate").0 == 200)
            #expect(try await Self.eventually { try await b.post(retCall().0, as: .certificate(caller.certificate)).1.faultCode == "SP-2002" })
            #expect(try await a.admin(.post, "/admin/api/systems/\(caller.id)/activate").0 == 200)
            #expect(try await Self.eventually { try await b.post(retCall().0, as: .certificate(caller.certificate)).1.receiptStatus == "Modtaget" })
        }
    }

    /// Both instances forward to `url` from their next call: each applies its own admin change at once.
    static func moveReceiver(_ a: RunningPlatform, _ b: RunningPlatform, to url: String) async throws {
        try await RoutingTests.moveReceiver(a, to: url)
        try await RoutingTests.moveReceiver(b, to: url)
    }

    @Test("the same BeskedID sent to the other instance while the first call is still at the jobcenter: the jobcenter is called once, both get the one receipt")
    func repeatOnOtherInstanceWhileInFlight() async throws {
        try await Self.withTwoInstances { a, b in
            let fake = try await FakeReceiver.start(pki: a.pki)
            try await Self.moveReceiver(a, b, to: fake.url("/slow"))
            let (envelope, besked) = retCall()
            let first = Task { try await a.post(envelope) }
            try await Task.sleep(for: .milliseconds(300))  // the first is at the receiver now
            let repeated = try await b.post(envelope)
            let original = try await first.value
            let calls = fake.slowCallCount
            await fake.stop()
            #expect(calls == 1, "the receiver was called \(calls) times")
            #expect(original.0 == .ok && original.1.receiptStatus == "Modtaget", "\(original.1.text.prefix(300))")
            #expect(repeated.0 == .ok && repeated.1.receiptStatus == "Modtaget", "\(repeated.1.text.prefix(300))")
            let kh = "urn:serviceplatform:jc:kontanthjaelp:2"
            #expect(original.1.element(kh, "TransaktionsID") != nil)
            #expect(repeated.1.element(kh, "TransaktionsID") == original.1.element(kh, "TransaktionsID"))
            #expect(try await a.audit(beskedID: besked).count == 2)
            // Every claim went with its call's record, the replay's too: nothing is left to expire.
            let store = try #require(a.platform.store as? PostgresStore)
            for try await left in try await store.client.query("SELECT count(*) FROM message_claim WHERE besked_id = \(besked)",
                                                               logger: TestDatabase.logger).decode(Int.self) {
                #expect(left == 0, "\(left) claims left for the BeskedID")
            }
        }
    }

    @Test("the first call ends in a fault at the jobcenter: a repeat sent to the other instance meanwhile waits for that outcome, then is forwarded itself")
    func repeatOnOtherInstanceAfterFault() async throws {
        try await Self.withTwoInstances { a, b in
            let fake = try await FakeReceiver.start(pki: a.pki)
            try await Self.moveReceiver(a, b, to: fake.url("/flaky"))
            let (envelope, besked) = retCall()
            let first = Task {
                let reply = try await a.post(envelope)
                return (reply, ContinuousClock.now)
            }
            try await Task.sleep(for: .milliseconds(300))  // the first is at the receiver now
            let sent = ContinuousClock.now
            let repeated = try await b.post(envelope)
            let repeatedAt = ContinuousClock.now
            let (original, originalAt) = try await first.value
            let calls = fake.flakyCallCount
            await fake.stop()
            #expect(original.1.faultCode == "SP-3002", "\(original.1.text.prefix(300))")
            #expect(repeated.0 == .ok && repeated.1.receiptStatus == "Modtaget", "\(repeated.1.text.prefix(300))")
            #expect(calls == 2, "the receiver was called \(calls) times")
            #expect(originalAt < repeatedAt, "the repeat was forwarded while the first call was still at the receiver")
            // Released with the first call's record, not left to expire (20 s here).
            #expect(repeatedAt - sent < .seconds(5))
            #expect(try await a.audit(beskedID: besked).count == 2)
        }
    }

    @Test("a claim left by a crashed instance holds its BeskedID back only until it expires; one already expired not at all")
    func crashedInstanceClaim() async throws {
        let p = try await RunningPlatform.start(databaseURL: try await TestDatabase.create())
        do {
            let store = try #require(p.platform.store as? PostgresStore)
            let (expired, expiredBesked) = retCall()
            _ = try await store.claim(callerSystem: "ky-demo", beskedID: expiredBesked, instance: "crashed", claimID: UUID().uuidString,
                                      lifetime: .seconds(-1))
            let (status, reply) = try await p.post(expired)
            #expect(status == .ok && reply.receiptStatus == "Modtaget", "\(reply.text.prefix(300))")
            #expect(try p.jobcenterReceived(beskedID: expiredBesked) == 1)

            let (live, liveBesked) = retCall()
            #expect(try await store.claim(callerSystem: "ky-demo", beskedID: liveBesked, instance: "crashed", claimID: UUID().uuidString,
                                          lifetime: .seconds(1)).claimed)
            let started = ContinuousClock.now
            let (liveStatus, liveReply) = try await p.post(live)
            #expect(liveStatus == .ok && liveReply.receiptStatus == "Modtaget", "\(liveReply.text.prefix(300))")
            #expect(ContinuousClock.now - started > .milliseconds(800), "the call did not wait for the live claim")
            #expect(try p.jobcenterReceived(beskedID: liveBesked) == 1)
            #expect(try await p.audit(beskedID: liveBesked).count == 1)
        } catch {
            await p.stop()
            throw error
        }
        await p.stop()
    }

    /// True once `condition` holds, trying every 200 ms for up to 5 s (the follower polls each second).
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
