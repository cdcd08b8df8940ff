/// Builds XML text with every value escaped. The platform writes its own messages (faults,
/// receipts, forwards) with it; untrusted text only ever enters through `text`/`attribute`.
/// Bytes are appended to one buffer (a `String` grown piece by piece cost more than the
/// escaping itself on the hot path).
package struct XMLWriter: Sendable {
    private(set) package var bytes: [UInt8] = []

    package init() { bytes.reserveCapacity(2048) }

    /// The text written so far.
    package var output: String { String(decoding: bytes, as: UTF8.self) }

    package mutating func declaration() {
        append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    }

    /// Opens `prefix:name` with the given namespace declarations and attributes.
    package mutating func open(_ qualified: String, namespaces: [(prefix: String, uri: String)] = [],
                               attributes: [(name: String, value: String)] = []) {
        bytes.append(UInt8(ascii: "<"))
        append(qualified)
        for ns in namespaces {
            if ns.prefix.isEmpty {
                append(" xmlns=\"")
            } else {
                append(" xmlns:")
                append(ns.prefix)
                append(equalsQuote)
            }
            appendEscaped(ns.uri, attribute: true)
            bytes.append(UInt8(ascii: "\""))
        }
        for attr in attributes {
            bytes.append(UInt8(ascii: " "))
            append(attr.name)
            append(equalsQuote)
            appendEscaped(attr.value, attribute: true)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    package mutating func close(_ qualified: String) {
        append(endTagOpen)
        append(qualified)
        bytes.append(UInt8(ascii: ">"))
    }

    /// `<name>escaped text</name>`.
    package mutating func element(_ qualified: String, _ text: String) {
        bytes.append(UInt8(ascii: "<"))
        append(qualified)
        bytes.append(UInt8(ascii: ">"))
        appendEscaped(text, attribute: false)
        append(endTagOpen)
        append(qualified)
        bytes.append(UInt8(ascii: ">"))
    }

    /// An element only when the value is present.
    package mutating func element(_ qualified: String, ifPresent text: String?) {
        if let text { element(qualified, text) }
    }

    /// Appends markup the caller built with another `XMLWriter`.
    package mutating func raw(_ markup: String) { append(markup) }

    /// Appends markup bytes the caller built with another `XMLWriter`.
    package mutating func raw(bytes markup: [UInt8]) { bytes.append(contentsOf: markup) }

    private mutating func append(_ text: String) { bytes.append(utf8: text) }

    // Markup of one byte goes in as a byte, of two as two: hundreds of such appends a call,
    // each a string's storage look-up otherwise.
    private mutating func append(_ pair: (UInt8, UInt8)) {
        bytes.append(pair.0)
        bytes.append(pair.1)
    }

    private var endTagOpen: (UInt8, UInt8) { (UInt8(ascii: "<"), UInt8(ascii: "/")) }
    private var equalsQuote: (UInt8, UInt8) { (UInt8(ascii: "="), UInt8(ascii: "\"")) }

    private mutating func appendEscaped(_ text: String, attribute: Bool) {
        if Self.needsEscape(text, attribute: attribute) {
            append(Self.escape(text, attribute: attribute))
        } else {
            append(text)
        }
    }

    /// Every byte that may need escaping is below "?" (0x3F): one compare for nearly all bytes,
    /// over the string's own storage where it has one.
    static func needsEscape(_ text: String, attribute: Bool) -> Bool {
        func scan<Bytes: Sequence<UInt8>>(_ utf8: Bytes) -> Bool {
            for byte in utf8 where byte < 0x3F {
                switch byte {
                case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\r"): return true
                case UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\t"): if attribute { return true }
                default: break
                }
            }
            return false
        }
        return text.utf8.withContiguousStorageIfAvailable { scan($0) } ?? scan(text.utf8)
    }

    /// Most values need no escaping and are returned as they are; otherwise escaped by UTF-8
    /// byte (every byte of a multi-byte character is ≥ 0x80, so only ASCII needs care).
    package static func escape(_ text: String, attribute: Bool) -> String {
        guard needsEscape(text, attribute: attribute) else { return text }
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
