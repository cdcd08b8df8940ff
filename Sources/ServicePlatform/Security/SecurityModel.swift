import SOAPCodec

/// Establishes who is calling (SP-2001 when it cannot). Runs before schema validation, so an
/// unauthenticated caller learns nothing about the service's rules.
package protocol SecurityModel: Sendable {
    func authenticate(_ call: InboundCall, envelope: SOAPEnvelope, contexts: RequestContexts) async throws(PlatformFault) -> CallerIdentity
}
