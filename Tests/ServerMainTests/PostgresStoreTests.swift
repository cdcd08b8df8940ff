import Foundation
import PostgresNIO
import Testing
@testable import ServicePlatform

/// The PostgreSQL store against a real server (`scripts/test.sh` starts one), each test on a
/// database of its own: what the admin API, the pipeline and the status page ask of a store.
@Suite("PostgreSQL store", .enabled(if: TestDatabase.available))
struct PostgresStoreTests {
    static func freshStore() async throws -> (PostgresStore, String) {
        let url = try await TestDatabase.create()
        return (try await PostgresStore(url: url, logger: TestDatabase.logger), url)
    }

    /// `appendAudit` blocks its thread until the transaction is durable, as the audit log's own
    /// writer thread expects; a test calls it from a thread of its own, never from a task's.
    static func append(_ store: PostgresStore, _ records: [AuditRecord], receipts: [StoredReceipt]) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            Thread {
                do { try store.appendAudit(records, receipts: receipts); done.resume() } catch { done.resume(throwing: error) }
            }.start()
        }
    }

    static func certificate(_ sha: String, system: String) -> CertificateRecord {
        CertificateRecord(sha256: sha, systemID: system, pem: "-----BEGIN CERTIFICATE-----\n…\n", subject: "CN=\(system)",
                          notAfter: Date(timeIntervalSince1970: 1_900_000_000))
    }

    @Test("the registry round trip: systems, certificates, groups, agreements and receivers come back as written; refusals are 404 and 409")
    func registry() async throws {
        let (store, _) = try await Self.freshStore()
        let before = try await store.registryVersion()
        try await store.createSystem(SystemRecord(id: "ky", name: "KY", createdAt: Date(timeIntervalSince1970: 1_800_000_000)),
                                     certificate: Self.certificate("aa", system: "ky"))
        try await store.createSystem(SystemRecord(id: "jc", name: "Jobcenter"), certificate: nil)
        await #expect(throws: StoreError.conflict("system ky exists")) {
            try await store.createSystem(SystemRecord(id: "ky", name: "again"), certificate: nil)
        }
        try await store.addCertificate(Self.certificate("bb", system: "ky"))
        await #expect(throws: StoreError.conflict("the certificate is already registered to system ky")) {
            try await store.addCertificate(Self.certificate("aa", system: "jc"))
        }
        await #expect(throws: StoreError.notFound("no system nobody")) { try await store.addCertificate(Self.certificate("cc", system: "nobody")) }
        try await store.setSystemActive("jc", active: false)
        await #expect(throws: StoreError.notFound("no system nobody")) { try await store.setSystemActive("nobody", active: false) }
        try await store.addVisibilityGroup(systemID: "ky", group: "MONOPOLBRUD")
        try await store.addVisibilityGroup(systemID: "ky", group: "MONOPOLBRUD")
        let agreement = AgreementRecord(id: "ag-1", systemID: "ky", service: "JC/Kontanthjaelp/2", municipalityCVR: "64942212", state: .requested)
        try await store.createAgreement(agreement)
        await #expect(throws: StoreError.notFound("no system nobody")) {
            try await store.createAgreement(AgreementRecord(id: "ag-2", systemID: "nobody", service: "s", municipalityCVR: "1", state: .requested))
        }
        let approved = try await store.setAgreementState(id: "ag-1", state: .approved)
        #expect(approved.state == .approved && approved.systemID == "ky" && approved.municipalityCVR == "64942212")
        await #expect(throws: StoreError.notFound("no agreement ag-9")) { _ = try await store.setAgreementState(id: "ag-9", state: .revoked) }
        try await store.putReceiver(ReceiverRecord(systemID: "jc", endpointURL: "https://a", trustRootPEM: "pem", municipalityCodes: ["101", "147"]))
        await #expect(throws: StoreError.conflict("municipality code 101 already has receiver jc")) {
            try await store.putReceiver(ReceiverRecord(systemID: "ky", endpointURL: "https://b", trustRootPEM: "pem", municipalityCodes: ["101"]))
        }
        // Put again: the endpoint and the codes are replaced, not added to.
        try await store.putReceiver(ReceiverRecord(systemID: "jc", endpointURL: "https://c", trustRootPEM: "pem2", municipalityCodes: ["147", "151"]))

        let contents = try await store.registryContents()
        #expect(Set(contents.systems.map(\.id)) == ["ky", "jc"])
        #expect(contents.systems.first { $0.id == "jc" }?.active == false)
        #expect(contents.systems.first { $0.id == "ky" }?.createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(Set(contents.certificates.map(\.sha256)) == ["aa", "bb"])
        #expect(contents.certificates.first { $0.sha256 == "aa" }?.notAfter == Date(timeIntervalSince1970: 1_900_000_000))
        #expect(contents.visibilityGroups.map(\.group) == ["MONOPOLBRUD"])
        #expect(contents.agreements.map(\.state) == [.approved])
        #expect(contents.receivers == [ReceiverRecord(systemID: "jc", endpointURL: "https://c", trustRootPEM: "pem2", municipalityCodes: ["147", "151"])])
        // Every committed change moved the version other instances follow; a refused one did not.
        let after = try await store.registryVersion()
        #expect(after > before)
        #expect(contents.version == after)  // read in the same transaction as the rows
        await #expect(throws: StoreError.self) { try await store.setSystemActive("nobody", active: true) }
        #expect(try await store.registryVersion() == after)
        // Removals: only the named system's certificate or membership, 404 otherwise.
        try await store.removeCertificate(systemID: "ky", sha256: "bb")
        await #expect(throws: StoreError.notFound("system jc has no certificate aa")) { try await store.removeCertificate(systemID: "jc", sha256: "aa") }
        try await store.removeVisibilityGroup(systemID: "ky", group: "MONOPOLBRUD")
        await #expect(throws: StoreError.self) { try await store.removeVisibilityGroup(systemID: "ky", group: "MONOPOLBRUD") }
        let trimmed = try await store.registryContents()
        #expect(trimmed.certificates.map(\.sha256) == ["aa"] && trimmed.visibilityGroups.isEmpty)
        #expect(try await store.registryVersion() > after)
    }

    @Test("an instance's own admin change leaves its snapshot at the database's registry version, so its follower does not reload it again")
    func ownChangeIsNotReloadedTwice() async throws {
        let (store, _) = try await Self.freshStore()
        try await store.createSystem(SystemRecord(id: "ky", name: "KY"), certificate: nil)
        let registry = try await Registry(store: store)
        #expect(registry.loadedVersion == (try await store.registryVersion()))
        let commands = AdminCommands(store: store, registry: registry, municipalities: try MunicipalityDirectory.shipped(),
                                     services: ["JC/Kontanthjaelp/2"])
        try await commands.setActive(systemID: "ky", active: false)
        #expect(registry.snapshot.systemsByID["ky"]?.active == false)
        let version = try await store.registryVersion()
        #expect(version > 0 && registry.loadedVersion == version)
        // Another instance's change moves the version past the snapshot's: the follower's cue.
        try await store.createSystem(SystemRecord(id: "elsewhere", name: "Other instance"), certificate: nil)
        #expect(try await store.registryVersion() != registry.loadedVersion)
    }

    @Test("receipts and audit records go in together; the first receipt for a (caller, BeskedID) wins and only its record is marked kept")
    func receiptsAndAudit() async throws {
        let (store, _) = try await Self.freshStore()
        let first = StoredReceiptStoreTests.receipt(errors: #"[{"code":"F1","text":"æøå \"citat\""}]"#)
        var duplicate = StoredReceiptStoreTests.receipt(beskedID: first.beskedID)
        duplicate.status = "Afvist"
        try await Self.append(store, [StoredReceiptStoreTests.audit(for: first)], receipts: [first])
        try await Self.append(store, [StoredReceiptStoreTests.audit(for: duplicate)], receipts: [duplicate])

        let read = try #require(try await store.storedReceipt(callerSystem: first.callerSystem, beskedID: first.beskedID))
        #expect(read == first)
        #expect(try await store.storedReceipt(callerSystem: "someone-else", beskedID: first.beskedID) == nil)
        var query = AuditQuery()
        query.beskedID = first.beskedID
        let records = try await store.audit(query)
        #expect(records.map(\.transactionID) == [duplicate.transactionID, first.transactionID])
        #expect(records.last?.details == #"{"a":"æøå \"q\""}"#)
        #expect(records.last?.latencyMicros == 123)
        #expect(records.last?.time == first.receivedAt)
        #expect(try await store.auditCount() == 2)
        // Two calls with one BeskedID in the same batch (a concurrent duplicate): the first is kept.
        let twin = StoredReceiptStoreTests.receipt()
        let other = StoredReceiptStoreTests.receipt(beskedID: twin.beskedID)
        try await Self.append(store, [twin, other].map(StoredReceiptStoreTests.audit(for:)), receipts: [twin, other])
        #expect(try await store.storedReceipt(callerSystem: twin.callerSystem, beskedID: twin.beskedID) == twin)
    }

    @Test("a batch larger than one statement takes (2 500 records, 1 200 receipts) goes in whole, each record marked by its own receipt")
    func largeBatch() async throws {
        let (store, _) = try await Self.freshStore()
        let receipts = (0..<1_200).map { _ in StoredReceiptStoreTests.receipt() }
        let records = receipts.map(StoredReceiptStoreTests.audit(for:))
            + (0..<1_300).map { AuditRecord(transactionID: "fault-\($0)", time: Date(), outcome: "SP-1001") }
        try await Self.append(store, records, receipts: receipts)
        #expect(try await store.auditCount() == 2_500)
        let last = try #require(receipts.last)
        #expect(try await store.storedReceipt(callerSystem: last.callerSystem, beskedID: last.beskedID) == last)
        var query = AuditQuery()
        query.beskedID = last.beskedID
        #expect(try await store.audit(query).map(\.transactionID) == [last.transactionID])
        let kept = try await store.client.query("SELECT count(*) FROM audit WHERE receipt_kept", logger: TestDatabase.logger)
        for try await count in kept.decode(Int.self) { #expect(count == 1_200) }
    }

    @Test("a batch that fails midway (a TransaktionsID already stored) leaves nothing behind, and the next batch goes in")
    func failedBatchRollsBack() async throws {
        let (store, _) = try await Self.freshStore()
        let earlier = StoredReceiptStoreTests.receipt()
        try await Self.append(store, [StoredReceiptStoreTests.audit(for: earlier)], receipts: [earlier])
        let kept = StoredReceiptStoreTests.receipt()
        let clash = AuditRecord(transactionID: earlier.transactionID, time: Date(), outcome: "SP-1001")
        await #expect(throws: (any Error).self) {
            try await Self.append(store, [StoredReceiptStoreTests.audit(for: kept), clash], receipts: [kept])
        }
        #expect(try await store.storedReceipt(callerSystem: kept.callerSystem, beskedID: kept.beskedID) == nil)
        #expect(try await store.auditCount() == 1)
        try await Self.append(store, [StoredReceiptStoreTests.audit(for: kept)], receipts: [kept])
        #expect(try await store.auditCount() == 2)
    }

    @Test("the audit search filters by time, caller, municipality, outcome and BeskedID, newest first, and pages by cursor")
    func auditSearch() async throws {
        let (store, _) = try await Self.freshStore()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let records = (0..<7).map { i in
            AuditRecord(transactionID: "t\(i)", time: start.addingTimeInterval(Double(i)), callerSystem: i % 2 == 0 ? "ky" : "other",
                        municipalityCode: i < 3 ? "101" : "147", beskedID: "b\(i % 3)", outcome: i == 4 ? "SP-2001" : "Modtaget",
                        latencyMicros: 100 * (i + 1))
        }
        try await Self.append(store, records, receipts: [])
        func search(_ edit: (inout AuditQuery) -> Void) async throws -> [String] {
            var query = AuditQuery()
            edit(&query)
            return try await store.audit(query).map(\.transactionID)
        }
        #expect(try await search { _ in } == ["t6", "t5", "t4", "t3", "t2", "t1", "t0"])
        #expect(try await search { $0.systemID = "ky" } == ["t6", "t4", "t2", "t0"])
        #expect(try await search { $0.municipalityCode = "101" } == ["t2", "t1", "t0"])
        #expect(try await search { $0.outcome = "SP-2001" } == ["t4"])
        #expect(try await search { $0.beskedID = "b1" } == ["t4", "t1"])
        #expect(try await search { $0.from = start.addingTimeInterval(2); $0.to = start.addingTimeInterval(4) } == ["t4", "t3", "t2"])
        // Paging: the cursor is the last sequence number seen; a value meant as SQL is only a value.
        let page = try await store.audit({ var q = AuditQuery(); q.limit = 3; return q }())
        #expect(page.map(\.transactionID) == ["t6", "t5", "t4"])
        #expect(try await search { $0.limit = 3; $0.cursor = page.last?.sequence.map(String.init) } == ["t3", "t2", "t1"])
        #expect(try await search { $0.systemID = "ky' OR '1'='1" } == [])
    }

    @Test("a replayed signature is refused by every instance sharing the database, until it expires")
    func replayAcrossInstances() async throws {
        let (first, url) = try await Self.freshStore()
        let second = try await PostgresStore(url: url, logger: TestDatabase.logger)
        let now = Date()
        #expect(try await first.isReplay("sig-1", until: now.addingTimeInterval(300), now: now) == false)
        #expect(try await first.isReplay("sig-1", until: now.addingTimeInterval(300), now: now) == true)
        #expect(try await second.isReplay("sig-1", until: now.addingTimeInterval(300), now: now.addingTimeInterval(10)) == true)
        #expect(try await second.isReplay("sig-2", until: now.addingTimeInterval(300), now: now) == false)
        // Past its validity the key may be seen again (the message itself is then refused as stale).
        #expect(try await second.isReplay("sig-1", until: now.addingTimeInterval(900), now: now.addingTimeInterval(301)) == false)
        #expect(try await first.isReplay("sig-1", until: now.addingTimeInterval(900), now: now.addingTimeInterval(302)) == true)
    }

    @Test("message claims: a live claim is held against other instances; an expired one or the holder's own stale one is taken over; the audit record releases only its own call's claim")
    func messageClaims() async throws {
        let (store, url) = try await Self.freshStore()
        let other = try await PostgresStore(url: url, logger: TestDatabase.logger)
        let long = Duration.seconds(30)
        func claim(_ store: PostgresStore, _ besked: String, _ instance: String, _ id: String,
                   lifetime: Duration = .seconds(30)) async throws -> MessageClaimAttempt {
            try await store.claim(callerSystem: "ky-demo", beskedID: besked, instance: instance, claimID: id, lifetime: lifetime)
        }
        let first = StoredReceiptStoreTests.receipt()
        let besked = first.beskedID
        #expect(try await claim(store, besked, "a", "t1") == MessageClaimAttempt(claimed: true, stored: nil))
        #expect(try await claim(other, besked, "b", "t2") == MessageClaimAttempt(claimed: false, stored: nil))
        // Another caller's BeskedID is another pair.
        #expect(try await other.claim(callerSystem: "someone-else", beskedID: besked, instance: "b", claimID: "t3", lifetime: long).claimed)
        // Instance a's own claim, while a holds its in-process lease, is stale: taken over.
        #expect(try await claim(store, besked, "a", "t4").claimed)
        // A record of the claim's previous id does not release it; the record of its call does,
        // with the receipt, which the next claimant reads.
        try await Self.append(store, [AuditRecord(transactionID: "t1", time: Date(), callerSystem: "ky-demo", beskedID: besked, outcome: "SP-5000")],
                              receipts: [])
        #expect(try await claim(other, besked, "b", "t5").claimed == false)
        var kept = first
        kept.transactionID = "t4"
        try await Self.append(store, [StoredReceiptStoreTests.audit(for: kept)], receipts: [kept])
        #expect(try await claim(other, besked, "b", "t6") == MessageClaimAttempt(claimed: true, stored: kept))

        // A claim left by a crashed instance blocks only until it expires.
        let orphan = UUID().uuidString.lowercased()
        #expect(try await claim(store, orphan, "crashed", "t7", lifetime: .milliseconds(300)).claimed)
        #expect(try await claim(other, orphan, "b", "t8").claimed == false)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await claim(other, orphan, "b", "t9").claimed)
        // The crashed call's record, written late, leaves the new holder's claim alone.
        try await Self.append(store, [AuditRecord(transactionID: "t7", time: Date(), callerSystem: "ky-demo", beskedID: orphan, outcome: "SP-3002")],
                              receipts: [])
        #expect(try await claim(store, orphan, "a", "t10").claimed == false)
        // Released claims are gone from the table (the in-flight ones remain).
        let left = try await store.client.query("SELECT count(*) FROM message_claim", logger: TestDatabase.logger)
        for try await count in left.decode(Int.self) { #expect(count == 3) }
    }

    @Test("several instances starting on one empty database at once: one migrates, the others find it done")
    func concurrentMigration() async throws {
        let url = try await TestDatabase.create()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore(url: url, logger: TestDatabase.logger) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        try await stores[0].createSystem(SystemRecord(id: "ky", name: "KY"), certificate: nil)
        #expect(try await stores[3].registryContents().systems.map(\.id) == ["ky"])
    }

    @Test("probe rounds, uptime, recent outcomes and the median latency, as the status page reads them")
    func observability() async throws {
        let (store, _) = try await Self.freshStore()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.recordProbeRound(ProbeRound(time: t0, results: [], state: .unavailable))
        let results = [ProbeResult(receiverSystem: "jc-b", endpointURL: "https://b", up: false, latencyMicros: nil, detail: "refused"),
                       ProbeResult(receiverSystem: "jc-a", endpointURL: "https://a", up: true, latencyMicros: 1_500, detail: nil)]
        try await store.recordProbeRound(ProbeRound(time: t0.addingTimeInterval(30), results: results, state: .partial))
        // Another instance's round at the same moment is kept once.
        try await store.recordProbeRound(ProbeRound(time: t0.addingTimeInterval(30), results: [], state: .full))
        let latest = try #require(try await store.latestProbeRound())
        #expect(latest.time == t0.addingTimeInterval(30))
        #expect(latest.state == .partial)
        #expect(latest.results.map(\.receiverSystem) == ["jc-a", "jc-b"])
        #expect(latest.results.first?.latencyMicros == 1_500)
        #expect(try await store.uptime(since: t0) == UptimeSummary(rounds: 2, availableRounds: 1, oldest: t0))
        try await store.pruneProbeRounds(before: t0.addingTimeInterval(1))
        #expect(try await store.uptime(since: t0) == UptimeSummary(rounds: 1, availableRounds: 1, oldest: t0.addingTimeInterval(30)))

        let calls = [(300, "Modtaget", "jc-a"), (100, "Modtaget", "jc-a"), (400, "SP-3002", "jc-b"), (200, "Modtaget", "jc-b")]
        try await Self.append(store, calls.enumerated().map { i, call in
            AuditRecord(transactionID: "t\(i)", time: t0.addingTimeInterval(Double(i)), receiverSystem: call.2, outcome: call.1, latencyMicros: call.0)
        }, receipts: [])
        #expect(try await store.recentCallOutcomes(limit: 2, since: t0) == ["Modtaget", "SP-3002"])
        // The lower median of an even count is an observed value: 100, 200, 300, 400 → 200.
        #expect(try await store.callLatency(since: t0, outcomes: [], receiverSystem: nil) == LatencySummary(calls: 4, medianMicros: 200))
        #expect(try await store.callLatency(since: t0, outcomes: ["Modtaget"], receiverSystem: nil) == LatencySummary(calls: 3, medianMicros: 200))
        #expect(try await store.callLatency(since: t0, outcomes: ["Modtaget"], receiverSystem: "jc-a") == LatencySummary(calls: 2, medianMicros: 100))
        #expect(try await store.callLatency(since: t0.addingTimeInterval(10), outcomes: [], receiverSystem: nil) == LatencySummary(calls: 0, medianMicros: nil))
        try await store.ping()
    }

    @Test("the database going away: store operations fail within their deadline instead of waiting for it; back again, the store recovers by itself",
          .timeLimit(.minutes(2)))
    func databaseAway() async throws {
        let (store, url) = try await Self.freshStore()
        try await TestDatabase.lockOut(url)
        let started = ContinuousClock.now
        // All four at once: each must fail on its own deadline (5 s) or sooner, none may wait on.
        let operations: [@Sendable () async throws -> Void] = [
            { _ = try await store.storedReceipt(callerSystem: "ky", beskedID: "b") },
            { try await Self.append(store, [AuditRecord(transactionID: "t", time: Date(), outcome: "Modtaget")], receipts: []) },
            { _ = try await store.isReplay("sig", until: Date(), now: Date()) },
            { try await store.ping() },
        ]
        let failed = await withTaskGroup(of: Bool.self) { group in
            for operation in operations {
                group.addTask {
                    do { try await operation(); return false } catch { return true }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failed == operations.count)
        #expect(ContinuousClock.now - started < .seconds(15))
        // Back again: the store recovers by itself; of the two batches only the later one is there
        // (a batch in flight at its deadline: `lateBatchRollsBack`).
        try await TestDatabase.letIn(url)
        var recovered = false
        for _ in 0..<30 where !recovered {
            recovered = (try? await Self.append(store, [AuditRecord(transactionID: "after", time: Date(), outcome: "Modtaget")], receipts: [])) != nil
            if !recovered { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(recovered)
        try await Task.sleep(for: .seconds(2))
        var query = AuditQuery()
        query.limit = 10
        #expect(try await store.audit(query).map(\.transactionID) == ["after"])
    }

    @Test("a batch still waiting on a lock when its deadline passes is rolled back, not committed late once the lock goes",
          .timeLimit(.minutes(1)))
    func lateBatchRollsBack() async throws {
        let (store, url) = try await Self.freshStore()
        let receipt = StoredReceiptStoreTests.receipt()
        let logger = TestDatabase.logger
        let blocker = PostgresClient(configuration: try PostgresURL(url).configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await blocker.run() }
            try await blocker.withConnection { connection in
                // Another transaction inserts the same key and holds it: the batch's insert waits for it.
                try await connection.query("BEGIN", logger: logger)
                try await connection.query("""
                    INSERT INTO stored_receipt (caller_system, besked_id, content_digest, operation, transaction_id, status, errors_json,
                        receiver_system, received_at)
                    VALUES (\(receipt.callerSystem), \(receipt.beskedID), 'x', 'x', 'other', 'x', '[]', 'x', now())
                    """, logger: logger)
                await #expect(throws: PostgresUnavailable.self) {
                    try await Self.append(store, [StoredReceiptStoreTests.audit(for: receipt)], receipts: [receipt])
                }
                // The lock goes: the waiting insert now succeeds, and only the deadline's
                // cancellation stands between it and a commit.
                try await connection.query("ROLLBACK", logger: logger)
            }
            group.cancelAll()
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await store.auditCount() == 0)
        #expect(try await store.storedReceipt(callerSystem: receipt.callerSystem, beskedID: receipt.beskedID) == nil)
    }

    @Test("a database URL names scheme, user, host and database; TLS is required off the loopback unless sslmode=disable")
    func databaseURL() throws {
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL("mysql://u@h/db") }
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL("postgres://h/db") }
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL("postgres://u@h") }
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL("postgres://u@h/db?sslmode=allow") }
        let remote = try PostgresURL("postgresql://sp:secret@db.example:6543/platform")
        #expect(remote == PostgresURL(host: "db.example", port: 6543, user: "sp", password: "secret", database: "platform", requiresTLS: true))
        #expect(try PostgresURL("postgres://sp@db.example/platform?sslmode=disable").requiresTLS == false)
        #expect(try PostgresURL("postgres://sp@127.0.0.1/platform").requiresTLS == false)
        #expect(try PostgresURL("postgres://sp@127.0.0.1/platform?sslmode=require").requiresTLS == true)
        #expect(try PostgresURL("postgres://sp@db.example/platform").port == 5432)
    }
}
