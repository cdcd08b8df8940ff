import Foundation
import GRDB
import ServicePlatform
import Testing

/// The v4 migration copies the audit table to drop AUTOINCREMENT (one WAL page less per commit).
/// An audit log that loses, renumbers or alters a row on upgrade is no longer evidence: these
/// tests upgrade a database written by the previous schema and compare it row by row.
@Suite("Audit table rebuild (v4 migration)")
struct AuditRebuildMigrationTests {
    /// A database as the schema before the rebuild left it: a kept receipt, a fault, a row without
    /// a caller, and a gap in the numbers (1, 2, 5) that the copy must keep as it is.
    private static func databaseBeforeRebuild() throws -> String {
        let dir = NSTemporaryDirectory() + "sp-audit-v4-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/platform.sqlite"
        let queue = try DatabaseQueue(path: path)
        try SQLiteMigrations.migrator.migrate(queue, upTo: SQLiteMigrations.beforeAuditRebuild)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO system (id, name, created_at) VALUES ('ky-demo', 'KY demo', '2026-01-01 00:00:00.000');
                INSERT INTO audit (seq, transaction_id, time_us, caller_system, certificate_fingerprint, security_model, municipality_code,
                    municipality_cvr, operation, besked_id, receiver_system, outcome, fault_code, latency_us, cpr_hash, details, receipt_kept)
                VALUES (1, 't-1', 1000, 'ky-demo', 'ab:cd', 'authority-context', '101', '64942212', 'RetBevilling', 'b-1', 'jc', 'Modtaget',
                        NULL, 812, 'hash-1', '{"Fagsystem":"KY"}', 1),
                       (2, 't-2', 2000, 'ky-demo', NULL, NULL, NULL, NULL, NULL, 'b-1', NULL, 'SP-4001', 'SP-4001', 90, NULL, NULL, 0),
                       (5, 't-5', 3000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'SP-1001', 'SP-1001', 40, NULL, NULL, 0);
                INSERT INTO stored_receipt (caller_system, besked_id, content_digest, operation, transaction_id, status, errors_json,
                    receiver_system, received_at) VALUES ('ky-demo', 'b-1', 'digest', 'RetBevilling', 't-1', 'Modtaget', '[]', 'jc', 0);
                UPDATE sqlite_sequence SET seq = 5 WHERE name = 'audit';
                """)
        }
        return path
    }

    private static func auditRows(_ path: String) throws -> [Row] {
        try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq") }
    }

    @Test("every row survives the upgrade unchanged, number and all columns")
    func rowsKept() async throws {
        let path = try Self.databaseBeforeRebuild()
        let before = try Self.auditRows(path)
        _ = try SQLiteStore(path: path)
        let after = try Self.auditRows(path)
        #expect(after == before)
        #expect(after.map { $0["seq"] as Int64 } == [1, 2, 5])
    }

    @Test("the rebuilt table has no AUTOINCREMENT, so a commit no longer writes sqlite_sequence")
    func noAutoincrement() async throws {
        let path = try Self.databaseBeforeRebuild()
        let store = try SQLiteStore(path: path)
        try store.appendAudit([AuditRecord(transactionID: "t-new", time: Date(), callerSystem: "ky-demo", outcome: "Modtaget",
                                           latencyMicros: 5)], receipts: [])
        try await DatabaseQueue(path: path).read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit'") ?? ""
            #expect(!sql.uppercased().contains("AUTOINCREMENT"), "\(sql)")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_sequence WHERE name = 'audit'") == 0)
            // A fresh database goes through the same migrations: same table, same indexes.
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' ORDER BY name")
            #expect(indexes == ["audit_besked_unkept", "audit_caller", "audit_time", "sqlite_autoindex_audit_1"])
        }
    }

    @Test("new rows are numbered above the highest kept one, and the admin search reads old and new")
    func numberingContinues() async throws {
        let path = try Self.databaseBeforeRebuild()
        let store = try SQLiteStore(path: path)
        try store.appendAudit([AuditRecord(transactionID: "t-6", time: Date(), callerSystem: "ky-demo", beskedID: "b-1",
                                           outcome: "SP-4001", faultCode: "SP-4001", latencyMicros: 5)], receipts: [])
        #expect(try Self.auditRows(path).map { $0["seq"] as Int64 } == [1, 2, 5, 6])
        var query = AuditQuery()
        query.beskedID = "b-1"
        // t-1 through its kept receipt, t-2 and t-6 through the BeskedID index, newest first.
        #expect(try await store.audit(query).map(\.transactionID) == ["t-6", "t-2", "t-1"])
        #expect(try await store.auditCount() == 4)
    }

    @Test("a TransaktionsID stays unique after the rebuild (replayed records cannot double an entry)")
    func transactionIDUnique() async throws {
        let path = try Self.databaseBeforeRebuild()
        let store = try SQLiteStore(path: path)
        #expect(throws: (any Error).self) {
            try store.appendAudit([AuditRecord(transactionID: "t-5", time: Date(), outcome: "Modtaget", latencyMicros: 5)], receipts: [])
        }
        #expect(try await store.auditCount() == 3)
    }
}
