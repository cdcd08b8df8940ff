/// Writes audit records durably with group commit: the first caller to find no write under way
/// becomes the leader and commits every record waiting at that moment in one transaction (one
/// fsync); callers arriving meanwhile wait, and the first of them leads the next commit. No
/// background task, so nothing can be left unflushed, and every caller returns only once its
/// own record is on disk.
package actor AuditLog {
    /// Sees each batch once it is durable, before its callers return (the platform's call
    /// metrics): every record exactly once, never read back from the database.
    package typealias Committed = @Sendable ([AuditRecord]) -> Void

    private enum Wake { case committed, lead }

    private struct Entry {
        let record: AuditRecord
        let receipt: StoredReceipt?
        var continuation: CheckedContinuation<Wake, any Error>?
    }

    private let store: any PlatformStore
    private let committed: Committed?
    private var pending: [Entry] = []
    private var writing = false

    package init(store: any PlatformStore, committed: Committed? = nil) {
        self.store = store
        self.committed = committed
    }

    /// Returns when `record` (and `receipt`, kept for replay) is committed; throws if the write failed.
    package func record(_ record: AuditRecord, receipt: StoredReceipt? = nil) async throws {
        if writing {
            let wake = try await withCheckedThrowingContinuation { pending.append(Entry(record: record, receipt: receipt, continuation: $0)) }
            if wake == .committed { return }
            // Promoted to leader: our own entry is still first in `pending`.
        } else {
            writing = true
            pending.append(Entry(record: record, receipt: receipt, continuation: nil))
        }
        let batch = pending
        pending = []
        var failure: (any Error)?
        let records = batch.map(\.record)
        do { try await store.appendAudit(records, receipts: batch.compactMap(\.receipt)) } catch { failure = error }
        if failure == nil, let committed { committed(records) }
        for entry in batch {
            guard let continuation = entry.continuation else { continue }
            if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: .committed) }
        }
        if pending.isEmpty {
            writing = false
        } else if let next = pending[0].continuation {
            pending[0].continuation = nil
            next.resume(returning: .lead)
        }
        if let failure { throw failure }
    }
}
