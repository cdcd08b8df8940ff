import Foundation
import Synchronization

/// Which trusted STS's signature verified an assertion, by the SHA-256 of the assertion's
/// exclusive canonical form (comments kept). A caller reuses one token for hours, and the STS
/// signature is a fifth of a SAML call's cost; an assertion with that digest carries exactly
/// the content that verified, so only the signature check is skipped. Its claims are read
/// and its policies checked again on every call, and an entry lasts no longer than the
/// assertion's own NotOnOrAfter.
final class AssertionVerdictCache: Sendable {
    private struct Verdict: Sendable {
        let stsEntityID: String
        let until: Date
    }

    private let verdicts = Mutex<[[UInt8]: Verdict]>([:])
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The entity id of the STS that verified this digest, if it is remembered and still valid.
    func verifiedBy(_ digest: [UInt8], now: Date) -> String? {
        verdicts.withLock { verdicts in
            guard let verdict = verdicts[digest] else { return nil }
            guard now < verdict.until else {
                verdicts[digest] = nil
                return nil
            }
            return verdict.stsEntityID
        }
    }

    func remember(_ digest: [UInt8], stsEntityID: String, until: Date, now: Date) {
        guard until > now else { return }
        verdicts.withLock { verdicts in
            if verdicts.count >= capacity {
                verdicts = verdicts.filter { now < $0.value.until }
                if verdicts.count >= capacity { verdicts.removeAll() }
            }
            verdicts[digest] = Verdict(stsEntityID: stsEntityID, until: until)
        }
    }

    var count: Int { verdicts.withLock { $0.count } }
}
