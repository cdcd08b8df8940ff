import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import ServicePlatform

/// Probes every registered receiver each `interval`: a fresh TLS connection (the platform's
/// client certificate, the receiver's own trust root, as forwarding uses them) and an HTTPS
/// GET of its endpoint. Any HTTP answer means up; a refused connection, a failed handshake or
/// no answer within `timeout` means down. Each round is stored with the service state the
/// rules give at that moment, for the status page and the 30-day uptime.
actor ReceiverProber: Service {
    private let registry: Registry
    private let store: any ObservabilityStore
    private let metrics: PlatformMetrics
    private let rules: StatusRules
    private let logger: Logger
    private let certificateChain: [NIOSSLCertificate]
    private let privateKey: NIOSSLPrivateKey
    private(set) var interval: Duration
    let timeout: Duration
    /// The first round waits this long, so listeners and the demo data are in place (`demo`
    /// also starts one as soon as everything is ready).
    let initialDelay: Duration
    private var nextRound: ContinuousClock.Instant?
    private var lastRoundStart: ContinuousClock.Instant?
    private var configurations: [String: TLSConfiguration] = [:]
    /// Made by `run()` and shut down when it ends: no retried connects (a refused connection is
    /// reported as such at once), no redirects, no pooled keep-alive.
    private var client: HTTPClient?
    /// Probe rounds are kept 31 days.
    static let retention: TimeInterval = 31 * 86_400

    init(registry: Registry, store: any ObservabilityStore, metrics: PlatformMetrics, rules: StatusRules,
         clientCertificatePEM: String, clientKeyPEM: String, interval: Duration = .seconds(30), timeout: Duration = .seconds(5),
         initialDelay: Duration = .seconds(5), logger: Logger) throws {
        self.registry = registry
        self.store = store
        self.metrics = metrics
        self.rules = rules
        self.logger = logger
        certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificatePEM.utf8))
        privateKey = try NIOSSLPrivateKey(bytes: Array(clientKeyPEM.utf8), format: .pem)
        self.interval = interval
        self.timeout = timeout
        self.initialDelay = initialDelay
    }

    /// Changes the interval; the next round is due `interval` after the last one began.
    func setInterval(_ interval: Duration) {
        self.interval = interval
        nextRound = (lastRoundStart ?? .now) + interval
    }

    /// Asks for a round now, without waiting for it (the loop starts it within 100 ms).
    func requestRound() {
        nextRound = .now
    }

    func run() async throws {
        if nextRound == nil { nextRound = ContinuousClock.now + initialDelay }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .milliseconds(Int64(timeout / .milliseconds(1))), read: .milliseconds(Int64(timeout / .milliseconds(1))))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.client = client
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    if let due = await self.nextRound, ContinuousClock.now >= due {
                        _ = await self.probeRound()
                    }
                    // Short naps, so a changed interval takes effect at once.
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        } catch is CancellationError where !Task.isCancelled {
            // Graceful shutdown stopped the rounds: a normal end. Thrown on, it would make the
            // service group cancel every other service, and the service listener's calls in flight.
        } catch {
            self.client = nil
            try? await client.shutdown()
            throw error
        }
        self.client = nil
        try await client.shutdown()
    }

    /// Probes every receiver once (concurrently), records and returns the round.
    @discardableResult
    func probeRound() async -> ProbeRound {
        let started = ContinuousClock.now
        lastRoundStart = started
        nextRound = started + interval
        var receivers: [String: Receiver] = [:]
        for receiver in registry.snapshot.receiversByCode.values { receivers[receiver.systemID] = receiver }
        let targets = receivers.values.sorted { $0.systemID < $1.systemID }
        var prepared: [(Receiver, TLSConfiguration?)] = []
        for receiver in targets { prepared.append((receiver, tlsConfiguration(trustRootPEM: receiver.trustRootPEM))) }
        let timeout = self.timeout
        let client = self.client ?? HTTPClient.shared
        let results = await withTaskGroup(of: ProbeResult.self) { group in
            for (receiver, tls) in prepared {
                group.addTask { await Self.probe(receiver, tls: tls, timeout: timeout, client: client) }
            }
            var all: [ProbeResult] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.receiverSystem < $1.receiverSystem }
        }
        let now = Date()
        let recent = (try? await store.recentCallOutcomes(limit: rules.recentCallCount, since: now.addingTimeInterval(-rules.recentCallWindow))) ?? []
        let verdict = rules.serviceState(receivers: results.map { $0.up ? .up : .down }, recentOutcomes: recent)
        let round = ProbeRound(time: now, results: results, state: verdict.state)
        do {
            try await store.recordProbeRound(round)
            try await store.pruneProbeRounds(before: now.addingTimeInterval(-Self.retention))
        } catch {
            logger.warning("status: a probe round could not be stored")
        }
        for result in results { metrics.probe(result) }
        metrics.serviceState(verdict.state)
        return round
    }

    private func tlsConfiguration(trustRootPEM: String?) -> TLSConfiguration? {
        let key = trustRootPEM ?? ""
        if let cached = configurations[key] { return cached }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = certificateChain.map { .certificate($0) }
        tls.privateKey = .privateKey(privateKey)
        tls.minimumTLSVersion = .tlsv12
        if let trustRootPEM, !trustRootPEM.isEmpty {
            guard let roots = try? NIOSSLCertificate.fromPEMBytes(Array(trustRootPEM.utf8)) else { return nil }
            tls.trustRoots = .certificates(roots)
        }
        configurations[key] = tls
        return tls
    }

    private static func probe(_ receiver: Receiver, tls: TLSConfiguration?, timeout: Duration, client: HTTPClient) async -> ProbeResult {
        func result(_ up: Bool, _ micros: Int?, _ detail: String) -> ProbeResult {
            ProbeResult(receiverSystem: receiver.systemID, endpointURL: receiver.endpoint, up: up, latencyMicros: micros, detail: detail)
        }
        guard receiver.endpoint.lowercased().hasPrefix("https://") else { return result(false, nil, "the endpoint is not HTTPS") }
        guard let tls else { return result(false, nil, "the trust root cannot be read") }
        var request = HTTPClientRequest(url: receiver.endpoint)
        request.method = .GET
        // A fresh connection each time: a probe measures connect + handshake, not a pooled socket.
        request.headers.add(name: "Connection", value: "close")
        request.tlsConfiguration = tls
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, deadline: .now() + .milliseconds(Int64(timeout / .milliseconds(1))))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let elapsed = ContinuousClock.now - started
            let micros = Int(elapsed / .microseconds(1))
            return result(true, micros, "HTTP \(response.status.code)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout {
            return result(false, nil, "no answer within \(timeout)")
        } catch is NIOSSLError {
            return result(false, nil, "the TLS handshake failed")
        } catch {
            // Only a fixed text leaves here; the error's own text is looked at, never passed on.
            let text = String(reflecting: error).lowercased()
            if (error as? IOError)?.errnoCode == ECONNREFUSED || text.contains("refused") || text.contains("unreachable") {
                return result(false, nil, "the connection was refused or the host is unreachable")
            }
            return result(false, nil, "the connection failed")
        }
    }
}
