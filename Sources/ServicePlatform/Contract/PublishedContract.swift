import Foundation

/// The WSDL and XSD files a vendor downloads, served from the `wsdl/` directory as they are,
/// except that each relative import becomes a `?xsd=NAME` / `?wsdl=NAME` URL on the endpoint and
/// the service address becomes the one the client used; and the same files as one ZIP, the
/// contract package (`?package`, see `ContractPackage`), with the same address.
package struct PublishedContract: Sendable {
    /// The address written in the WSDL files, replaced by the endpoint the client called.
    package static let addressInFiles = "https://localhost:8443/service/JC/Kontanthjaelp/2"
    private static let basePlaceholder = "\u{1}BASE\u{1}"

    /// NAME (path below `wsdl/`) → file text with imports pointing at the placeholder base.
    private let documents: [String: String]
    /// What `?wsdl` serves: the AuthorityContext model's WSDL.
    package let mainWSDL: String
    /// What `?wsdl=token` serves: the SAML token model's WSDL, with its WS-Policy.
    package let tokenWSDL: String
    /// The contract package, zipped once here at start-up.
    package let contractPackage: ContractPackage

    package struct LoadError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Loads every `.wsdl`/`.xsd` (and `service.properties`) below `directory` once, at start-up,
    /// and zips the contract package with the platform's response-signing certificate and the
    /// STS certificate (PEM; a certificate not given is left out of the package).
    package init(directory: String, mainWSDL: String = "context/Kontanthjaelp.wsdl", tokenWSDL: String = "token/Kontanthjaelp.wsdl",
                 signingCertificatePEM: String? = nil, stsCertificatePEM: String? = nil) throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw LoadError(description: "cannot read \(directory)")
        }
        var originals: [String: String] = [:]
        for case let url as URL in enumerator where ["wsdl", "xsd", "properties"].contains(url.pathExtension) {
            let name = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            originals[name] = try String(contentsOf: url, encoding: .utf8)
        }
        for name in [mainWSDL, tokenWSDL] where originals[name] == nil {
            throw LoadError(description: "\(name) is missing from \(directory)")
        }
        var documents: [String: String] = [:]
        for (name, text) in originals where !name.hasSuffix(".properties") {
            documents[name] = Self.rewriteImports(text, documentName: name)
        }
        self.documents = documents
        self.mainWSDL = mainWSDL
        self.tokenWSDL = tokenWSDL
        self.contractPackage = try ContractPackage(files: originals, signingCertificatePEM: signingCertificatePEM,
                                           stsCertificatePEM: stsCertificatePEM)
    }

    /// The document a GET query asks for (`wsdl`, `wsdl=token`, `wsdl=NAME`, `xsd=NAME`), with `endpoint` as the address.
    package func document(forQuery query: String, endpoint: String) -> String? {
        let name: String
        if query == "wsdl" || query == "WSDL" {
            name = mainWSDL
        } else if query.hasPrefix("wsdl=") || query.hasPrefix("xsd=") {
            let raw = String(query.drop { $0 != "=" }.dropFirst())
            let decoded = raw.removingPercentEncoding ?? raw
            // `token` names the SAML model's WSDL; every other NAME is a path below wsdl/.
            name = query.hasPrefix("wsdl=") && decoded == "token" ? tokenWSDL : decoded
        } else {
            return nil
        }
        guard let text = documents[name] else { return nil }
        return Self.withServiceAddress(text.replacingOccurrences(of: Self.basePlaceholder, with: endpoint), endpoint: endpoint)
    }

    /// `text` with the service address written in the files replaced by `endpoint`, the address
    /// the client called. `?wsdl` and the contract package both go through here, so a client
    /// generated from either calls the host it downloaded from, not `localhost:8443`.
    static func withServiceAddress(_ text: String, endpoint: String) -> String {
        text.replacingOccurrences(of: addressInFiles, with: endpoint)
    }

    /// Rewrites each relative reference (see `RelativeReferences`) to a URL on the endpoint:
    /// `BASE?xsd=NAME` or `BASE?wsdl=NAME` (plus the `#fragment` of a policy reference), NAME
    /// resolved against the document's own folder. A policy's `Name` is rewritten the same way as
    /// the `wsp:PolicyReference URI` that names it, so the two stay equal (WCF matches them as strings)
    /// and the URI stays resolvable (CXF fetches it and looks for the `wsu:Id`).
    static func rewriteImports(_ text: String, documentName: String) -> String {
        RelativeReferences.rewrite(text, documentName: documentName) { name, fragment in
            basePlaceholder + (name.hasSuffix(".xsd") ? "?xsd=" : "?wsdl=") + name + (fragment.map { "#" + $0 } ?? "")
        }
    }
}

/// The relative references between the contract files: `location` (wsdl:import), `schemaLocation`
/// (xs:import, xs:include), and a `wsp:PolicyReference URI` or `wsp:Policy Name` of the form
/// `file.wsdl#id` (a policy in another file). Absolute URLs, `#id` and `?query` values are left alone.
enum RelativeReferences {
    // Computed: a Regex is not Sendable, so it cannot be a stored static.
    private static var attribute: Regex<(Substring, attr: Substring, value: Substring)> {
        #/(?<attr>\s(?:location|schemaLocation|URI|Name))="(?<value>[^"]*)"/#
    }

    /// Replaces each relative reference by `replacement(target, fragment)`, the target being the
    /// referenced file's path below `wsdl/`, resolved against the folder of `documentName`.
    static func rewrite(_ text: String, documentName: String, _ replacement: (_ target: String, _ fragment: String?) -> String) -> String {
        text.replacing(attribute) { match in
            let attr = String(match.output.attr), value = String(match.output.value)
            guard let (path, fragment) = parse(value, policyReference: attr.hasSuffix("URI") || attr.hasSuffix("Name")) else {
                return String(match.output.0)
            }
            return "\(attr)=\"\(replacement(resolve(path, against: documentName), fragment))\""
        }
    }

    /// The path and fragment of a relative reference, or nil for anything else.
    private static func parse(_ value: String, policyReference: Bool) -> (String, String?)? {
        guard !value.isEmpty, !value.contains("://"), !value.hasPrefix("?"), !value.hasPrefix("#"), !value.hasPrefix("/") else { return nil }
        guard policyReference else { return (value, nil) }
        // Only `file.wsdl#id`: `Name` is also the attribute of sp:Header (Name="To").
        let parts = value.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasSuffix(".wsdl"), !parts[1].isEmpty, !parts[0].contains(":") else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// `relative` resolved against the folder of `documentName`, both paths below `wsdl/`.
    static func resolve(_ relative: String, against documentName: String) -> String {
        var parts = documentName.split(separator: "/").dropLast().map(String.init)
        for component in relative.split(separator: "/") {
            if component == ".." { _ = parts.popLast() } else if component != "." { parts.append(String(component)) }
        }
        return parts.joined(separator: "/")
    }

    /// The relative path from the folder of `from` to `to` (both paths from the same root).
    static func relativePath(from: String, to: String) -> String {
        let fromFolder = from.split(separator: "/").dropLast().map(String.init)
        let target = to.split(separator: "/").map(String.init)
        var common = 0
        while common < fromFolder.count, common < target.count - 1, fromFolder[common] == target[common] { common += 1 }
        return (Array(repeating: "..", count: fromFolder.count - common) + target[common...]).joined(separator: "/")
    }
}
