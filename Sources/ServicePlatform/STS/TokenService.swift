import Foundation

/// The exttest STS: over mutual TLS, a registered, active system gets a holder-of-key
/// assertion for a municipality it has an approved agreement for, for an accepted audience.
package struct TokenService: Sendable {
    /// Why a token was refused: `403` with this message as JSON.
    package struct Refusal: Error, Sendable, Equatable {
        package let message: String
    }

    private let issuer: AssertionIssuer
    private let verifier: ClientCertificateVerifier
    private let registry: Registry
    private let agreements: AgreementPolicy
    private let directory: MunicipalityDirectory
    private let audiences: Set<String>

    /// How long an issued assertion is valid.
    package var lifetime: TimeInterval { issuer.lifetime }

    package init(issuer: AssertionIssuer, verifier: ClientCertificateVerifier, registry: Registry, agreements: AgreementPolicy,
                 directory: MunicipalityDirectory, audiences: Set<String>) {
        self.issuer = issuer
        self.verifier = verifier
        self.registry = registry
        self.agreements = agreements
        self.directory = directory
        self.audiences = audiences
    }

    /// `useKey`, when given, must be the TLS client certificate (the REST shape's UseKey).
    package func issue(peer: TLSPeer?, audience: String, cvr: String, useKey: [UInt8]? = nil) async throws(Refusal) -> String {
        guard let peer else { throw Refusal(message: "a client certificate is required") }
        do { try await verifier.verify(peer) } catch { throw Refusal(message: error.text) }
        if let useKey, useKey != peer.certificateDER { throw Refusal(message: "UseKey is not the TLS client certificate") }
        let snapshot = registry.snapshot
        guard let system = snapshot.systemByFingerprint[peer.fingerprint], system.active else {
            throw Refusal(message: "the certificate is not registered to an active system")
        }
        guard audiences.contains(audience) else { throw Refusal(message: "unknown audience") }
        guard let municipality = MunicipalityCVR(cvr).flatMap(directory.municipality(cvr:)) else {
            throw Refusal(message: "cvr is not the CVR of a municipality")
        }
        do { try agreements.check(systemID: system.id, cvr: municipality.cvr, in: snapshot) } catch {
            throw Refusal(message: error.text)
        }
        do {
            return try issuer.issue(holderCertificateDER: peer.certificateDER, cvr: municipality.cvr, audience: audience)
        } catch {
            throw Refusal(message: "the assertion could not be issued")
        }
    }
}
