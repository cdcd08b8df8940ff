import Foundation

/// HTML whose interpolated values are escaped unless they are `HTML` themselves: a page is
/// built from literals (trusted markup) and values (escaped), so a name like
/// `<script>alert(1)</script>` can only ever show as text.
struct HTML: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    private(set) var rendered: String

    init(stringLiteral value: String) { rendered = value }
    init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }
    private init(raw: String) { rendered = raw }

    var description: String { rendered }

    static let empty = HTML(raw: "")

    struct Interpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity + interpolationCount * 16) }

        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ value: String) { output += HTML.escape(value) }
        mutating func appendInterpolation(_ value: String?) { if let value { output += HTML.escape(value) } }
        mutating func appendInterpolation(_ value: Int) { output += String(value) }
        mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        mutating func appendInterpolation(_ list: [HTML]) { for html in list { output += html.rendered } }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A value for a URL query, percent-encoded (then escaped when interpolated into HTML).
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A path segment, percent-encoded.
    static func pathSegment(_ text: String) -> String { queryValue(text) }

    static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(raw: parts.map(\.rendered).joined(separator: separator.rendered))
    }
}
