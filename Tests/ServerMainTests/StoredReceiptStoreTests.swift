import Foundation
import GRDB
import ServicePlatform
import Testing

/// The idempotency store as the pipeline uses it: receipts written with the audit batch (raw
/// statements on GRDB's writer) and looked up on the store's own read connections.
@Suite("Stored receipts (idempotency store)")
struct StoredReceiptStoreTests {
    static func freshStore() async throws -> (SQLiteStore, String) {
        let dir = NSTemporaryDirectory() + "sp-receipts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/platform.sqlite"
        let store = try SQLiteStore(path: path)
        // Callers are registered systems; the audit's BeskedID search finds kept receipts by them.
        try await store.createSystem(SystemRecord(id: "ky-demo", name: "KY demo"), certificate: nil)
        return (store, path)
    }

    static func receipt(caller: String = "ky-demo", beskedID: String = UUID().uuidString.lowercased(),
                                errors: String = "[]") -> StoredReceipt {
        StoredReceipt(callerSystem: caller, beskedID: beskedID, contentDigest: String(repeating: "ab", count: 32),
                      operation: "RetBevilling", transactionID: UUID().uuidString.lowercased(), status: "Modtaget",
                      errorsJSON: errors, receiverSystem: "jobcenter-101", receivedAt: Date(timeIntervalSince1970: 1_795_000_000.123456))
    }

    static func audit(for receipt: StoredReceipt) -> AuditRecord {
        AuditRecord(transactionID: receipt.transactionID, time: receipt.receivedAt, callerSystem: receipt.callerSystem,
                    beskedID: receipt.beskedID, outcome: "Modtaget", latencyMicros: 123, details: #"{"a":"æøå \"q\""}"#)
    }

    @Test("a receipt written with its audit record is read back field for field")
    func roundTrip() async throws {
        let (store, _) = try await Self.freshStore()
        let kept = Self.receipt(errors: #"[{"code":"F1","text":"æøå \"citat\""}]"#)
        try store.appendAudit([Self.audit(for: kept)], receipts: [kept])
        let read = try #require(try await store.storedReceipt(callerSystem: kept.callerSystem, beskedID: kept.beskedID))
        #expect(read.contentDigest == kept.contentDigest)
        #expect(read.operation == kept.operation)
        #expect(read.transactionID == kept.transactionID)
        #expect(read.status == kept.status)
        #expect(read.errorsJSON == kept.errorsJSON)
        #expect(read.receiverSystem == kept.receiverSystem)
        #expect(abs(read.receivedAt.timeIntervalSince1970 - kept.receivedAt.timeIntervalSince1970) < 0.000_01)
        // The audit record went in with it, text and all.
        var query = AuditQuery()
        query.beskedID = kept.beskedID
        let records = try await store.audit(query)
        #expect(records.count == 1)
        #expect(records.first?.details == #"{"a":"æøå \"q\""}"#)
        #expect(records.first?.latencyMicros == 123)
    }

    @Test("a batch that fails midway (a TransaktionsID already stored) leaves nothing: not its receipt, not its other records; the next batch goes in")
    func failedBatchRollsBack() async throws {
        let (store, _) = try await Self.freshStore()
        let earlier = Self.receipt()
        try store.appendAudit([Self.audit(for: earlier)], receipts: [earlier])
        let kept = Self.receipt()
        // The batch's second record repeats the earlier TransaktionsID (unique): its insert fails after
        // the receipt and the first record went in.
        #expect(throws: (any Error).self) {
            try store.appendAudit([Self.audit(for: kept), Self.audit(for: earlier)], receipts: [kept])
        }
        #expect(try await store.storedReceipt(callerSystem: kept.callerSystem, beskedID: kept.beskedID) == nil)
        #expect(try await store.auditCount() == 1)
        // The connection is not left inside the failed transaction.
        let next = Self.receipt()
        try store.appendAudit([Self.audit(for: next)], receipts: [next])
        #expect(try await store.storedReceipt(callerSystem: next.callerSystem, beskedID: next.beskedID)?.transactionID == next.transactionID)
        #expect(try await store.auditCount() == 2)
    }

    @Test("the first receipt under a (caller, BeskedID) wins; a duplicate in a later batch is ignored")
    func firstWins() async throws {
        let (store, _) = try await Self.freshStore()
        let first = Self.receipt()
        var second = first
        second.transactionID = UUID().uuidString.lowercased()
        second.status = "Afvist"
        try store.appendAudit([Self.audit(for: first)], receipts: [first])
        try store.appendAudit([Self.audit(for: second)], receipts: [second])
        let read = try await store.storedReceipt(callerSystem: first.callerSystem, beskedID: first.beskedID)
        #expect(read?.transactionID == first.transactionID)
        #expect(read?.status == "Modtaget")
    }

    @Test("cross-caller receipt disclosure: another caller's BeskedID is not found")
    func otherCallerNotFound() async throws {
        let (store, _) = try await Self.freshStore()
        let kept = Self.receipt(caller: "ky-demo")
        try store.appendAudit([Self.audit(for: kept)], receipts: [kept])
        #expect(try await store.storedReceipt(callerSystem: "other-system", beskedID: kept.beskedID) == nil)
        #expect(try await store.storedReceipt(callerSystem: "ky-demo", beskedID: UUID().uuidString) == nil)
    }

    @Test("SQL injection through the BeskedID: bound as text, finds nothing", arguments: [
        "' OR '1'='1", "x'; DELETE FROM stored_receipt; --", "%", "\u{0}", String(repeating: "a", count: 10_000),
    ])
    func injection(_ beskedID: String) async throws {
        let (store, _) = try await Self.freshStore()
        let kept = Self.receipt()
        try store.appendAudit([Self.audit(for: kept)], receipts: [kept])
        #expect(try await store.storedReceipt(callerSystem: kept.callerSystem, beskedID: beskedID) == nil)
        #expect(try await store.storedReceipt(callerSystem: kept.callerSystem, beskedID: kept.beskedID) != nil)
    }

    @Test("a row stored with GRDB's date text (before the Unix-timestamp change) is still read")
    func olderDateText() async throws {
        let (_, path) = try await Self.freshStore()
        let when = Date(timeIntervalSince1970: 1_700_000_000.25)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO stored_receipt (caller_system, besked_id, content_digest, operation, transaction_id, status,
                    errors_json, receiver_system, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: ["ky-demo", "old-1", "d", "SletBevilling", "t", "Modtaget", "[]", "jobcenter-101", when])
            #expect(try String.fetchOne(db, sql: "SELECT typeof(received_at) FROM stored_receipt") == "text")
        }
        // Written by another connection, as rows from an older version are: the store opened
        // next learns their keys when it starts.
        let reopened = try SQLiteStore(path: path)
        let read = try #require(try await reopened.storedReceipt(callerSystem: "ky-demo", beskedID: "old-1"))
        #expect(read.operation == "SletBevilling")
        #expect(abs(read.receivedAt.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.001)
    }

    @Test("many concurrent look-ups, more than there are read connections, each get their own answer")
    func concurrentLookups() async throws {
        let (store, _) = try await Self.freshStore()
        let kept = (0..<50).map { _ in Self.receipt() }
        try store.appendAudit(kept.map(Self.audit(for:)), receipts: kept)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<400 {
                let expected = kept[round % kept.count]
                let present = round % 3 != 0
                group.addTask {
                    let read = try await store.storedReceipt(callerSystem: expected.callerSystem,
                                                             beskedID: present ? expected.beskedID : UUID().uuidString)
                    return present ? read?.transactionID == expected.transactionID : read == nil
                }
            }
            for try await correct in group { #expect(correct) }
        }
    }
}

/// Durability of the audit: GRDB's pool sets its writer to `synchronous = NORMAL` when it
/// turns WAL on, which syncs only at checkpoints.
@Suite("Durable SQLite writers")
struct DurableWriterTests {
    @Test("lost audit records after a power cut: the audit writer fsyncs every commit (synchronous = FULL)")
    func auditWriterIsFull() async throws {
        let (store, path) = try await StoredReceiptStoreTests.freshStore()
        #expect(try store.auditWriterSynchronousLevel() == 2)
        // Also when the store opens an existing database.
        #expect(try SQLiteStore(path: path).auditWriterSynchronousLevel() == 2)
    }
}
