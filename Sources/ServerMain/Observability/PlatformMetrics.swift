import CoreMetrics
import Foundation
import Metrics
import Prometheus
import ServicePlatform
import Synchronization

/// The platform's metrics through swift-metrics, kept in this platform's own
/// `PrometheusCollectorRegistry` and rendered at `/metrics` in the Prometheus text format.
/// The factory is passed explicitly, never bootstrapped globally, so any number of platforms
/// (tests) live in one process. Labels are bounded: operation, outcome (a receipt status or
/// fault code), receiver system id, listener, HTTP status — never a CPR number or BeskedID.
final class PlatformMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Requests being handled right now, per listener (`service`, `admin`): the open-connection
    /// view of load (calls themselves are counted as the audit log commits them; see `call(_:)`).
    private let inFlight: [String: Meter]
    private let requestCounters = MetricHandles<RequestCounterKey, CoreMetrics.Counter>()
    private let callCounters = MetricHandles<OutcomeKey, CoreMetrics.Counter>()
    private let callTimers = MetricHandles<String, CoreMetrics.Timer>()
    private let routedTimers = MetricHandles<String, CoreMetrics.Timer>()
    /// The SQLite store's WAL checkpoint counts as counters (nil for a store without them).
    private let walCounters: WALCounters?
    private let auditCommitTimer: CoreMetrics.Timer
    private let auditWaitTimer: CoreMetrics.Timer
    private let auditCommitRecords: Recorder

    /// `walCounts` gives the store's WAL checkpoint counts (`SQLiteStore.checkpointer.counts`): a
    /// checkpoint the writer ran itself (before each restart, or when the background fell behind)
    /// is a commit that also waited for a copy, so the counts tell a checkpoint's stall from the disk's.
    init(walCounts: (@Sendable () -> WALCheckpointer.Counts)? = nil) {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { Duration.milliseconds($0) }
        // The audit's share of a call is a fraction of a millisecond on a good disk: finer buckets.
        let auditBuckets = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000].map { Duration.microseconds($0) }
        factory.durationHistogramBuckets = [Self.auditCommitLabel: auditBuckets, Self.auditWaitLabel: auditBuckets]
        factory.valueHistogramBuckets = [Self.auditRecordsLabel: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]]
        self.factory = factory
        auditCommitTimer = Timer(label: Self.auditCommitLabel, dimensions: [], factory: factory)
        auditWaitTimer = Timer(label: Self.auditWaitLabel, dimensions: [], factory: factory)
        auditCommitRecords = Recorder(label: Self.auditRecordsLabel, dimensions: [], aggregate: true, factory: factory)
        walCounters = walCounts.map { WALCounters(counts: $0, factory: factory) }
        inFlight = Dictionary(uniqueKeysWithValues: ["service", "admin"].map {
            ($0, Meter(label: "serviceplatform_http_requests_in_flight", dimensions: [("listener", $0)], factory: factory))
        })
    }

    private static let auditCommitLabel = "serviceplatform_audit_commit_duration_seconds"
    private static let auditWaitLabel = "serviceplatform_audit_wait_duration_seconds"
    private static let auditRecordsLabel = "serviceplatform_audit_commit_records"

    /// One durable group commit: its calls, its time on disk, the records it carried, and each
    /// caller's wait for it. The wait is what durable audit adds to a call, apart from the rest of
    /// its latency, so a slow disk shows as such.
    func auditCommit(_ commit: AuditCommit) {
        auditCommitTimer.record(duration: commit.duration)
        auditCommitRecords.record(commit.records.count)
        for wait in commit.waits { auditWaitTimer.record(duration: wait) }
        for record in commit.records { call(record) }
    }

    /// One finished call, as its audit record tells it (called once the record is durable).
    private func call(_ record: AuditRecord) {
        let factory = factory
        let operation = Self.label(record.operation, fallback: "unknown")
        let outcome = Self.label(record.outcome, fallback: "other")
        callCounters.handle(OutcomeKey(operation: operation, outcome: outcome)) {
            Counter(label: "serviceplatform_calls_total", dimensions: [("operation", operation), ("outcome", outcome)], factory: factory)
        }.increment()
        callTimers.handle(operation) {
            Timer(label: "serviceplatform_call_duration_seconds", dimensions: [("operation", operation)], factory: factory)
        }.recordMicroseconds(record.latencyMicros)
        if let receiver = record.receiverSystem {
            let label = Self.label(receiver, fallback: "other")
            routedTimers.handle(label) {
                Timer(label: "serviceplatform_routed_call_duration_seconds", dimensions: [("receiver", label)], factory: factory)
            }.recordMicroseconds(record.latencyMicros)
        }
    }

    /// One probe of a receiver: its round trip (TLS connect + GET) and whether it answered.
    func probe(_ result: ProbeResult) {
        let receiver = Self.label(result.receiverSystem, fallback: "other")
        Gauge(label: "serviceplatform_receiver_up", dimensions: [("receiver", receiver)], factory: factory).record(result.up ? 1 : 0)
        if result.up, let micros = result.latencyMicros {
            Timer(label: "serviceplatform_receiver_probe_duration_seconds", dimensions: [("receiver", receiver)], factory: factory)
                .recordMicroseconds(micros)
        }
    }

    /// 2 = Fuldt, 1 = Delvist, 0 = Ikke tilgaengelig.
    func serviceState(_ state: ServiceAvailability) {
        let value: Int = switch state {
        case .full: 2
        case .partial: 1
        case .unavailable: 0
        }
        Gauge(label: "serviceplatform_service_availability", dimensions: [], factory: factory).record(value)
    }

    func requestStarted(listener: String) { inFlight[listener]?.increment() }

    func requestFinished(listener: String, status: Int) {
        inFlight[listener]?.decrement()
        let factory = factory
        requestCounters.handle(RequestCounterKey(listener: listener, status: status)) {
            CoreMetrics.Counter(label: "serviceplatform_http_requests_total", dimensions: [("listener", listener), ("status", String(status))],
                                factory: factory)
        }.increment()
    }

    /// Prometheus counters that follow the checkpointer's own counts: read at each rendering,
    /// they go up by what the counts gained since the last one.
    private final class WALCounters: Sendable {
        private let counts: @Sendable () -> WALCheckpointer.Counts
        private let rendered = Mutex(WALCheckpointer.Counts(restarts: 0, writerCheckpoints: 0, backgroundSyncs: 0))
        private let restarts: CoreMetrics.Counter
        private let writerCheckpoints: CoreMetrics.Counter
        private let backgroundSyncs: CoreMetrics.Counter

        init(counts: @escaping @Sendable () -> WALCheckpointer.Counts, factory: PrometheusMetricsFactory) {
            self.counts = counts
            restarts = Counter(label: "serviceplatform_wal_restarts_total", dimensions: [], factory: factory)
            writerCheckpoints = Counter(label: "serviceplatform_wal_writer_checkpoints_total", dimensions: [], factory: factory)
            backgroundSyncs = Counter(label: "serviceplatform_wal_background_syncs_total", dimensions: [], factory: factory)
        }

        func update() {
            let new = counts()
            rendered.withLock { old in
                if new.restarts > old.restarts { restarts.increment(by: new.restarts - old.restarts) }
                if new.writerCheckpoints > old.writerCheckpoints { writerCheckpoints.increment(by: new.writerCheckpoints - old.writerCheckpoints) }
                if new.backgroundSyncs > old.backgroundSyncs { backgroundSyncs.increment(by: new.backgroundSyncs - old.backgroundSyncs) }
                old = new
            }
        }
    }

    private struct RequestCounterKey: Hashable, Sendable {
        let listener: String
        let status: Int
    }

    private struct OutcomeKey: Hashable, Sendable {
        let operation: String
        let outcome: String
    }

    /// The Prometheus text exposition.
    func render() -> String {
        walCounters?.update()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Label values keep to letters, digits, `-`, `_` and `.`, at most 64 of them.
    static func label(_ value: String?, fallback: String) -> String {
        guard let value, !value.isEmpty, value.utf8.count <= 64,
              value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E })
        else { return fallback }
        return value
    }
}
