import Foundation
import HummingbirdCore

/// `application/x-www-form-urlencoded`, as browsers send forms: `+` is a space, `%XX` a byte,
/// the last of repeated names wins. Malformed escapes leave the field out.
enum FormData {
    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

extension FlatDictionary where Key == Substring, Value == Substring {
    /// A filter page's field from the query string (a GET form): trimmed, "" when absent.
    func field(_ name: String) -> String {
        (self[Substring(name)].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
    }
}
