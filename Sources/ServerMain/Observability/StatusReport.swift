import Foundation
import Hummingbird
import ServicePlatform

/// `/status.json`: the service's state, its 30-day uptime, its median response time over the
/// last hour and each receiver's state, all computed from the probe rounds and the audit log
/// by `StatusRules` when asked.
struct StatusReport: Codable, Sendable {
    struct Uptime: Codable, Sendable {
        let percent: Double?
        let rounds: Int
        let availableRounds: Int
        let since: Date?
    }

    struct ResponseTime: Codable, Sendable {
        let medianMs: Double?
        let calls: Int
    }

    struct Municipality: Codable, Sendable {
        let code: String
        let name: String
    }

    struct ReceiverStatus: Codable, Sendable {
        let systemId: String
        let name: String
        let endpointUrl: String
        let municipalities: [Municipality]
        let state: ReceiverAvailability
        let lastProbe: Date?
        let probeMs: Double?
        let detail: String?
        let responseTimeLastHour: ResponseTime
    }

    let service: String
    let state: ServiceAvailability
    let reasons: [String]
    let generatedAt: Date
    let uptimeLast30Days: Uptime
    let responseTimeLastHour: ResponseTime
    let lastProbe: Date?
    let probeIntervalSeconds: Double
    let rules: [String]
    let receivers: [ReceiverStatus]
}

/// Assembles a `StatusReport` from the registry, the store and the prober.
struct StatusReporter: Sendable {
    let service: String
    let registry: Registry
    let store: any ObservabilityStore
    let municipalities: MunicipalityDirectory
    let rules: StatusRules
    let prober: ReceiverProber

    static let ruleTexts = [
        "A receiver is up when its latest probe (TLS connection and HTTPS GET with the platform's client certificate) got any HTTP answer; down on a refused connection, a failed handshake or no answer in time; unknown until its current endpoint has been probed.",
        "Ikke tilgaengelig: no receiver registered, every receiver down, or each of the last 5 calls within 15 minutes ended in SP-3002 or SP-5000.",
        "Delvist tilgaengelig: some, but not all, receivers down.",
        "Fuldt tilgaengelig: otherwise.",
        "Uptime: the share of probe rounds in the last 30 days whose state was not Ikke tilgaengelig.",
        "Response time: the median latency of the calls of the last hour that ended in a receipt (Modtaget or Afvist).",
    ]

    func report(now: Date = Date()) async throws -> StatusReport {
        var receivers: [String: Receiver] = [:]
        for receiver in registry.snapshot.receiversByCode.values { receivers[receiver.systemID] = receiver }
        let round = try await store.latestProbeRound()
        let latestBySystem = Dictionary((round?.results ?? []).map { ($0.receiverSystem, $0) }, uniquingKeysWith: { a, _ in a })
        let hourAgo = now.addingTimeInterval(-StatusRules.responseTimeWindow)
        var statuses: [StatusReport.ReceiverStatus] = []
        for receiver in receivers.values.sorted(by: { $0.systemID < $1.systemID }) {
            let probe = latestBySystem[receiver.systemID].flatMap { $0.endpointURL == receiver.endpoint ? $0 : nil }
            let state: ReceiverAvailability = probe.map { $0.up ? .up : .down } ?? .unknown
            let latency = try await store.callLatency(since: hourAgo, outcomes: StatusRules.receiptOutcomes, receiverSystem: receiver.systemID)
            statuses.append(.init(
                systemId: receiver.systemID, name: receiver.name, endpointUrl: receiver.endpoint,
                municipalities: receiver.municipalityCodes.sorted().map { .init(code: $0.rawValue, name: municipalities.municipality(code: $0)?.name ?? "") },
                state: state, lastProbe: probe == nil ? nil : round?.time, probeMs: probe?.latencyMicros.map { Double($0) / 1000 },
                detail: probe?.detail, responseTimeLastHour: Self.responseTime(latency)))
        }
        let recent = try await store.recentCallOutcomes(limit: rules.recentCallCount, since: now.addingTimeInterval(-rules.recentCallWindow))
        let verdict = rules.serviceState(receivers: statuses.map(\.state), recentOutcomes: recent)
        let uptime = try await store.uptime(since: now.addingTimeInterval(-StatusRules.uptimeWindow))
        let latency = try await store.callLatency(since: hourAgo, outcomes: StatusRules.receiptOutcomes, receiverSystem: nil)
        let interval = await prober.interval
        return StatusReport(
            service: service, state: verdict.state, reasons: verdict.reasons, generatedAt: now,
            uptimeLast30Days: .init(percent: uptime.percent.map { ($0 * 1000).rounded() / 1000 }, rounds: uptime.rounds,
                                    availableRounds: uptime.availableRounds, since: uptime.oldest),
            responseTimeLastHour: Self.responseTime(latency), lastProbe: round?.time,
            probeIntervalSeconds: interval / .seconds(1), rules: Self.ruleTexts, receivers: statuses)
    }

    static func responseTime(_ summary: LatencySummary) -> StatusReport.ResponseTime {
        .init(medianMs: summary.medianMicros.map { (Double($0) / 10).rounded() / 100 }, calls: summary.calls)
    }
}
