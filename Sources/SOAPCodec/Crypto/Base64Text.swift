import Foundation

/// Base64 text of an XML element (xs:base64Binary): XML whitespace (space, tab, CR, LF) may
/// break the lines and is dropped by byte; anything else that is not base64 makes it invalid.
/// Filtering by `Character.isWhitespace` cost a few percent of a SAML call, for certificates of
/// over a kilobyte read on every call.
package enum Base64Text {
    package static func decode(_ text: String) -> [UInt8]? {
        var compact: [UInt8] = []
        compact.reserveCapacity(text.utf8.count)
        for byte in text.utf8 where byte != 0x20 && byte != 0x09 && byte != 0x0D && byte != 0x0A {
            compact.append(byte)
        }
        return Data(base64Encoded: Data(compact)).map { [UInt8]($0) }
    }
}
