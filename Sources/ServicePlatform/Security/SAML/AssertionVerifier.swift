import Crypto
import Foundation
import SOAPCodec

/// Verifies the assertion's own signature against the trusted STSs (never a key from its
/// KeyInfo), checks it follows the SAML signature profile (one reference, to this assertion's
/// ID, enveloped + exclusive c14n, Signature a direct child), then reads the claims from this
/// very node.
struct AssertionVerifier: Sendable {
    let trusted: [TrustedSTS]
    /// Verdicts of STS signatures already checked; nil checks every time.
    let verdicts: AssertionVerdictCache?

    init(trusted: [TrustedSTS], verdicts: AssertionVerdictCache? = AssertionVerdictCache()) {
        self.trusted = trusted
        self.verdicts = verdicts
    }

    func verify(_ assertion: XMLElement, now: Date = Date()) throws(PlatformFault) -> VerifiedAssertion {
        let ns = WSNamespaces.self
        guard let id = assertion.attribute("ID"), !id.isEmpty else { throw Self.fault("the assertion has no ID") }
        let signatures = assertion.children(named: QualifiedName(ns.ds, "Signature"))
        guard signatures.count == 1 else { throw Self.fault("the assertion is not signed") }
        guard let issuer = assertion.child(named: QualifiedName(ns.saml, "Issuer"))?.text.trimmingXMLWhitespace() else {
            throw Self.fault("the assertion has no Issuer")
        }
        guard assertion.registerID(attribute: "ID", namespace: nil) else { throw Self.fault("the assertion's ID is not unique") }
        let digest = verdicts == nil ? nil : assertion.exclusiveCanonicalForm().map { Array(SHA256.hash(data: $0)) }
        if let digest, let entityID = verdicts?.verifiedBy(digest, now: now) {
            guard issuer == entityID else { throw Self.fault("the assertion's Issuer is not the STS that signed it") }
            return try claims(of: assertion, id: id, issuer: issuer)
        }
        var verifiedBy: TrustedSTS?
        for sts in candidates(for: signatures[0]) {
            if let references = try? SignatureVerifier.verify(signatures[0], with: sts.key, profile: .enveloped) {
                guard references.ids == [id] else { throw Self.fault("the assertion's signature does not cover exactly the assertion") }
                verifiedBy = sts
                break
            }
        }
        guard let sts = verifiedBy else { throw Self.fault("the assertion is not signed by a trusted STS") }
        guard issuer == sts.entityID else { throw Self.fault("the assertion's Issuer is not the STS that signed it") }
        let verified = try claims(of: assertion, id: id, issuer: issuer)
        // Remembered until the assertion's own end (an hour at most without one).
        if let digest, let verdicts {
            let until = verified.notOnOrAfter ?? now.addingTimeInterval(3600)
            verdicts.remember(digest, stsEntityID: sts.entityID, until: until, now: now)
        }
        return verified
    }

    /// The STS whose certificate the KeyInfo names first (a hint only), then the others.
    private func candidates(for signature: XMLElement) -> [TrustedSTS] {
        let ns = WSNamespaces.self
        let hinted = signature.descendants(named: QualifiedName(ns.ds, "X509Certificate")).first
            .flatMap { Base64Text.decode($0.text) }
        guard let hinted, let match = trusted.firstIndex(where: { $0.certificateDER == hinted }) else { return trusted }
        var ordered = trusted
        ordered.swapAt(0, match)
        return ordered
    }

    private func claims(of assertion: XMLElement, id: String, issuer: String) throws(PlatformFault) -> VerifiedAssertion {
        let ns = WSNamespaces.self
        let saml = { (name: String) in QualifiedName(ns.saml, name) }
        let conditions = assertion.children(named: saml("Conditions"))
        guard conditions.count <= 1 else { throw Self.fault("the assertion has more than one Conditions") }
        let audiences = conditions.first?.children(named: saml("AudienceRestriction")).flatMap { $0.children(named: saml("Audience")) }
            .map { $0.text.trimmingXMLWhitespace() } ?? []
        guard let subject = assertion.child(named: saml("Subject")) else { throw Self.fault("the assertion has no Subject") }
        let confirmations = subject.children(named: saml("SubjectConfirmation"))
        guard confirmations.count == 1, confirmations[0].attribute("Method") == ns.holderOfKey else {
            throw Self.fault("the assertion is not holder-of-key")
        }
        let data = confirmations[0].children(named: saml("SubjectConfirmationData"))
        guard data.count == 1 else { throw Self.fault("the holder-of-key confirmation has no SubjectConfirmationData") }
        let certificates = data[0].descendants(named: QualifiedName(ns.ds, "X509Certificate"))
        guard certificates.count == 1, let der = Base64Text.decode(certificates[0].text) else {
            throw Self.fault("the holder-of-key certificate is missing or ambiguous")
        }
        var cvr: MunicipalityCVR?
        var others: [String: String] = [:]
        for statement in assertion.children(named: saml("AttributeStatement")) {
            for attribute in statement.children(named: saml("Attribute")) {
                guard let name = attribute.attribute("Name") else { continue }
                let values = attribute.children(named: saml("AttributeValue"))
                if name == "dk:gov:saml:attribute:CvrNumberIdentifier" {
                    // The whole text of the one value: a comment cannot split what is read.
                    guard cvr == nil, values.count == 1, values[0].children.isEmpty,
                          let parsed = MunicipalityCVR(values[0].text.trimmingXMLWhitespace()) else {
                        throw Self.fault("the assertion's CvrNumberIdentifier is missing, repeated or malformed")
                    }
                    cvr = parsed
                } else if values.count == 1, others.count < 16 {
                    // Bounded, so a token cannot make every audit record large; a base64
                    // Privileges_intermediate of a few privilege groups fits whole.
                    others[String(name.prefix(128))] = String(values[0].text.trimmingXMLWhitespace().prefix(4096))
                }
            }
        }
        guard let cvr else { throw Self.fault("the assertion carries no CvrNumberIdentifier") }
        let dateAttribute = { (element: XMLElement?, name: String) throws(PlatformFault) -> Date? in
            guard let text = element?.attribute(name) else { return nil }
            guard let date = XSDateTime.parse(text, requiringZone: true) else { throw Self.fault("the assertion has a malformed \(name)") }
            return date
        }
        return VerifiedAssertion(
            id: id, issuer: issuer,
            notBefore: try dateAttribute(conditions.first, "NotBefore"),
            notOnOrAfter: try dateAttribute(conditions.first, "NotOnOrAfter"),
            audiences: audiences, recipient: data[0].attribute("Recipient"),
            confirmationNotOnOrAfter: try dateAttribute(data[0], "NotOnOrAfter"),
            holderOfKeyDER: der, cvr: cvr, otherAttributes: others)
    }

    static func fault(_ text: String) -> PlatformFault { PlatformFault(.authenticationFailed, text) }
}
