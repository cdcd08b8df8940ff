import Dispatch
import Foundation
import GRDB
@testable import ServerMain
import ServicePlatform
import Testing

/// Our writers are the only writers of their databases, yet SQLite's write lock can be taken by
/// another connection of the process for a moment: a checkpoint that reads the WAL index header
/// while a commit rewrites it takes the write lock to read it again. Without a busy timeout a
/// commit that met that moment failed at once with SQLITE_BUSY (in the benchmark: one call in
/// ~5 million answered JC-1001 by the demo jobcenter; an audit batch would have failed every call
/// in it). The tests hold the lock for longer than that moment, on a connection of their own, and
/// expect the commit to wait for it.
@Suite("A write lock held for a moment by another connection delays a commit; it does not fail it")
struct SQLiteBusyTimeoutTests {
    private static let held = 0.3

    private static func databasePath(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "sp-busy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    /// Runs `commit` while the database's write lock is held on a connection of its own, taken
    /// first and let go `held` seconds later from a dispatch thread (the commit blocks the test's
    /// own thread, and Swift's cooperative pool has only two on this machine). Returns what the
    /// commit returned, and expects that it met the lock and waited it out.
    private static func whileWriteLockHeld<T>(_ path: String, _ commit: () async throws -> T) async throws -> T {
        let holder = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0), released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                Thread.sleep(forTimeInterval: held)
                try db.execute(sql: "COMMIT")
            }
            released.signal()
        }
        guard locked.wait(timeout: .now() + 5) == .success else { throw LockNotTaken() }
        let started = ContinuousClock.now
        let result = try await commit()
        let waited = ContinuousClock.now - started
        released.wait()
        // It met the lock (else the test shows nothing) and waited it out.
        #expect(waited >= .milliseconds(200), "the commit took \(waited)")
        return result
    }

    private struct LockNotTaken: Error {}

    @Test("the audit's commit waits for the lock, and the record is kept")
    func auditCommitWaits() async throws {
        let path = try Self.databasePath("platform.sqlite")
        let store = try SQLiteStore(path: path)
        try await Self.whileWriteLockHeld(path) {
            try store.appendAudit([AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo",
                                               beskedID: "besked-1", outcome: "Modtaget")], receipts: [])
        }
        #expect(try await store.auditCount() == 1)
    }

    @Test("the demo jobcenter's commit waits for the lock too")
    func grantBookCommitWaits() async throws {
        let path = try Self.databasePath("jobcenter.sqlite")
        let book = try SQLiteGrantBook(path: path)
        let deleted = try await Self.whileWriteLockHeld(path) {
            try await book.delete(bevillingID: "unknown", municipality: Myndighedskode("101")!, on: CalendarDate(year: 2026, month: 12, day: 7)!,
                                  transactionID: UUID().uuidString.lowercased(), beskedID: "besked-1")
        }
        #expect(!deleted)
        let received = try await book.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM received_message") }
        #expect(received == 1)
    }

    @Test("the demo jobcenter's log line of a failed commit has SQLite's code and message, not the statement or its arguments (personal data)")
    func failedCommitLogLine() {
        let error = DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked",
                                  sql: "INSERT INTO grant (bevilling_id, sag_id) VALUES (?, ?)", arguments: ["b-1", "0101701234"])
        let line = SQLiteGrantBook.describe(error)
        #expect(line == "SQLite error 5: database is locked")
        #expect(!line.contains("0101701234") && !line.contains("INSERT"))
        #expect(SQLiteGrantBook.describe(CocoaError(.fileNoSuchFile)) == "CocoaError")
    }
}
