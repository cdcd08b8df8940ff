import CoreMetrics
import Foundation
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
    /// view of load (calls themselves are counted from the audit log; see `AuditMetricsFeed`).
    private let inFlight: [String: Meter]
    private let requestCounters = Mutex<[RequestCounterKey: CoreMetrics.Counter]>([:])

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { Duration.milliseconds($0) }
        self.factory = factory
        inFlight = Dictionary(uniqueKeysWithValues: ["service", "admin"].map {
            ($0, Meter(label: "serviceplatform_http_requests_in_flight", dimensions: [("listener", $0)], factory: factory))
        })
    }

    /// One finished call, as its audit record tells it.
    func call(_ record: AuditRecord) {
        let operation = Self.label(record.operation, fallback: "unknown")
        let outcome = Self.label(record.outcome, fallback: "other")
        Counter(label: "serviceplatform_calls_total", dimensions: [("operation", operation), ("outcome", outcome)], factory: factory).increment()
        Timer(label: "serviceplatform_call_duration_seconds", dimensions: [("operation", operation)], factory: factory)
            .recordMicroseconds(record.latencyMicros)
        if let receiver = record.receiverSystem {
            Timer(label: "serviceplatform_routed_call_duration_seconds", dimensions: [("receiver", Self.label(receiver, fallback: "other"))], factory: factory)
                .recordMicroseconds(record.latencyMicros)
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
        let key = RequestCounterKey(listener: listener, status: status)
        let counter = requestCounters.withLock { counters in
            if let known = counters[key] { return known }
            // Looked up in the registry once per listener and status, not on every request.
            let made = CoreMetrics.Counter(label: "serviceplatform_http_requests_total", dimensions: [("listener", listener), ("status", String(status))],
                               factory: factory)
            counters[key] = made
            return made
        }
        counter.increment()
    }

    private struct RequestCounterKey: Hashable, Sendable {
        let listener: String
        let status: Int
    }

    /// The Prometheus text exposition.
    func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Label values keep to letters, digits, `-`, `_` and `.`, at most 64 of them.
    static func label(_ value: String?, fallback: String) -> String {
        guard let value, !value.isEmpty, value.count <= 64,
              value.unicodeScalars.allSatisfy({ ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0) })
        else { return fallback }
        return value
    }
}
