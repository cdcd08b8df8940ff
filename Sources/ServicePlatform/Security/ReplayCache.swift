import Foundation

/// Signature values seen within their validity: a message whose signature value was seen
/// before is a replay. Keyed by the SHA-256 of the decoded SignatureValue, never by message
/// bytes or the token. Instances that share a database must share this too, or a message
/// replayed to another instance would pass: `PostgresStore` is the shared one.
package protocol ReplayGuard: Sendable {
    /// Records `key` until `until`; true when it was already there and not yet expired (a replay).
    /// Throws when it cannot tell, and the caller then refuses the call.
    func isReplay(_ key: String, until: Date, now: Date) async throws -> Bool
}

/// The in-memory `ReplayGuard` of a single instance (the embedded SQLite setup).
package actor ReplayCache: ReplayGuard {
    private var seen: [String: Date] = [:]
    private var lastTidy = Date.distantPast

    package init() {}

    /// Records `key` until `until`; true when it was already there (a replay).
    package func isReplay(_ key: String, until: Date, now: Date = Date()) -> Bool {
        if now.timeIntervalSince(lastTidy) > 60 {
            seen = seen.filter { $0.value > now }
            lastTidy = now
        }
        if let existing = seen[key], existing > now { return true }
        seen[key] = until
        return false
    }
}
