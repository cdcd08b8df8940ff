import GRDB

extension DatabasePool {
    /// A pool whose writer fsyncs the WAL at every commit (`synchronous = FULL`), so a record is
    /// on disk before the answer that depends on it leaves. Setting FULL in `prepareDatabase` is
    /// not enough: GRDB's pool sets NORMAL on its writer when it turns WAL on, after that hook,
    /// and NORMAL syncs only at checkpoints (a power cut could lose commits already answered).
    ///
    /// Since every commit syncs the WAL, the writer's WAL gathers each commit's frames into one
    /// write (`WALGathering`); the readers' connections, which never write it, pass through.
    package static func durable(path: String, configuration: Configuration = Configuration()) throws -> DatabasePool {
        WALGathering.install()
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        guard try pool.writerSynchronousLevel() == 2 else {
            throw DatabaseError(message: "synchronous = FULL could not be set at \(path)")
        }
        pool.writeWithoutTransaction { db in WALGathering.gatherCommits(db) }
        return pool
    }

    /// The writer connection's `synchronous` level (2 is FULL), for the tests that hold us to it.
    package func writerSynchronousLevel() throws -> Int {
        try writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
}
