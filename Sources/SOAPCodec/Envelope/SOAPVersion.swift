/// SOAP 1.1 or 1.2: decided by the request's media type, answered in the same version.
package enum SOAPVersion: Sendable, Hashable {
    case soap11
    case soap12

    package var envelopeNamespace: String {
        switch self {
        case .soap11: "http://schemas.xmlsoap.org/soap/envelope/"
        case .soap12: "http://www.w3.org/2003/05/soap-envelope"
        }
    }

    /// The media type of a message in this version.
    package var mediaType: String {
        switch self {
        case .soap11: "text/xml"
        case .soap12: "application/soap+xml"
        }
    }

    package func contentType(action: String? = nil) -> String {
        switch self {
        case .soap11: return "text/xml; charset=utf-8"
        case .soap12:
            guard let action else { return "application/soap+xml; charset=utf-8" }
            return "application/soap+xml; charset=utf-8; action=\"\(action)\""
        }
    }

    /// The other version's namespace, to tell a version mismatch from a non-envelope.
    package var otherEnvelopeNamespace: String {
        switch self {
        case .soap11: SOAPVersion.soap12.envelopeNamespace
        case .soap12: SOAPVersion.soap11.envelopeNamespace
        }
    }
}
