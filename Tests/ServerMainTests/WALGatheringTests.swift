import Foundation
import GRDB
import ServicePlatform
import Testing

/// The durable pool's writer hands its WAL one write per commit (`WALGathering`), and what it
/// wrote is in the file, whole and in order, by the time the commit returns.
@Suite("WAL writes gathered per commit")
struct WALGatheringTests {
    private static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "sp-walgather-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private static let frameBytes = 4_096 + 24

    private static func walBytes(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    /// A durable pool with one table of (id, text) rows; rows of ~1 KB spread over many pages.
    private static func pool(_ path: String) throws -> DatabasePool {
        let pool = try DatabasePool.durable(path: path)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)")
        }
        return pool
    }

    /// Writes the writer's WAL file has been handed so far (-1: not a gathering-VFS WAL).
    private static func writes(_ writer: some DatabaseWriter) -> Int64 {
        writer.writeWithoutTransaction { WALGathering.fileWrites($0) } ?? -1
    }

    /// What a connection of its own reads: rows, rows whose body starts with each prefix, and
    /// SQLite's integrity check.
    private static func census(_ reader: some DatabaseReader, prefixes: [String] = []) throws -> (rows: Int, maxID: Int, prefixed: [Int], integrity: String) {
        try reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM item") ?? -1,
             try Int.fetchOne(db, sql: "SELECT max(id) FROM item") ?? -1,
             try prefixes.map { try Int.fetchOne(db, sql: "SELECT count(*) FROM item WHERE body LIKE ?", arguments: [$0 + "%"]) ?? -1 },
             try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "")
        }
    }

    private static func insert(_ db: Database, _ ids: Range<Int>) throws {
        for id in ids {
            try db.execute(sql: "INSERT INTO item (id, key, body) VALUES (?, ?, ?)",
                           arguments: [id, UUID().uuidString, String(repeating: "x", count: 1_000) + "\(id)"])
        }
    }

    @Test("a commit of many frames reaches the WAL file in one write; a connection that does not gather writes two per frame")
    func oneWritePerCommit() throws {
        let path = try Self.directory() + "/gathered.sqlite"
        let pool = try Self.pool(path)
        let before = Self.writes(pool)
        let walBefore = try Self.walBytes(path)
        try pool.write { db in try Self.insert(db, 0..<20) }
        let after = Self.writes(pool)
        let frames = (try Self.walBytes(path) - walBefore) / Self.frameBytes
        #expect(frames >= 10, "\(frames) frames")
        #expect(after - before == 1, "\(after - before) writes for \(frames) frames")

        // The same commit on a connection left as SQLite writes (synchronous NORMAL): never gathered.
        let plainPath = try Self.directory() + "/plain.sqlite"
        let queue = try DatabaseQueue(path: plainPath)
        let gathered = try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)")
            return WALGathering.gatherCommits(db)
        }
        #expect(gathered == false, "a NORMAL connection must not gather")
        let plainBefore = Self.writes(queue)
        try queue.write { db in try Self.insert(db, 0..<20) }
        let plainAfter = Self.writes(queue)
        #expect(plainAfter - plainBefore >= 2 * Int64(frames) - 2, "\(plainAfter - plainBefore) writes")
    }

    /// Without power-safe overwrite SQLite pads each commit to a sector and writes the last
    /// frame's tail after the sync: bytes other connections may read that a gathering file would
    /// still hold. Such a database is written as SQLite writes it.
    @Test("a database opened without power-safe overwrite (psow=0) is not gathered")
    func noPowersafeOverwrite() throws {
        let path = try Self.directory() + "/platform.sqlite"
        let pool = try DatabasePool.durable(path: "file:" + path + "?psow=0")
        try pool.write { db in try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)") }
        let before = Self.writes(pool)
        try pool.write { db in try Self.insert(db, 0..<20) }
        let gathered = pool.writeWithoutTransaction { WALGathering.gatherCommits($0) }
        #expect(gathered == false)
        #expect(Self.writes(pool) - before > 2, "\(Self.writes(pool) - before) writes: gathered")
        #expect(try Self.census(pool).rows == 20)
    }

    /// Power cut right after the commits: the database and WAL files as they are (no close, no
    /// checkpoint) are copied and opened elsewhere, so SQLite recovers from the WAL's bytes alone.
    /// Gathered bytes still held in memory after a commit returned would be missing there.
    @Test("every commit is in the WAL file when it returns: a copy of the files taken then recovers all of it, intact")
    func committedBytesAreInTheFile() throws {
        let dir = try Self.directory()
        let pool = try Self.pool(dir + "/platform.sqlite")
        // Small and large commits: one frame, a few, past 128 KB (written in pieces), past 4 MB
        // (gathered no more: the rest goes as SQLite writes it).
        var next = 0
        for size in [1, 3, 40, 200, 5_000, 2] {
            try pool.write { db in try Self.insert(db, next..<(next + size)) }
            next += size
        }
        let copy = try Self.directory()
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: dir + "/platform.sqlite" + suffix, toPath: copy + "/platform.sqlite" + suffix)
        }
        let recovered = try Self.census(try DatabaseQueue(path: copy + "/platform.sqlite"))
        #expect(recovered.rows == next)
        #expect(recovered.maxID == next - 1)
        #expect(recovered.integrity == "ok")
        _ = pool
    }

    /// A transaction larger than the page cache writes frames before its commit and, at the
    /// commit, writes some of them again in place and reads others back: writes out of sequence
    /// and reads, each of which must first put the gathered bytes in the file.
    @Test("a transaction that spills its page cache (frames rewritten and read back) commits intact")
    func cacheSpill() throws {
        let path = try Self.directory() + "/platform.sqlite"
        let pool = try Self.pool(path)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = 8") }
        try pool.write { db in
            try Self.insert(db, 0..<600)
            try db.execute(sql: "UPDATE item SET body = 'y' || body WHERE id % 3 = 0")
            try db.execute(sql: "DELETE FROM item WHERE id % 7 = 0")
        }
        try pool.write { db in try db.execute(sql: "UPDATE item SET body = 'z' || body WHERE id % 5 = 0") }
        let expected = (0..<600).filter { $0 % 7 != 0 }
        for reader in [try DatabaseQueue(path: path) as any DatabaseReader, pool] {
            let seen = try Self.census(reader, prefixes: ["y", "zy", "z"])
            #expect(seen.rows == expected.count)
            #expect(seen.prefixed == [expected.filter { $0 % 3 == 0 && $0 % 5 != 0 }.count, expected.filter { $0 % 15 == 0 }.count,
                                      expected.filter { $0 % 5 == 0 }.count])
            #expect(seen.integrity == "ok")
        }
    }

    @Test("the platform store's audit writer gathers: a commit of five calls is one write to its WAL")
    func storeWriterGathers() throws {
        let path = try Self.directory() + "/platform.sqlite"
        let store = try SQLiteStore(path: path)
        let before = try store.auditWALFileWrites() ?? -1
        #expect(before >= 0, "the audit writer's WAL does not gather")
        let records = (0..<5).map { n in
            AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo", beskedID: "besked-\(n)",
                        outcome: "Modtaget")
        }
        try store.appendAudit(records, receipts: [])
        let after = try store.auditWALFileWrites() ?? -1
        #expect(after - before == 1, "\(after - before) writes for one commit")
    }
}
