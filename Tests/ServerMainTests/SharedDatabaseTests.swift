import Foundation
import HTTPTypes
import PlatformTestSupport
import ServicePlatform
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
