import Foundation

/// Idempotency across instances sharing a database: a call claims its (caller, BeskedID)
/// before it may be forwarded. A repeat that finds another instance's live claim polls with a
/// short backoff until the first call's receipt is stored (replayed), or its claim is gone
/// because it ended in a fault or expired (this call takes it over and is forwarded).
package struct CrossInstanceClaim: Sendable {
    /// Covers what a call does besides the forward while it holds its claim: above all the
    /// audit commit that releases it, which may take its full deadline (5 s).
    static let margin = Duration.seconds(10)
    static let firstPause = Duration.milliseconds(20)
    static let longestPause = Duration.milliseconds(200)

    private let claims: any MessageClaims
    /// Names this instance's claims. One found under its own name is stale (a failed audit
    /// write left it), since `MessagesInFlight` lets one call per pair through here at a time.
    private let instance: String
    /// How long a claim lives: a crashed instance's claim blocks its BeskedID no longer.
    let lifetime: Duration

    /// `forwardTimeout` is the receiver's whole deadline: a live first call ends within it.
    package init(claims: any MessageClaims, forwardTimeout: Duration, instance: String = UUID().uuidString.lowercased()) {
        self.claims = claims
        self.instance = instance
        lifetime = forwardTimeout + Self.margin
    }

    /// The stored receipt of a repeat, or nil once this call holds the claim (a first call).
    /// Waits at most one claim's lifetime: past that the claim keeps changing hands, and the
    /// caller is told to retry.
    func settle(caller: String, beskedID: String, claimID: String) async throws(MessageClaimError) -> StoredReceipt? {
        let giveUp = ContinuousClock.now + lifetime
        var pause = Self.firstPause
        while true {
            let attempt: MessageClaimAttempt
            do {
                attempt = try await claims.claim(callerSystem: caller, beskedID: beskedID, instance: instance, claimID: claimID,
                                                 lifetime: lifetime)
            } catch {
                throw .unavailable
            }
            if let stored = attempt.stored { return stored }
            if attempt.claimed { return nil }
            let left = giveUp - ContinuousClock.now
            guard left > .zero else { throw .stillUnderWay }
            do { try await Task.sleep(for: min(pause, left)) } catch { throw .unavailable }
            pause = min(pause * 2, Self.longestPause)
        }
    }
}
