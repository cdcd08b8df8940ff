import Foundation
import Logging
import ServicePlatform

/// Counts the service's calls from the audit log: every call, accepted or refused, has exactly
/// one audit record (written durably before the answer leaves), so reading the records written
/// since the last look counts each call once, by operation and outcome, with its latency,
/// without touching the pipeline. It catches up on every `/metrics` scrape and probe round.
actor AuditMetricsFeed {
    private let store: any ObservabilityStore
    private let metrics: PlatformMetrics
    private let logger: Logger
    private var cursor: Int64
    private let batch = 5_000

    /// Starts after `sequence`: the counters count the calls of this process's lifetime.
    init(store: any ObservabilityStore, metrics: PlatformMetrics, startingAfter sequence: Int64, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        cursor = sequence
    }

    func catchUp() async {
        do {
            while true {
                let records = try await store.auditRecords(after: cursor, limit: batch)
                // Another catch-up may have run while this one awaited the store (actor
                // reentrancy): count only what is still past the cursor, so nothing counts twice.
                for record in records {
                    guard let sequence = record.sequence, sequence > cursor else { continue }
                    metrics.call(record)
                    cursor = sequence
                }
                if records.count < batch { return }
            }
        } catch {
            logger.warning("metrics: the audit log could not be read")
        }
    }
}
