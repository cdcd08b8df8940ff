import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the WAL into the database file off the commit path.
///
/// SQLite's own autocheckpoint runs inside the commit that takes the WAL past 1000 frames, so
/// every call in that commit's group waited for the copy and the database file's fsync: 15–20 ms
/// with a few hundred thousand audit rows, several times a second at 800 calls/s, which set the
/// router's p99. Here PASSIVE checkpoints on a connection of their own copy frames while the
/// writer goes on (they never take the writer's lock). The WAL can only start again from its
/// beginning once every frame is copied, which a background copy never sees while commits keep
/// coming; so once the WAL is long and the background is nearly level, the writer copies the
/// last few frames itself, and its next commit restarts the WAL. That costs one commit group a
/// few milliseconds every `restartAt` frames instead of every 1000. If the background falls far
/// behind, the writer checkpoints from `inlineAt` frames on, as autocheckpoint would.
package final class WALCheckpointer: Sendable {
    /// When checkpoints happen, in WAL frames (one frame is one 4 KB page).
    package struct Thresholds: Sendable {
        /// Frames a commit may add beyond the last copy before a background copy is scheduled
        /// (4096: a page written again meanwhile, as the tables' last leaves are, is copied once).
        package var passiveEvery: Int32
        /// WAL length from which the writer finishes a nearly-level copy, so the WAL restarts
        /// (128 MB: about once every 5 s at 800 calls/s).
        package var restartAt: Int32
        /// The most frames the writer copies itself when it finishes.
        package var catchUpLimit: Int32
        /// WAL length from which the writer checkpoints whatever the background has done.
        package var inlineAt: Int32

        package static let standard = Thresholds()

        package init(passiveEvery: Int32 = 4096, restartAt: Int32 = 32_768, catchUpLimit: Int32 = 512, inlineAt: Int32 = 131_072) {
            self.passiveEvery = passiveEvery
            self.restartAt = restartAt
            self.catchUpLimit = catchUpLimit
            self.inlineAt = inlineAt
        }
    }

    let thresholds: Thresholds
    private let connection: CheckpointConnection
    private let queue = DispatchQueue(label: "serviceplatform.wal-checkpoint", qos: .utility)
    private let scheduled = Atomic<Bool>(false)
    /// Frames known to be in the database file (the last checkpoint's count).
    private let backfilled = Atomic<Int32>(0)
    private let restarts = Atomic<Int>(0)
    private let writerCheckpoints = Atomic<Int>(0)
    private let backgroundSyncs = Atomic<Int>(0)

    /// Opens the checkpoint connection to the (already migrated, WAL-mode) database at `path`.
    init(path: String, thresholds: Thresholds = .standard) throws(SQLiteCallError) {
        self.thresholds = thresholds
        connection = try CheckpointConnection(path: path)
    }

    /// A checkpointer for `pool`'s (migrated) database that has taken its writer's checkpoints
    /// over; `detach(from:)` it before the pool goes.
    ///
    /// The pool must have a busy timeout (`SQLiteTimeouts.busy`): a checkpoint that reads the WAL
    /// index header while a commit rewrites it takes the write lock for a moment to read it again,
    /// and a writer that does not wait fails the commit meeting that moment with SQLITE_BUSY.
    package static func attached(to pool: DatabasePool, thresholds: Thresholds = .standard) throws -> WALCheckpointer {
        if case .immediateError = pool.configuration.busyMode {
            throw SQLiteCallError(code: SQLITE_MISUSE, message: "a pool with WAL checkpoints of its own needs a busy timeout")
        }
        let checkpointer = try WALCheckpointer(path: pool.path, thresholds: thresholds)
        try pool.writeWithoutTransaction { db in
            guard let connection = db.sqliteConnection else { throw SQLiteCallError(code: SQLITE_MISUSE, message: "the connection is closed") }
            checkpointer.install(on: connection)
        }
        return checkpointer
    }

    /// Gives `pool`'s writer SQLite's own checkpoints back, and lets the checkpointer go (the
    /// writer's hook holds it). Returns once no background copy runs: a copy still under way
    /// kept its connection open past the store's end, and a store opened next on the same file
    /// found the database locked.
    package func detach(from pool: DatabasePool) {
        pool.writeWithoutTransaction { db in
            if let connection = db.sqliteConnection { uninstall(from: connection) }
        }
        queue.sync {}
    }

    /// Takes the checkpoints of the writer `db` over (the hook replaces its autocheckpoint). The
    /// hook keeps the checkpointer alive until `uninstall(from:)`.
    private func install(on db: OpaquePointer) {
        sqlite3_wal_hook(db, { context, db, _, frames in
            guard let context, let db else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(db: db, frames: frames)
            return SQLITE_OK
        }, Unmanaged.passRetained(self).toOpaque())
    }

    /// Gives the writer `db` back SQLite's own checkpoints and lets the checkpointer go.
    private func uninstall(from db: OpaquePointer) {
        sqlite3_wal_hook(db, nil, nil)
        sqlite3_wal_autocheckpoint(db, 1000)
        Unmanaged.passUnretained(self).release()
    }

    /// The three counts below at one moment, for `/metrics`.
    package struct Counts: Sendable, Equatable {
        package var restarts: Int
        package var writerCheckpoints: Int
        package var backgroundSyncs: Int

        package init(restarts: Int, writerCheckpoints: Int, backgroundSyncs: Int) {
            self.restarts = restarts
            self.writerCheckpoints = writerCheckpoints
            self.backgroundSyncs = backgroundSyncs
        }
    }

    package var counts: Counts {
        Counts(restarts: restartCount, writerCheckpoints: writerCheckpointCount, backgroundSyncs: backgroundSyncCount)
    }

    /// Times the WAL started again from its beginning (as the commits after it saw).
    package var restartCount: Int { restarts.load(ordering: .relaxed) }

    /// Checkpoints the writer ran itself (catch-ups before a restart, and falling-behind ones).
    package var writerCheckpointCount: Int { writerCheckpoints.load(ordering: .relaxed) }

    /// Times a background copy synced the database file itself.
    package var backgroundSyncCount: Int { backgroundSyncs.load(ordering: .relaxed) }

    /// Runs on the writer's thread after each commit, with the WAL's length in frames.
    private func committed(db: OpaquePointer, frames: Int32) {
        var copied = backfilled.load(ordering: .relaxed)
        if frames < copied {
            copied = 0
            backfilled.store(0, ordering: .relaxed)
            restarts.add(1, ordering: .relaxed)
        }
        let t = thresholds
        if frames >= t.restartAt && frames < t.inlineAt {
            // Long enough to start again. Copies already under way finish first (the writer's
            // would only find the checkpoint lock taken); then the writer copies the rest
            // itself if it is little, else one more background copy goes first.
            if scheduled.load(ordering: .acquiring) { return }
            if frames - copied > t.catchUpLimit {
                scheduleCopy()
                return
            }
        } else if frames < t.inlineAt {
            if frames - copied >= t.passiveEvery { scheduleCopy() }
            return
        }
        var log: Int32 = 0, done: Int32 = 0
        // SQLITE_BUSY if a background copy runs after all: a later commit tries again.
        if sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &done) == SQLITE_OK {
            backfilled.store(done, ordering: .relaxed)
            writerCheckpoints.add(1, ordering: .relaxed)
        }
    }

    private func scheduleCopy() {
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { self.copyInBackground() }
    }

    private func copyInBackground() {
        defer { scheduled.store(false, ordering: .releasing) }
        guard let copied = connection.passiveCheckpoint() else { return }
        // SQLite syncs the database file only after a copy that reaches the WAL's end, which a
        // background copy under load never does: every copied page stayed dirty until the
        // writer's catch-up reached the end, and that fsync, on the commit path, wrote them all.
        // On the demo jobcenter (1.5 M messages) that was an 80–105 ms fsync every restart, ~5 s
        // apart at 1 165 calls/s: the p99 of every row that reaches it (direct: 74 ms). Synced
        // here, the catch-up finds a few pages (direct p99 4.6–5.6 ms, 3 interleaved pairs).
        // The sync writes the copied pages back in slices first (DatabaseFileWriteback), so the
        // audit's commits do not queue behind all of them on the disk.
        let before = backfilled.load(ordering: .relaxed)
        if copied > before, connection.syncDatabaseFile(pagesCopied: Int(copied - before)) { backgroundSyncs.add(1, ordering: .relaxed) }
        backfilled.store(copied, ordering: .relaxed)
    }
}

/// The checkpointer's own read-write connection, used only on its serial queue.
private final class CheckpointConnection: @unchecked Sendable {
    private let db: OpaquePointer
    /// SQLite's descriptor of the database file, found once (the connection keeps the file open
    /// for its life); nil leaves the fsync to do all the writing, as before write-back in slices.
    private let writebackDescriptor: Int32?

    init(path: String) throws(SQLiteCallError) {
        let handle = try openSQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, purpose: "checkpoints")
        // The database file is fsynced after each checkpoint before the WAL may be reused.
        sqlite3_exec(handle, "PRAGMA synchronous = FULL", nil, nil, nil)
        db = handle
        writebackDescriptor = DatabaseFileWriteback.descriptor(of: handle)
    }

    deinit { sqlite3_close_v2(db) }

    /// Copies what it can without waiting for anyone; the frames now in the database file, or
    /// nil if another checkpoint was running.
    func passiveCheckpoint() -> Int32? {
        var log: Int32 = 0, copied: Int32 = 0
        guard sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK else { return nil }
        return copied
    }

    /// fsyncs the database file through SQLite's own handle (closing a second descriptor of
    /// the file would drop the process's POSIX locks on it), after writing the `pagesCopied`
    /// pages back in slices; true when it synced.
    func syncDatabaseFile(pagesCopied: Int) -> Bool {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK,
              let file, let sync = file.pointee.pMethods?.pointee.xSync else { return false }
        if let fd = writebackDescriptor { _ = DatabaseFileWriteback.writeBack(fd, pagesCopied: pagesCopied) }
        return sync(file, SQLITE_SYNC_NORMAL) == SQLITE_OK
    }
}
