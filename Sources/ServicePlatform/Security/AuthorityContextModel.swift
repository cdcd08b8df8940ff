import SOAPCodec

/// The AuthorityContext model: the municipality comes from `ac:AuthorityContext`; the calling
/// system from the TLS client certificate.
///
/// This stage reads and checks the AuthorityContext claim and names the caller by the system
/// the listener was configured for; certificate-to-system mapping and agreements plug in here.
package struct AuthorityContextModel: SecurityModel {
    private let directory: MunicipalityDirectory
    private let unverifiedSystemID: String

    package init(directory: MunicipalityDirectory, unverifiedSystemID: String = "unverified") {
        self.directory = directory
        self.unverifiedSystemID = unverifiedSystemID
    }

    package func authenticate(_ call: InboundCall, envelope: SOAPEnvelope, contexts: RequestContexts) async throws(PlatformFault) -> CallerIdentity {
        guard let cvr = try contexts.authorityCVR() else {
            throw PlatformFault(.authenticationFailed, "AuthorityContext is missing: it names the municipality the system calls for")
        }
        guard directory.municipality(cvr: cvr) != nil else {
            throw PlatformFault(.notAuthorized, "AuthorityContext names a CVR that is not a municipality")
        }
        return CallerIdentity(systemID: unverifiedSystemID, certificateFingerprint: call.peerCertificateFingerprint,
                              securityModel: .authorityContext, municipalityCVR: cvr)
    }
}
