import GRDBSQLite

/// Binds and runs a prepared SQLite statement directly. The audit and idempotency writes run
/// once per call; GRDB's `StatementArguments` boxes every value and hashes the SQL text to find
/// its cached statement, which showed in the profile. Used inside a GRDB write (on GRDB's
/// writer connection) or on a connection of our own.
struct SQLiteBinding {
    let statement: OpaquePointer

    func bind(_ index: Int32, _ value: String?) {
        if let value {
            // withCString lends the string's own NUL-terminated storage; passing the String
            // directly made Swift build a `utf8CString` array copy for every bound value.
            _ = value.withCString { sqlite3_bind_text(statement, index, $0, -1, sqliteTransient) }
        } else {
            sqlite3_bind_null(statement, index)
        }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(statement, index, value) }

    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(statement, index, value) }

    /// Steps a statement that returns no rows, then resets it for the next use.
    func run(on db: OpaquePointer) throws(SQLiteCallError) {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else { throw SQLiteCallError(code: code, message: String(cString: sqlite3_errmsg(db))) }
    }
}

/// Opens a connection of our own (not GRDB's) to the database at `path` with `flags`; `purpose`
/// finishes the error message ("the database could not be opened for …").
func openSQLiteConnection(path: String, flags: Int32, purpose: String) throws(SQLiteCallError) -> OpaquePointer {
    var handle: OpaquePointer?
    let opened = sqlite3_open_v2(path, &handle, flags, nil)
    guard opened == SQLITE_OK, let handle else {
        if let handle { sqlite3_close_v2(handle) }
        throw SQLiteCallError(code: opened, message: "the database could not be opened for \(purpose)")
    }
    return handle
}

/// SQLite copies the bound text (SQLITE_TRANSIENT, a macro Swift does not import).
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A SQLite error from a statement run without GRDB; callers answer it with SP-5000.
struct SQLiteCallError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    var description: String { "SQLite error \(code): \(message)" }
}
