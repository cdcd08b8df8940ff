/// One durable group commit, as the platform's metrics see it: how long the disk took, and how
/// long each of its callers waited for it (behind the commit before, then this one), which is
/// what durable audit adds to a call's latency.
package struct AuditCommit: Sendable {
    /// The records it made durable, in the order they were handed over.
    package let records: [AuditRecord]
    /// The store's commit alone: the transaction and its fsync.
    package let duration: Duration
    /// For each record, in the same order: from `AuditLog.record` to durable.
    package let waits: [Duration]
}
