import Foundation

/// How long a connection of ours waits for a SQLite lock another connection holds, instead of
/// failing at once with SQLITE_BUSY. In this one-process use the locks are held for moments (a
/// checkpoint re-reading the WAL index, a reader's recovery), so the wait is short when it
/// happens at all; the bound only keeps a stuck lock from holding a call forever.
package enum SQLiteTimeouts {
    package static let busy: TimeInterval = 5
    package static var busyMilliseconds: Int32 { Int32(busy * 1000) }
}
