/// A (caller, BeskedID) claimed across instances that share a database, so a repeat sent to
/// another instance while the first call is at the receiver waits for it instead of reaching
/// the receiver again (`MessagesInFlight` covers only one process). The embedded SQLite store
/// is one process and does not conform: its calls never ask.
///
/// A claim ends with its call's audit record: the store removes it in the transaction that
/// writes the record (the claim's id is the call's TransaktionsID). A claim whose call never
/// got that far (a crashed instance, a failed audit write) expires instead.
package protocol MessageClaims: Sendable {
    /// Claims the pair for `claimID` unless another live claim holds it (an expired one, or one
    /// left by an earlier call of the same `instance`, is taken over), then reads its stored
    /// receipt: in that order, so a first call that finished just before is seen.
    func claim(callerSystem: String, beskedID: String, instance: String, claimID: String,
               lifetime: Duration) async throws -> MessageClaimAttempt
}

/// What one claim attempt found.
package struct MessageClaimAttempt: Sendable, Equatable {
    /// This call holds the claim now (until its audit record is written, or it expires).
    package var claimed: Bool
    /// The receipt kept for the pair, if its first call has finished with one.
    package var stored: StoredReceipt?

    package init(claimed: Bool, stored: StoredReceipt?) {
        self.claimed = claimed
        self.stored = stored
    }
}

/// Why a claim could not be settled; each is one contract fault.
package enum MessageClaimError: Error, Sendable, Equatable, FaultConvertible {
    /// The database did not answer: as when the stored receipt cannot be read.
    case unavailable
    /// Another instance's call with this BeskedID outlasted the wait: the caller may retry.
    case stillUnderWay

    package var fault: PlatformFault {
        switch self {
        case .unavailable: PlatformFault(.internalError, "the idempotency store could not be read")
        case .stillUnderWay: PlatformFault(.receiverUnavailable, "a call with this BeskedID is still under way; retry with the same BeskedID")
        }
    }
}
