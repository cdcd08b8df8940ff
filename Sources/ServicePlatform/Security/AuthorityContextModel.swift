import Foundation
import SOAPCodec

/// The AuthorityContext model: the TLS client certificate proves which system calls (it must
/// chain to a client trust root and be registered to an active system), `ac:AuthorityContext`
/// names the municipality, and an approved agreement plus MONOPOLBRUD membership authorize it.
package struct AuthorityContextModel: SecurityModel {
    private let verifier: ClientCertificateVerifier
    private let registry: Registry
    private let agreements: AgreementPolicy
    private let directory: MunicipalityDirectory

    package init(verifier: ClientCertificateVerifier, registry: Registry, agreements: AgreementPolicy, directory: MunicipalityDirectory) {
        self.verifier = verifier
        self.registry = registry
        self.agreements = agreements
        self.directory = directory
    }

    package func authenticate(_ call: InboundCall, envelope: SOAPEnvelope, contexts: RequestContexts) async throws(PlatformFault) -> CallerIdentity {
        guard let peer = call.peer else {
            throw PlatformFault(.authenticationFailed, "no client certificate was presented")
        }
        try await verifier.verify(peer)
        let snapshot = registry.snapshot
        guard let system = snapshot.systemByFingerprint[peer.fingerprint] else {
            throw PlatformFault(.authenticationFailed, "the client certificate is not registered to a system")
        }
        guard system.active else {
            throw PlatformFault(.notAuthorized, "the calling system is inactive")
        }
        guard let cvr = try contexts.authorityCVR() else {
            throw PlatformFault(.authenticationFailed, "AuthorityContext is missing: it names the municipality the system calls for")
        }
        guard directory.municipality(cvr: cvr) != nil else {
            throw PlatformFault(.notAuthorized, "AuthorityContext names a CVR that is not a municipality")
        }
        try agreements.check(systemID: system.id, cvr: cvr, in: snapshot)
        return CallerIdentity(systemID: system.id, certificateFingerprint: peer.fingerprint,
                              securityModel: .authorityContext, municipalityCVR: cvr)
    }
}
