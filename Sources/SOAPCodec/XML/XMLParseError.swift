/// Why an untrusted document was refused before or while parsing. Each case maps to SP-1001.
package enum XMLParseError: Error, Sendable, Equatable {
    case empty
    case tooLarge
    case invalidUTF8
    case unsupportedEncoding
    case doctypeNotAllowed
    case tooDeep
    case tooManyAttributes
    case notWellFormed

    /// A fixed text for the caller; never echoes input.
    package var text: String {
        switch self {
        case .empty: "the request body is empty"
        case .tooLarge: "the request body is larger than allowed"
        case .invalidUTF8: "the request is not valid UTF-8"
        case .unsupportedEncoding: "only UTF-8 encoded XML is accepted"
        case .doctypeNotAllowed: "a DOCTYPE, DTD or entity declaration is not allowed"
        case .tooDeep: "the XML is nested deeper than allowed"
        case .tooManyAttributes: "an element has more attributes than allowed"
        case .notWellFormed: "the XML is not well-formed"
        }
    }
}
