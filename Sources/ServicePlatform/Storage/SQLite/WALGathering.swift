import CStorageShims
import GRDB

/// The audit writer's WAL written once per commit, instead of once per frame header and once per
/// page (~40 system calls for a commit of five calls). The layer is a VFS over SQLite's unix one,
/// in C (`wal_gathering.c`): it keeps what the connection writes to its WAL until the commit's
/// sync and hands it over in one write. Measured here (`scripts/bench.d/wal_writes.py`), 19
/// frames and their fdatasync cost 132–164 µs of system CPU written SQLite's way and 44–60 µs
/// written at once. In the router
/// (interleaved runs against the binary before): at concurrency 32 the audit writer's share of
/// the router's CPU went from 22.1 % to 20.4 % (four pairs, each the same way); at 1 300 calls/s
/// its CPU per call fell ~4 % and a commit's median time 7–10 %.
package enum WALGathering {
    /// Makes the gathering VFS SQLite's default for connections opened from now on; false if the
    /// default VFS is not SQLite's unix one (then nothing changes).
    @discardableResult
    package static func install() -> Bool { cstorageshims_wal_gathering_install() == 1 }

    /// Gathers `db`'s WAL writes from now on. Only for a connection whose every commit syncs the
    /// WAL (synchronous = FULL, checked here; the connection must keep it), as a commit is then
    /// visible to other connections only after that sync; under NORMAL it would be visible
    /// before its frames reached the file. False, and nothing changed, below FULL, if `db` has
    /// no WAL of the gathering VFS open (opened before `install`, or not in WAL mode), or if its
    /// files are not power-safe to overwrite (`psow=0`: SQLite then pads a commit and writes
    /// the padding's tail after the sync).
    @discardableResult
    package static func gatherCommits(_ db: Database) -> Bool {
        guard let level = try? Int.fetchOne(db, sql: "PRAGMA synchronous"), level >= 2 else { return false }
        return cstorageshims_wal_gather_commits(UnsafeMutableRawPointer(db.sqliteConnection)) == 1
    }

    /// Writes `db`'s WAL file has been handed since it opened; nil without a gathering-VFS WAL.
    package static func fileWrites(_ db: Database) -> Int64? {
        let writes = cstorageshims_wal_file_writes(UnsafeMutableRawPointer(db.sqliteConnection))
        return writes < 0 ? nil : writes
    }
}
