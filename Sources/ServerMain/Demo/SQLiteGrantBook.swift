import Foundation
import GRDB
import GrantService
import ServicePlatform

/// The demo jobcenter's own database: the grants it holds and every message it received, so a
/// test can see on the jobcenter's side what the platform delivered (and how often).
final class SQLiteGrantBook: GrantBook {
    let pool: DatabasePool
    /// Checkpoints off the commit path, as the platform's store does: the jobcenter's stalls
    /// were in every benchmark row that reaches it.
    private let checkpointer: WALCheckpointer

    init(path: String) throws {
        // GRDB's pool default, synchronous = NORMAL: synced at checkpoints, not at each commit.
        // The demo jobcenter commits once per call with no group commit; one fsync per call
        // would cap every benchmark row that reaches it (direct, nginx, router) at the disk's
        // fsync rate and hide what the router costs. The platform's own audit is FULL.
        // A busy timeout, as the platform's store has and the checkpointer requires
        // (WALCheckpointer.attached): without one, a commit meeting its moment with the write
        // lock failed its call.
        var configuration = Configuration()
        configuration.busyMode = .timeout(SQLiteTimeouts.busy)
        pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 grants") { db in
            try db.execute(sql: """
                CREATE TABLE grant (
                    bevilling_id TEXT PRIMARY KEY NOT NULL,
                    municipality TEXT NOT NULL,
                    ydelsestype TEXT NOT NULL,
                    status TEXT NOT NULL,
                    fra_dato TEXT NOT NULL,
                    til_dato TEXT,
                    sag_id TEXT,
                    deleted_on TEXT,
                    updated_by_transaction TEXT NOT NULL);
                CREATE TABLE received_message (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    transaction_id TEXT NOT NULL,
                    besked_id TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    received_at DATETIME NOT NULL);
                CREATE INDEX received_message_besked ON received_message(besked_id);
                """)
        }
        try migrator.migrate(pool)
        checkpointer = try WALCheckpointer.attached(to: pool)
    }

    deinit { checkpointer.detach(from: pool) }

    // Both writes run on the calling thread (GRDB's synchronous write: its serial queue runs the
    // block in place when free), with statements compiled once per connection. The demo
    // jobcenter shares the benchmark's two cores with the router; the `await pool.write` it had
    // sent every call to a dispatch thread and back, two wake-ups of an idle core, and compiled
    // both statements again: at 1 800 calls/s in the open loop its writer thread took 41 % of its
    // CPU. A commit here does not wait for the disk (synchronous = NORMAL, checkpoints in the
    // background) except the one that finishes a checkpoint, about once per 128 MB of WAL
    // (WALCheckpointer), so the event loop is held for the commit's CPU only.
    func upsert(_ ret: RetBevilling, transactionID: String) async throws {
        let b = ret.bevilling
        try writeInPlace { db in
            try db.cachedStatement(sql: """
                INSERT INTO grant (bevilling_id, municipality, ydelsestype, status, fra_dato, til_dato, sag_id, deleted_on, updated_by_transaction)
                VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT(bevilling_id) DO UPDATE SET municipality = excluded.municipality, ydelsestype = excluded.ydelsestype,
                    status = excluded.status, fra_dato = excluded.fra_dato, til_dato = excluded.til_dato, sag_id = excluded.sag_id,
                    deleted_on = NULL, updated_by_transaction = excluded.updated_by_transaction
                """).execute(arguments: [b.bevillingID, ret.header.myndighedskode.rawValue, b.ydelsestype.rawValue, b.status.rawValue,
                                         b.fraDato.description, b.tilDato?.description, b.sagID, transactionID])
            try Self.logReceived(db, transactionID: transactionID, beskedID: ret.header.beskedID, operation: "RetBevilling")
        }
    }

    func delete(bevillingID: String, municipality: Myndighedskode, on date: CalendarDate, transactionID: String, beskedID: String) async throws -> Bool {
        try writeInPlace { db in
            try Self.logReceived(db, transactionID: transactionID, beskedID: beskedID, operation: "SletBevilling")
            try db.cachedStatement(sql: """
                UPDATE grant SET deleted_on = ?, updated_by_transaction = ?
                WHERE bevilling_id = ? AND municipality = ? AND deleted_on IS NULL
                """).execute(arguments: [date.description, transactionID, bevillingID, municipality.rawValue])
            return db.changesCount == 1
        }
    }

    /// An error of this book for a log line: SQLite's code and message, never a statement's
    /// arguments (GRDB leaves them out of its descriptions unless told otherwise; this does not
    /// depend on that).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return String(describing: type(of: error)) }
        return "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "")"
    }

    /// A synchronous transaction on the calling thread (an async caller would get GRDB's async
    /// `write`, which hops to the writer's queue).
    private func writeInPlace<T>(_ updates: (Database) throws -> T) throws -> T {
        try pool.write(updates)
    }

    private static func logReceived(_ db: Database, transactionID: String, beskedID: String, operation: String) throws {
        try db.cachedStatement(sql: "INSERT INTO received_message (transaction_id, besked_id, operation, received_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [transactionID, beskedID, operation, Date()])
    }
}
