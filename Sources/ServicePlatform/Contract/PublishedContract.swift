import Foundation

/// The WSDL and XSD files a vendor downloads, served from the `wsdl/` directory as they are,
/// except that each relative import becomes a `?xsd=NAME` / `?wsdl=NAME` URL on the endpoint and
/// the service address becomes the one the client used.
package struct PublishedContract: Sendable {
    /// The address written in the WSDL files, replaced by the endpoint the client called.
    package static let addressInFiles = "https://localhost:8443/service/JC/Kontanthjaelp/2"
    private static let basePlaceholder = "\u{1}BASE\u{1}"

    /// NAME (path below `wsdl/`) → file text with imports pointing at the placeholder base.
    private let documents: [String: String]
    /// What `?wsdl` serves.
    package let mainWSDL: String

    package struct LoadError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Loads every `.wsdl`/`.xsd` below `directory` once, at start-up.
    package init(directory: String, mainWSDL: String = "context/Kontanthjaelp.wsdl") throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw LoadError(description: "cannot read \(directory)")
        }
        var documents: [String: String] = [:]
        for case let url as URL in enumerator where ["wsdl", "xsd"].contains(url.pathExtension) {
            let name = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            let text = try String(contentsOf: url, encoding: .utf8)
            documents[name] = Self.rewriteImports(text, documentName: name)
        }
        guard documents[mainWSDL] != nil else { throw LoadError(description: "\(mainWSDL) is missing from \(directory)") }
        self.documents = documents
        self.mainWSDL = mainWSDL
    }

    /// The document a GET query asks for (`wsdl`, `wsdl=NAME`, `xsd=NAME`), with `endpoint` as the address.
    package func document(forQuery query: String, endpoint: String) -> String? {
        let name: String
        if query == "wsdl" || query == "WSDL" {
            name = mainWSDL
        } else if query.hasPrefix("wsdl=") || query.hasPrefix("xsd=") {
            let raw = String(query.drop { $0 != "=" }.dropFirst())
            name = raw.removingPercentEncoding ?? raw
        } else {
            return nil
        }
        guard let text = documents[name] else { return nil }
        return text.replacingOccurrences(of: Self.basePlaceholder, with: endpoint)
            .replacingOccurrences(of: Self.addressInFiles, with: endpoint)
    }

    /// Rewrites `schemaLocation="rel"` and `location="rel"` (relative paths only) to
    /// `BASE?xsd=NAME` or `BASE?wsdl=NAME`, NAME resolved against the document's own folder.
    static func rewriteImports(_ text: String, documentName: String) -> String {
        var result = ""
        var rest = Substring(text)
        let folder = documentName.split(separator: "/").dropLast().map(String.init)
        while let range = rest.range(of: "ocation=\"") {   // location= and schemaLocation=
            result += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            let value = String(rest[..<end])
            rest = rest[end...]
            if value.contains("://") || value.hasPrefix("?") {
                result += value
                continue
            }
            var parts = folder
            for component in value.split(separator: "/") {
                if component == ".." { _ = parts.popLast() } else if component != "." { parts.append(String(component)) }
            }
            let name = parts.joined(separator: "/")
            result += basePlaceholder + (name.hasSuffix(".xsd") ? "?xsd=" : "?wsdl=") + name
        }
        result += rest
        return result
    }
}
