import Foundation
import SOAPCodec

/// xs:dateTime as SAML and WS-Security write it: with or without fractional seconds, `Z` or an offset.
enum XSDateTime {
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingXMLWhitespace()
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return try? Date(trimmed, strategy: withFraction)
    }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }
}
