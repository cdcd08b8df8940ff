/// Why a well-formed document is not an acceptable SOAP envelope. Each maps to SP-1001.
package enum SOAPEnvelopeError: Error, Sendable, Equatable {
    case notAnEnvelope
    case versionMismatch
    case unexpectedContent
    case missingBody
    case multipleBodies
    case multipleHeaders
    case emptyBody
    case multipleBodyElements

    package var text: String {
        switch self {
        case .notAnEnvelope: "the document is not a SOAP envelope"
        case .versionMismatch: "the envelope's SOAP version does not match the content type"
        case .unexpectedContent: "the envelope holds content other than Header and Body"
        case .missingBody: "the envelope has no Body"
        case .multipleBodies: "the envelope has more than one Body"
        case .multipleHeaders: "the envelope has more than one Header"
        case .emptyBody: "the Body holds no request element"
        case .multipleBodyElements: "the Body holds more than one element"
        }
    }
}
