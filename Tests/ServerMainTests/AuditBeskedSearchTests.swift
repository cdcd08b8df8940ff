import Foundation
import GRDB
import ServicePlatform
import Testing

/// The audit search by BeskedID after its index left out calls whose receipt is kept: every
/// call with the BeskedID must still be found, once, without reading the whole audit table.
@Suite("Audit search by BeskedID")
struct AuditBeskedSearchTests {
    private static func search(_ store: SQLiteStore, _ beskedID: String) async throws -> [AuditRecord] {
        var query = AuditQuery()
        query.beskedID = beskedID
        return try await store.audit(query)
    }

    private static func receiptKept(_ path: String, _ transactionID: String) throws -> Int? {
        try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT receipt_kept FROM audit WHERE transaction_id = ?", arguments: [transactionID])
        }
    }

    @Test("a kept receipt, a duplicate whose receipt lost, a replay and a fault with the BeskedID are all found, newest first")
    func everyCallFound() async throws {
        let (store, path) = try await StoredReceiptStoreTests.freshStore()
        let first = StoredReceiptStoreTests.receipt()
        var duplicate = first
        duplicate.transactionID = UUID().uuidString.lowercased()
        try store.appendAudit([StoredReceiptStoreTests.audit(for: first)], receipts: [first])
        // A concurrent duplicate also got a receipt, but the first one stays stored.
        try store.appendAudit([StoredReceiptStoreTests.audit(for: duplicate)], receipts: [duplicate])
        let replay = AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo",
                                 beskedID: first.beskedID, outcome: "Modtaget", latencyMicros: 5)
        let fault = AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo",
                                beskedID: first.beskedID, outcome: "SP-4001", faultCode: "SP-4001", latencyMicros: 5)
        let other = StoredReceiptStoreTests.receipt()
        try store.appendAudit([replay, fault, StoredReceiptStoreTests.audit(for: other)], receipts: [other])

        let found = try await Self.search(store, first.beskedID).map(\.transactionID)
        #expect(found == [fault.transactionID, replay.transactionID, duplicate.transactionID, first.transactionID])
        #expect(try await Self.search(store, other.beskedID).map(\.transactionID) == [other.transactionID])
        #expect(try await Self.search(store, UUID().uuidString.lowercased()).isEmpty)
        // Only the receipt that went in takes its record out of the index.
        #expect(try Self.receiptKept(path, first.transactionID) == 1)
        #expect(try Self.receiptKept(path, duplicate.transactionID) == 0)
        #expect(try Self.receiptKept(path, replay.transactionID) == 0)
    }

    @Test("a record written before the index changed (receipt kept, but not marked) is found once")
    func olderRecordFoundOnce() async throws {
        let (store, path) = try await StoredReceiptStoreTests.freshStore()
        let kept = StoredReceiptStoreTests.receipt()
        try store.appendAudit([StoredReceiptStoreTests.audit(for: kept)], receipts: [kept])
        // What the migration leaves for a row it found: receipt_kept 0, so in the index and
        // reachable through its receipt too.
        try await DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE audit SET receipt_kept = 0") }
        #expect(try await Self.search(store, kept.beskedID).map(\.transactionID) == [kept.transactionID])
    }

    @Test("the search combines with the other filters (caller, outcome)")
    func combinedFilters() async throws {
        let (store, _) = try await StoredReceiptStoreTests.freshStore()
        let kept = StoredReceiptStoreTests.receipt()
        let fault = AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo",
                                beskedID: kept.beskedID, outcome: "SP-2002", faultCode: "SP-2002", latencyMicros: 5)
        try store.appendAudit([StoredReceiptStoreTests.audit(for: kept), fault], receipts: [kept])
        var query = AuditQuery()
        query.beskedID = kept.beskedID
        query.outcome = "Modtaget"
        #expect(try await store.audit(query).map(\.transactionID) == [kept.transactionID])
        query.outcome = nil
        query.systemID = "another-system"
        #expect(try await store.audit(query).isEmpty)
    }

    @Test("a slow admin search (full scan of the audit table) is not what the plan does")
    func usesIndexes() async throws {
        let (_, path) = try await StoredReceiptStoreTests.freshStore()
        var query = AuditQuery()
        query.beskedID = "b"
        let (sql, arguments) = SQLiteStore.auditSQL(query)
        let plan = try await DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("audit_besked_unkept") }, "\(plan)")
        // Kept receipts by their key, one look-up per registered system.
        #expect(plan.contains { $0.contains("sqlite_autoindex_stored_receipt_1 (caller_system=? AND besked_id=?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN audit") || $0.hasPrefix("SCAN a") || $0.hasPrefix("SCAN stored_receipt") || $0.hasPrefix("SCAN r") }, "\(plan)")
    }
}
