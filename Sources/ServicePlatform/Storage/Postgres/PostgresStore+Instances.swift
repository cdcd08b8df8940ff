import Foundation
import PostgresNIO

/// What instances sharing the database must agree on beyond the rows: which SAML message
/// signatures were seen, and when the registry changed.
extension PostgresStore: ReplayGuard {
    /// Inserts the key, or takes over an expired one; a live key already there is a replay.
    /// Expired keys are removed at most once a minute, by whichever call comes first.
    package func isReplay(_ key: String, until: Date, now: Date) async throws -> Bool {
        try await bounded { [self] in
            let nowMicros = now.unixMicros
            if replayPruning.withLock({ last in
                guard now.timeIntervalSince(last) > 60 else { return false }
                last = now
                return true
            }) {
                try await client.query("DELETE FROM seen_signature WHERE expires_us <= \(nowMicros)", logger: logger)
            }
            let fresh = try await client.query("""
                INSERT INTO seen_signature (key, expires_us) VALUES (\(key), \(until.unixMicros))
                ON CONFLICT (key) DO UPDATE SET expires_us = excluded.expires_us WHERE seen_signature.expires_us <= \(nowMicros)
                RETURNING key
                """, logger: logger)
            for try await _ in fresh { return false }
            return true
        }
    }

    /// Goes up with every committed change to the registry, whichever instance made it.
    package func registryVersion() async throws -> Int64 {
        try await bounded { [self] in
            for try await version in try await client.query("SELECT version FROM registry_version WHERE id = 1", logger: logger).decode(Int64.self) {
                return version
            }
            return 0
        }
    }
}
