import Foundation
import Logging
import ServicePlatform

/// Metrics, the receiver prober and the status report of one platform, made once in
/// `Platform.build` and served on the admin listener (the prober runs as one of its services).
final class PlatformObservability: Sendable {
    let metrics: PlatformMetrics
    let feed: AuditMetricsFeed
    let prober: ReceiverProber
    let status: StatusReporter
    let store: any ObservabilityStore

    init(service: String, store: any ObservabilityStore, registry: Registry, municipalities: MunicipalityDirectory, pki: ExttestPKI,
         probeInterval: Duration = .seconds(30), logger: Logger) async throws {
        let metrics = PlatformMetrics()
        let rules = StatusRules()
        let feed = AuditMetricsFeed(store: store, metrics: metrics, startingAfter: try await store.latestAuditSequence(), logger: logger)
        let prober = try ReceiverProber(registry: registry, store: store, metrics: metrics, feed: feed, rules: rules,
                                        clientCertificatePEM: pki.platformClient.certificatePEM, clientKeyPEM: pki.platformClient.keyPEM,
                                        interval: probeInterval, logger: logger)
        self.metrics = metrics
        self.feed = feed
        self.prober = prober
        self.store = store
        status = StatusReporter(service: service, registry: registry, store: store, municipalities: municipalities, rules: rules, prober: prober)
    }
}
