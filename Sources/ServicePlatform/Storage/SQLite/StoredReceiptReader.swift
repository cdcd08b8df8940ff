import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The idempotency look-up, for the calls whose key `StoredReceiptKeyFilter` may hold (a repeat,
/// or one of its rare false positives), on its own read-only SQLite connections with one
/// prepared statement each. Through GRDB's pool the look-up cost ~120 µs of router CPU
/// per call under load (reader hand-off, a transaction per read, argument boxing); here it is a
/// bind, a step and a reset. In WAL mode these readers never wait for the audit writer.
final class StoredReceiptReader: Sendable {
    private let connections: [Connection]
    private let next = Atomic<Int>(0)

    /// Opens `count` connections to the (already migrated) database at `path`.
    init(path: String, count: Int = 4) throws {
        var connections: [Connection] = []
        for _ in 0..<max(1, count) { connections.append(try Connection(path: path)) }
        self.connections = connections
    }

    /// The receipt stored under (caller, BeskedID), if any.
    func storedReceipt(callerSystem: String, beskedID: String) throws -> StoredReceipt? {
        // Any free connection; a call finding all busy waits for one, chosen round-robin.
        for connection in connections {
            if case .done(let answer) = try connection.lookupIfFree(callerSystem: callerSystem, beskedID: beskedID) { return answer }
        }
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue % connections.count
        return try connections[index].lookup(callerSystem: callerSystem, beskedID: beskedID)
    }

    enum Attempt {
        case busy
        case done(StoredReceipt?)
    }

    /// One read-only connection and its prepared statement, used under its own lock.
    final class Connection: @unchecked Sendable {
        private let lock = Mutex<Void>(())
        private let db: OpaquePointer
        private let statement: OpaquePointer

        init(path: String) throws {
            let handle = try openSQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, purpose: "reading")
            sqlite3_busy_timeout(handle, SQLiteTimeouts.busyMilliseconds)
            var prepared: OpaquePointer?
            let sql = "SELECT content_digest, operation, transaction_id, status, errors_json, receiver_system, received_at "
                + "FROM stored_receipt WHERE caller_system = ?1 AND besked_id = ?2"
            let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard status == SQLITE_OK, let prepared else {
                let message = String(cString: sqlite3_errmsg(handle))
                sqlite3_close_v2(handle)
                throw SQLiteCallError(code: status, message: message)
            }
            db = handle
            statement = prepared
        }

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(db)
        }

        func lookupIfFree(callerSystem: String, beskedID: String) throws(SQLiteCallError) -> Attempt {
            let answer = try lock.withLockIfAvailable { _ throws(SQLiteCallError) in try self.step(callerSystem: callerSystem, beskedID: beskedID) }
            guard let answer else { return .busy }
            return .done(answer)
        }

        func lookup(callerSystem: String, beskedID: String) throws(SQLiteCallError) -> StoredReceipt? {
            try lock.withLock { _ throws(SQLiteCallError) in try self.step(callerSystem: callerSystem, beskedID: beskedID) }
        }

        private func step(callerSystem: String, beskedID: String) throws(SQLiteCallError) -> StoredReceipt? {
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            let binding = SQLiteBinding(statement: statement)
            binding.bind(1, callerSystem)
            binding.bind(2, beskedID)
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return nil }
            guard code == SQLITE_ROW else {
                throw SQLiteCallError(code: code, message: String(cString: sqlite3_errmsg(db)))
            }
            return StoredReceipt(callerSystem: callerSystem, beskedID: beskedID, contentDigest: text(0), operation: text(1),
                                 transactionID: text(2), status: text(3), errorsJSON: text(4), receiverSystem: text(5),
                                 receivedAt: date(6))
        }

        private func text(_ column: Int32) -> String {
            guard let bytes = sqlite3_column_text(statement, column) else { return "" }
            let count = Int(sqlite3_column_bytes(statement, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }

        /// Receipts are stored with a Unix timestamp; older rows hold GRDB's date text.
        private func date(_ column: Int32) -> Date {
            let type = sqlite3_column_type(statement, column)
            if type == SQLITE_FLOAT || type == SQLITE_INTEGER {
                return Date(timeIntervalSince1970: sqlite3_column_double(statement, column))
            }
            return Date.fromDatabaseValue(text(column).databaseValue) ?? Date(timeIntervalSince1970: 0)
        }
    }
}
