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
        output += "<" + qualified + ">" + Self.escape(text, attribute: false) + "</" + qualified + ">"
    }

    /// An element only when the value is present.
    package mutating func element(_ qualified: String, ifPresent text: String?) {
        if let text { element(qualified, text) }
    }

    /// Appends markup the caller built with another `XMLWriter`.
    package mutating func raw(_ markup: String) { output += markup }

    package var bytes: [UInt8] { Array(output.utf8) }

    package static func escape(_ text: String, attribute: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where attribute: result += "&quot;"
            case "\r": result += "&#13;"
            case "\n" where attribute: result += "&#10;"
            case "\t" where attribute: result += "&#9;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
