import Foundation
import GRDB
import ServicePlatform
import Testing

/// The WAL is copied into the database file off the commit path, and still starts again from
/// its beginning instead of growing (SQLite's autocheckpoint, which it replaces, ran inside the
/// commit and set the router's p99).
@Suite("WAL checkpoints off the commit path")
struct WALCheckpointerTests {
    private static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "sp-wal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    private static func record(_ n: Int) -> AuditRecord {
        AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo", beskedID: "besked-\(n)",
                    outcome: "Modtaget")
    }

    private static func walBytes(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    /// One commit per record, as at low load: each commit adds a few frames.
    private static func commitOneByOne(_ store: SQLiteStore, count: Int) async throws {
        for n in 0..<count { try store.appendAudit([record(n)], receipts: []) }
    }

    @Test("the WAL restarts instead of growing: background copies, and the writer finishes only a nearly level one")
    func restartsWithBackgroundCopies() async throws {
        let path = try Self.directory() + "/platform.sqlite"
        let thresholds = WALCheckpointer.Thresholds(passiveEvery: 16, restartAt: 256, catchUpLimit: 64, inlineAt: 1_000_000)
        do {
            let store = try SQLiteStore(path: path, checkpoints: thresholds)
            try await Self.commitOneByOne(store, count: 2_000)
            #expect(store.checkpointer.restartCount >= 1)
            #expect(store.checkpointer.writerCheckpointCount >= 1)
            // Background copies sync the database file themselves (through SQLite's handle), so the
            // writer's catch-up does not find every page they copied still to be written.
            #expect(store.checkpointer.backgroundSyncCount >= 1)
            // Without restarts the WAL would hold every frame of 2 000 commits (tens of MB).
            let wal = try Self.walBytes(path)
            #expect(wal < 4 << 20, "WAL of \(wal) bytes")
            #expect(try await store.auditCount() == 2_000)
        }
        // Closed (the writer got its own checkpoints back) and reopened: every record is there.
        let reopened = try SQLiteStore(path: path, checkpoints: thresholds)
        #expect(try await reopened.auditCount() == 2_000)
        try reopened.appendAudit([Self.record(2_000)], receipts: [])
        #expect(try await reopened.auditCount() == 2_001)
    }

    @Test("a checkpointer refuses a pool whose writer would not wait for its moments with the write lock (SQLITE_BUSY)")
    func refusesPoolWithoutBusyTimeout() throws {
        let path = try Self.directory() + "/platform.sqlite"
        let pool = try DatabasePool(path: path)
        #expect(throws: (any Error).self) { _ = try WALCheckpointer.attached(to: pool) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(SQLiteTimeouts.busy)
        let waiting = try DatabasePool(path: try Self.directory() + "/platform.sqlite", configuration: configuration)
        let checkpointer = try WALCheckpointer.attached(to: waiting)
        checkpointer.detach(from: waiting)
    }

    @Test("with no background copy at all (it fell behind), the writer still keeps the WAL bounded")
    func writerBoundsTheWAL() async throws {
        let path = try Self.directory() + "/platform.sqlite"
        let store = try SQLiteStore(path: path, checkpoints: .init(passiveEvery: .max, restartAt: .max, catchUpLimit: 0, inlineAt: 256))
        try await Self.commitOneByOne(store, count: 1_000)
        #expect(store.checkpointer.writerCheckpointCount >= 1)
        #expect(store.checkpointer.restartCount >= 1)
        let wal = try Self.walBytes(path)
        #expect(wal < 4 << 20, "WAL of \(wal) bytes")
        #expect(try await store.auditCount() == 1_000)
    }
}
