import SOAPCodec

/// Picks the model a call uses: a `wsse:Security` header means the SAML token model, whatever
/// TLS presented; otherwise AuthorityContext.
package struct SecurityModelSelector: SecurityModel {
    private let authorityContext: any SecurityModel
    private let token: any SecurityModel

    package init(authorityContext: any SecurityModel, token: any SecurityModel) {
        self.authorityContext = authorityContext
        self.token = token
    }

    package func authenticate(_ call: InboundCall, envelope: SOAPEnvelope, contexts: RequestContexts) async throws(PlatformFault) -> CallerIdentity {
        if WSSecurityHeader.isPresent(in: envelope.header) {
            return try await token.authenticate(call, envelope: envelope, contexts: contexts)
        }
        return try await authorityContext.authenticate(call, envelope: envelope, contexts: contexts)
    }
}
