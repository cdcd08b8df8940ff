import Foundation
import PostgresNIO

extension PostgresStore: ObservabilityStore {
    /// Bounded like every store operation, so `/health/ready` says no while the database is
    /// away instead of hanging.
    package func ping() async throws {
        try await bounded { [self] in
            for try await _ in try await client.query("SELECT 1", logger: logger) {}
        }
    }

    /// Every instance probes; a round another instance recorded at the same microsecond stays.
    package func recordProbeRound(_ round: ProbeRound) async throws {
        let time = round.time.unixMicros
        try await transaction { connection, logger in
            let inserted = try await connection.query("""
                INSERT INTO status_probe_round (time_us, service_state, receivers, receivers_up)
                VALUES (\(time), \(round.state.code), \(round.results.count), \(round.results.filter(\.up).count))
                ON CONFLICT DO NOTHING RETURNING time_us
                """, logger: logger)
            var fresh = false
            for try await _ in inserted { fresh = true }
            guard fresh else { return }
            for r in round.results {
                try await connection.query("""
                    INSERT INTO status_probe (round_time_us, receiver_system, endpoint_url, up, latency_us, detail)
                    VALUES (\(time), \(r.receiverSystem), \(r.endpointURL), \(r.up), \(r.latencyMicros.map(Int64.init)), \(r.detail))
                    """, logger: logger)
            }
        }
    }

    package func latestProbeRound() async throws -> ProbeRound? {
        try await bounded { [self] in
            var latest: (time: Int64, state: String)?
            for try await row in try await client.query(
                "SELECT time_us, service_state FROM status_probe_round ORDER BY time_us DESC LIMIT 1", logger: logger) {
                latest = try row.decode((Int64, String).self)
            }
            guard let latest else { return nil }
            var results: [ProbeResult] = []
            for try await row in try await client.query("""
                SELECT receiver_system, endpoint_url, up, latency_us, detail FROM status_probe WHERE round_time_us = \(latest.time)
                ORDER BY receiver_system
                """, logger: logger) {
                let (system, url, up, latency, detail) = try row.decode((String, String, Bool, Int64?, String?).self)
                results.append(ProbeResult(receiverSystem: system, endpointURL: url, up: up, latencyMicros: latency.map(Int.init), detail: detail))
            }
            return ProbeRound(time: Date(unixMicros: latest.time), results: results, state: ServiceAvailability(code: latest.state) ?? .unavailable)
        }
    }

    package func uptime(since: Date) async throws -> UptimeSummary {
        try await bounded { [self] in
            for try await row in try await client.query("""
                SELECT count(*), count(*) FILTER (WHERE service_state <> 'unavailable'), min(time_us)
                FROM status_probe_round WHERE time_us >= \(since.unixMicros)
                """, logger: logger) {
                let (rounds, available, oldest) = try row.decode((Int, Int, Int64?).self)
                return UptimeSummary(rounds: rounds, availableRounds: available, oldest: oldest.map { Date(unixMicros: $0) })
            }
            return UptimeSummary(rounds: 0, availableRounds: 0, oldest: nil)
        }
    }

    package func pruneProbeRounds(before date: Date) async throws {
        try await bounded { [self] in
            _ = try await client.query("DELETE FROM status_probe_round WHERE time_us < \(date.unixMicros)", logger: logger)
        }
    }

    package func recentCallOutcomes(limit: Int, since: Date) async throws -> [String] {
        try await bounded { [self] in
            var outcomes: [String] = []
            for try await outcome in try await client.query("""
                SELECT outcome FROM audit WHERE time_us >= \(since.unixMicros) ORDER BY time_us DESC, seq DESC LIMIT \(max(0, limit))
                """, logger: logger).decode(String.self) {
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    /// The lower median for an even count, as the SQLite store: a real observed value.
    package func callLatency(since: Date, outcomes: [String], receiverSystem: String?) async throws -> LatencySummary {
        try await bounded { [self] in
            let rows = try await client.query("""
                SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_us) FROM audit
                WHERE time_us >= \(since.unixMicros) AND (cardinality(\(outcomes)) = 0 OR outcome = ANY(\(outcomes)))
                  AND (\(receiverSystem)::text IS NULL OR receiver_system = \(receiverSystem))
                """, logger: logger)
            for try await row in rows {
                let (count, median) = try row.decode((Int, Int64?).self)
                return LatencySummary(calls: count, medianMicros: count == 0 ? nil : median.map(Int.init))
            }
            return LatencySummary(calls: 0, medianMicros: nil)
        }
    }
}
