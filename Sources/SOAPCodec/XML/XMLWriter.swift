/// Builds XML text with every value escaped. The platform writes its own messages (faults,
/// receipts, forwards) with it; untrusted text only ever enters through `text`/`attribute`.
package struct XMLWriter: Sendable {
    private(set) package var output: String = ""

    package init() { output.reserveCapacity(2048) }

    package mutating func declaration() {
        output += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    }

    /// Opens `prefix:name` with the given namespace declarations and attributes.
    package mutating func open(_ qualified: String, namespaces: [(prefix: String, uri: String)] = [],
                               attributes: [(name: String, value: String)] = []) {
        output += "<" + qualified
        for ns in namespaces {
            output += ns.prefix.isEmpty ? " xmlns=\"" : " xmlns:\(ns.prefix)=\""
            output += Self.escape(ns.uri, attribute: true) + "\""
        }
        for attr in attributes {
            output += " \(attr.name)=\"" + Self.escape(attr.value, attribute: true) + "\""
        }
        output += ">"
    }

    package mutating func close(_ qualified: String) {
        output += "</" + qualified + ">"
    }

    /// `<name>escaped text</name>`.
    package mutating func element(_ qualified: String, _ text: String) {
        output += "<"
        output += qualified
        output += ">"
        output += Self.escape(text, attribute: false)
        output += "</"
        output += qualified
        output += ">"
    }

    /// An element only when the value is present.
    package mutating func element(_ qualified: String, ifPresent text: String?) {
        if let text { element(qualified, text) }
    }

    /// Appends markup the caller built with another `XMLWriter`.
    package mutating func raw(_ markup: String) { output += markup }

    package var bytes: [UInt8] { Array(output.utf8) }

    /// Most values need no escaping and are returned as they are; otherwise escaped by UTF-8
    /// byte (every byte of a multi-byte character is ≥ 0x80, so only ASCII needs care).
    package static func escape(_ text: String, attribute: Bool) -> String {
        // Every byte that may need escaping is below "?" (0x3F): one compare for nearly all bytes.
        var needsEscape = false
        for byte in text.utf8 where byte < 0x3F {
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\r"): needsEscape = true
            case UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\t"): needsEscape = needsEscape || attribute
            default: break
            }
            if needsEscape { break }
        }
        guard needsEscape else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): result.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): result.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): result.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\"") where attribute: result.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "\r"): result.append(contentsOf: "&#13;".utf8)
            case UInt8(ascii: "\n") where attribute: result.append(contentsOf: "&#10;".utf8)
            case UInt8(ascii: "\t") where attribute: result.append(contentsOf: "&#9;".utf8)
            default: result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
