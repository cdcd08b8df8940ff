import Foundation

/// The claims of an assertion whose STS signature verified, read only from that assertion's
/// nodes. Made only by `AssertionVerifier`.
package struct VerifiedAssertion: Sendable {
    package let id: String
    package let issuer: String
    package let notBefore: Date?
    package let notOnOrAfter: Date?
    package let audiences: [String]
    package let recipient: String?
    package let confirmationNotOnOrAfter: Date?
    /// The holder-of-key certificate (DER): the only key the message may be signed with.
    package let holderOfKeyDER: [UInt8]
    package let cvr: MunicipalityCVR
    /// Other attributes real STSs send, kept for the audit record.
    package let otherAttributes: [String: String]
}

/// A check on a verified assertion; each failure is SP-2001 with its reason.
package protocol AssertionPolicy: Sendable {
    func evaluate(_ assertion: VerifiedAssertion, at now: Date) -> PolicyResult
}

package enum PolicyResult: Sendable, Equatable {
    case meets
    case fails(String)
}

/// `Conditions` and `SubjectConfirmationData` validity, with clock skew.
struct ValidityWindowPolicy: AssertionPolicy {
    var skew: TimeInterval = 300

    func evaluate(_ a: VerifiedAssertion, at now: Date) -> PolicyResult {
        if let notBefore = a.notBefore, now + skew < notBefore { return .fails("the assertion is not valid yet") }
        if let notOnOrAfter = a.notOnOrAfter, now - skew >= notOnOrAfter { return .fails("the assertion has expired") }
        if let until = a.confirmationNotOnOrAfter, now - skew >= until { return .fails("the assertion's subject confirmation has expired") }
        return .meets
    }
}

/// The audience (and the confirmation's Recipient, where given) must be one of ours.
struct AudiencePolicy: AssertionPolicy {
    let accepted: Set<String>

    func evaluate(_ a: VerifiedAssertion, at now: Date) -> PolicyResult {
        guard !a.audiences.isEmpty, a.audiences.contains(where: accepted.contains) else { return .fails("the assertion is for another audience") }
        if let recipient = a.recipient, !accepted.contains(recipient) { return .fails("the assertion's Recipient is another service") }
        return .meets
    }
}
