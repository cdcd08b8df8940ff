import Foundation
import Logging
import ServicePlatform

/// Metrics, the receiver prober and the status report of one platform, made once in
/// `Platform.build` and served on the admin listener (the prober runs as one of its services).
final class PlatformObservability: Sendable {
    let metrics: PlatformMetrics
    let prober: ReceiverProber
    let status: StatusReporter
    let store: any ObservabilityStore

    init(service: String, metrics: PlatformMetrics, store: any ObservabilityStore, registry: Registry, municipalities: MunicipalityDirectory,
         clientIdentity: PEMPair, probeInterval: Duration = .seconds(30), logger: Logger) throws {
        let rules = StatusRules()
        let prober = try ReceiverProber(registry: registry, store: store, metrics: metrics, rules: rules,
                                        clientCertificatePEM: clientIdentity.certificatePEM, clientKeyPEM: clientIdentity.keyPEM,
                                        interval: probeInterval, logger: logger)
        self.metrics = metrics
        self.prober = prober
        self.store = store
        status = StatusReporter(service: service, registry: registry, store: store, municipalities: municipalities, rules: rules, prober: prober)
    }
}
