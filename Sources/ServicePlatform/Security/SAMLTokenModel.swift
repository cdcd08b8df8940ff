import Crypto
import Foundation
import SOAPCodec

/// The SAML token model (OIO IDWS): a `wsse:Security` header with an assertion from a trusted
/// STS and a message signature by the assertion's holder-of-key certificate.
///
/// Order of work: structure and ids first (no crypto), then the assertion's signature and
/// claims, then the message signature with the holder-of-key key only, then freshness and
/// replay, then the system bound to the key and its agreement. Ids are registered only on the
/// nodes the platform goes on to process (the envelope's Body, the header's Timestamp, the one
/// assertion, the STR and addressing headers), so a signature can only cover those very nodes.
package struct SAMLTokenModel: SecurityModel {
    package struct Settings: Sendable {
        package var trustedSTS: [TrustedSTS]
        package var audiences: Set<String>
        package var skew: TimeInterval = 300
        package var maxTimestampLifetime: TimeInterval = 300

        package init(trustedSTS: [TrustedSTS], audiences: Set<String>) {
            self.trustedSTS = trustedSTS
            self.audiences = audiences
        }
    }

    private let settings: Settings
    private let assertions: AssertionVerifier
    private let policies: [any AssertionPolicy]
    private let registry: Registry
    private let agreements: AgreementPolicy
    private let directory: MunicipalityDirectory
    private let replay: any ReplayGuard
    private let keys = SignatureKeyCache()

    package init(settings: Settings, registry: Registry, agreements: AgreementPolicy, directory: MunicipalityDirectory, replay: any ReplayGuard) {
        self.settings = settings
        self.assertions = AssertionVerifier(trusted: settings.trustedSTS)
        self.policies = [ValidityWindowPolicy(skew: settings.skew), AudiencePolicy(accepted: settings.audiences)]
        self.registry = registry
        self.agreements = agreements
        self.directory = directory
        self.replay = replay
    }

    package func authenticate(_ call: InboundCall, envelope: SOAPEnvelope, contexts: RequestContexts) async throws(PlatformFault) -> CallerIdentity {
        let now = Date()
        let ns = WSNamespaces.self
        let header: WSSecurityHeader
        do { header = try WSSecurityHeader(header: envelope.header, soapVersion: envelope.version) } catch {
            throw Self.fault("the WS-Security header is malformed")
        }
        guard let tokenAssertion = header.assertion else { throw Self.fault("the assertion is missing") }
        // 1. Structure and ids, before any cryptography.
        guard let root = envelope.body.document.root else { throw Self.fault("no document") }
        guard root.descendants(named: QualifiedName(ns.saml, "Assertion")).count == 1 else {
            throw Self.fault("the message must carry exactly one assertion")
        }
        let ids = root.allIDValues()
        guard Set(ids).count == ids.count else { throw Self.fault("an id occurs more than once") }
        let bodyID = try Self.register(envelope.body, what: "the Body")
        let timestampID = try Self.register(header.timestamp, what: "the Timestamp")
        var coverable: Set<String> = [bodyID, timestampID]
        if let reference = header.tokenReference, reference.attribute("Id", namespace: ns.wsu) != nil {
            coverable.insert(try Self.register(reference, what: "the SecurityTokenReference"))
        }
        for addressing in header.addressingHeaders where addressing.attribute("Id", namespace: ns.wsu) != nil {
            coverable.insert(try Self.register(addressing, what: "an addressing header"))
        }
        if let token = header.binarySecurityToken, token.attribute("Id", namespace: ns.wsu) != nil {
            _ = try Self.register(token, what: "the BinarySecurityToken")
        }
        // 2. The assertion: STS signature, then its claims.
        let assertion = try assertions.verify(tokenAssertion, now: now)
        for policy in policies {
            if case .fails(let reason) = policy.evaluate(assertion, at: now) { throw Self.fault(reason) }
        }
        // 3. The message signature, with the holder-of-key key and nothing else.
        try checkKeyInfo(of: header.signature, assertion: assertion, token: header.binarySecurityToken)
        try Self.inspectReferences(of: header.signature)
        let fingerprint = CertificateFingerprint.sha256(assertion.holderOfKeyDER)
        let key: SignatureKey
        do { key = try keys.key(for: assertion.holderOfKeyDER, fingerprint: fingerprint) } catch {
            throw Self.fault("the holder-of-key certificate cannot be read")
        }
        let covered: VerifiedReferences
        do {
            covered = try SignatureVerifier.verify(header.signature, with: key, profile: .detached, tokenAssertion: tokenAssertion)
        } catch {
            throw Self.fault("the message signature does not verify with the holder-of-key certificate")
        }
        let coveredSet = Set(covered.ids)
        guard coveredSet.contains(bodyID), coveredSet.contains(timestampID) else {
            throw Self.fault("the message signature must cover the Body and the Timestamp")
        }
        guard coveredSet.isSubset(of: coverable), coveredSet.count == covered.ids.count else {
            throw Self.fault("the message signature covers something it may not")
        }
        // 4. Freshness and replay.
        let expires = try checkTimestamp(header.timestamp, now: now)
        guard let value = header.signature.child(named: QualifiedName(ns.ds, "SignatureValue")),
              let decoded = Base64Text.decode(value.text) else {
            throw Self.fault("the message signature has no value")
        }
        let replayKey = Hex.encode(SHA256.hash(data: decoded))
        let replayed: Bool
        do {
            replayed = try await replay.isReplay(replayKey, until: expires.addingTimeInterval(settings.skew), now: now)
        } catch {
            throw PlatformFault(.internalError, "internal error")
        }
        if replayed { throw Self.fault("the message was seen before (replay)") }
        // 5. The system bound to the key, its agreement, and the municipality.
        let snapshot = registry.snapshot
        guard let system = snapshot.systemByFingerprint[fingerprint] else {
            throw Self.fault("the holder-of-key certificate is not registered to a system")
        }
        guard system.active else { throw PlatformFault(.notAuthorized, "the calling system is inactive") }
        if let claimed = try contexts.authorityCVR(), claimed != assertion.cvr {
            throw Self.fault("AuthorityContext names another CVR than the token")
        }
        guard directory.municipality(cvr: assertion.cvr) != nil else {
            throw PlatformFault(.notAuthorized, "the token's CVR is not a municipality")
        }
        try agreements.check(systemID: system.id, cvr: assertion.cvr, in: snapshot)
        var details = assertion.otherAttributes
        details["AssertionID"] = assertion.id
        details["Issuer"] = assertion.issuer
        return CallerIdentity(systemID: system.id, certificateFingerprint: fingerprint, securityModel: .saml, municipalityCVR: assertion.cvr,
                              modelDetails: details)
    }

    /// Registers the element's `wsu:Id` as an XML ID; SP-2001 when it has none or it clashes.
    private static func register(_ element: XMLElement, what: String) throws(PlatformFault) -> String {
        guard let id = element.attribute("Id", namespace: WSNamespaces.wsu), !id.isEmpty else {
            throw fault("\(what) has no wsu:Id, so it cannot be signed")
        }
        guard element.registerID(attribute: "Id", namespace: WSNamespaces.wsu) else { throw fault("\(what)'s wsu:Id is not unique") }
        return id
    }

    /// Same-document `#id` references only (no `xpointer(...)`, no external URIs), 2 to 8 of
    /// them, and no Object or Manifest in the message signature.
    private static func inspectReferences(of signature: XMLElement) throws(PlatformFault) {
        let ds = WSNamespaces.ds
        guard signature.child(named: QualifiedName(ds, "Object")) == nil else { throw fault("the message signature carries an Object") }
        guard let signedInfo = signature.child(named: QualifiedName(ds, "SignedInfo")) else { throw fault("the message signature has no SignedInfo") }
        let references = signedInfo.children(named: QualifiedName(ds, "Reference"))
        guard (2...8).contains(references.count) else { throw fault("the message signature has too few or too many references") }
        for reference in references {
            guard let uri = reference.attribute("URI"), isSameDocumentID(uri) else {
                throw fault("a message signature reference is not a same-document #id")
            }
        }
    }

    static func isSameDocumentID(_ uri: String) -> Bool {
        let scalars = Array(uri.unicodeScalars)
        guard scalars.count >= 2, scalars.count <= 128, scalars[0] == "#" else { return false }
        let first = scalars[1]
        guard first.properties.isAlphabetic || first == "_" else { return false }
        return scalars.dropFirst(2).allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-") }
    }

    /// KeyInfo may name the key through an STR to this assertion (SAMLID) or carry the
    /// holder-of-key certificate itself; anything else is refused. It never supplies the key.
    private func checkKeyInfo(of signature: XMLElement, assertion: VerifiedAssertion, token: XMLElement?) throws(PlatformFault) {
        let ns = WSNamespaces.self
        guard let keyInfo = signature.child(named: QualifiedName(ns.ds, "KeyInfo")), keyInfo.children.count == 1 else {
            throw Self.fault("the message signature's KeyInfo must name the holder-of-key certificate")
        }
        let child = keyInfo.children[0]
        let matches = { (base64: String) -> Bool in
            Base64Text.decode(base64) == assertion.holderOfKeyDER
        }
        if child.is(QualifiedName(ns.wsse, "SecurityTokenReference")) {
            if let identifier = child.child(named: QualifiedName(ns.wsse, "KeyIdentifier")),
               identifier.attribute("ValueType") == ns.samlIDValueType,
               identifier.text.trimmingXMLWhitespace() == assertion.id {
                return
            }
            if let reference = child.child(named: QualifiedName(ns.wsse, "Reference")), let token,
               reference.attribute("URI") == "#" + (token.attribute("Id", namespace: ns.wsu) ?? "\u{0}"), matches(token.text) {
                return
            }
        } else if child.is(QualifiedName(ns.ds, "X509Data")) {
            let certificates = child.children(named: QualifiedName(ns.ds, "X509Certificate"))
            if certificates.count == 1, matches(certificates[0].text) { return }
        }
        throw Self.fault("the message signature's key is not the holder-of-key certificate")
    }

    /// Created not in the future (beyond skew), Expires not passed, lifetime at most 300 s.
    private func checkTimestamp(_ timestamp: XMLElement, now: Date) throws(PlatformFault) -> Date {
        let ns = WSNamespaces.wsu
        guard let createdText = timestamp.child(named: QualifiedName(ns, "Created"))?.text,
              let expiresText = timestamp.child(named: QualifiedName(ns, "Expires"))?.text,
              let created = XSDateTime.parse(createdText, requiringZone: true), let expires = XSDateTime.parse(expiresText, requiringZone: true) else {
            throw Self.fault("the Timestamp needs Created and Expires")
        }
        guard created <= now.addingTimeInterval(settings.skew) else { throw Self.fault("the Timestamp is in the future") }
        guard expires > now else { throw Self.fault("the Timestamp has expired") }
        guard expires.timeIntervalSince(created) <= settings.maxTimestampLifetime, expires > created else {
            throw Self.fault("the Timestamp's lifetime is over 5 minutes")
        }
        return expires
    }

    static func fault(_ text: String) -> PlatformFault { PlatformFault(.authenticationFailed, text) }
}
