import Foundation

/// One probe of one receiver endpoint.
package struct ProbeResult: Sendable, Equatable, Codable {
    package var receiverSystem: String
    package var endpointURL: String
    package var up: Bool
    package var latencyMicros: Int?
    /// Why it failed (a fixed text, never a response body), or the HTTP status when up.
    package var detail: String?

    package init(receiverSystem: String, endpointURL: String, up: Bool, latencyMicros: Int?, detail: String?) {
        self.receiverSystem = receiverSystem
        self.endpointURL = endpointURL
        self.up = up
        self.latencyMicros = latencyMicros
        self.detail = detail
    }
}

/// Every receiver probed once, and the service state the rules gave at that moment: the unit
/// of the 30-day uptime.
package struct ProbeRound: Sendable, Equatable, Codable {
    package var time: Date
    package var results: [ProbeResult]
    package var state: ServiceAvailability

    package init(time: Date, results: [ProbeResult], state: ServiceAvailability) {
        self.time = time
        self.results = results
        self.state = state
    }
}

/// Rounds within a window: how many, and how many found the service available.
package struct UptimeSummary: Sendable, Equatable {
    package var rounds: Int
    package var availableRounds: Int
    package var oldest: Date?

    package init(rounds: Int, availableRounds: Int, oldest: Date?) {
        self.rounds = rounds
        self.availableRounds = availableRounds
        self.oldest = oldest
    }

    /// Percent, nil without a round.
    package var percent: Double? { rounds == 0 ? nil : Double(availableRounds) * 100 / Double(rounds) }
}

/// Response times of the calls in a window.
package struct LatencySummary: Sendable, Equatable {
    package var calls: Int
    package var medianMicros: Int?

    package init(calls: Int, medianMicros: Int?) {
        self.calls = calls
        self.medianMicros = medianMicros
    }
}

/// What the status page and the metrics read from storage, beside the registry and the
/// audit log's own queries.
package protocol ObservabilityStore: Sendable {
    /// Answers when the database does (a trivial read).
    func ping() async throws
    func recordProbeRound(_ round: ProbeRound) async throws
    func latestProbeRound() async throws -> ProbeRound?
    func uptime(since: Date) async throws -> UptimeSummary
    /// Deletes rounds older than `date`.
    func pruneProbeRounds(before date: Date) async throws
    /// The outcomes of the latest `limit` calls since `since`, newest first.
    func recentCallOutcomes(limit: Int, since: Date) async throws -> [String]
    /// Calls since `since` with one of `outcomes` (and to `receiverSystem`, when given).
    func callLatency(since: Date, outcomes: [String], receiverSystem: String?) async throws -> LatencySummary
}
