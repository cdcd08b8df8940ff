import Foundation
import NIOConcurrencyHelpers

/// Writes audit records durably with group commit, on a thread of its own. The writer takes
/// every record waiting when its last commit ends and commits them in one transaction (one
/// fsync), so callers arriving during a commit share the next one. Every caller returns only
/// once its own record is on disk.
///
/// Why a thread and not an actor: each commit used to travel actor → GRDB's queue → actor, a
/// thread hop each way, and on two busy cores every hop waits for the scheduler. The writer now
/// commits, answers and takes the next batch without leaving its thread (GRDB runs a synchronous
/// write on the caller's thread); it sleeps only when nothing waits. At concurrency 32 that is
/// +7 % calls/s and −3 % router CPU per call (3 interleaved pairs).
package final class AuditLog: Sendable {
    /// Sees each batch once it is durable, before its callers return (the platform's call
    /// metrics): every record exactly once, never read back from the database.
    package typealias Committed = @Sendable (AuditCommit) -> Void

    private let writer: Writer

    package init(store: any PlatformStore, committed: Committed? = nil) {
        writer = Writer(store: store, committed: committed)
        // Named from inside: a new thread starts with its creator's name (an event loop's).
        Thread { [writer] in
            Thread.current.name = "audit-writer"
            writer.run()
        }.start()
    }

    /// No call can be waiting here (each holds the log), so the writer has nothing left: it stops.
    deinit { writer.stop() }

    /// Returns when `record` (and `receipt`, kept for replay) is committed; throws if the write failed.
    package func record(_ record: AuditRecord, receipt: StoredReceipt? = nil) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writer.enqueue(Writer.Entry(record: record, receipt: receipt, handedOver: .now, continuation: continuation))
        }
    }

    /// Records waiting for the next commit: a queue depth to watch, and how tests see a group form.
    package var waiting: Int { writer.waiting }
}

/// The writer thread's side: a queue under a condition lock, and the commit loop.
private final class Writer: @unchecked Sendable {
    struct Entry {
        let record: AuditRecord
        let receipt: StoredReceipt?
        let handedOver: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let store: any PlatformStore
    private let committed: AuditLog.Committed?
    /// True while there is work for the writer: records waiting, or the stop.
    private let work = ConditionLock(value: false)
    // Guarded by `work`.
    private var pending: [Entry] = []
    private var stopping = false

    init(store: any PlatformStore, committed: AuditLog.Committed?) {
        self.store = store
        self.committed = committed
    }

    func enqueue(_ entry: Entry) {
        work.lock()
        pending.append(entry)
        work.unlock(withValue: true)
    }

    func stop() {
        work.lock()
        stopping = true
        work.unlock(withValue: true)
    }

    var waiting: Int {
        work.lock()
        defer { work.unlock() }
        return pending.count
    }

    func run() {
        var batch: [Entry] = []
        while true {
            work.lock(whenValue: true)
            swap(&batch, &pending)
            let stop = stopping && batch.isEmpty
            work.unlock(withValue: stopping)
            if stop { return }
            commit(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func commit(_ batch: [Entry]) {
        let records = batch.map(\.record)
        let started = ContinuousClock.now
        do {
            try store.appendAudit(records, receipts: batch.compactMap(\.receipt))
        } catch {
            for entry in batch { entry.continuation.resume(throwing: error) }
            return
        }
        if let committed {
            let durable = ContinuousClock.now
            committed(AuditCommit(records: records, duration: durable - started, waits: batch.map { durable - $0.handedOver }))
        }
        for entry in batch { entry.continuation.resume() }
    }
}
