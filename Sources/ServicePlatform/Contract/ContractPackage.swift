import Foundation
import ZIPFoundation

/// The contract package served at `?package`: everything a vendor needs to build a client offline,
/// zipped once at start-up in the real service platform's package layout:
///
/// ```
/// Kontanthjaelp_2.xsd              the message schema (root)
/// sp/                              AuthorityContext_1.xsd, CallContext_1.xsd, ServiceplatformFault_1.xsd,
///                                  ServiceplatformFaultMessage_1.wsdl, Fejl_1.xsd, service.properties,
///                                  signing-certificate.pem, sts-certificate.pem
/// wsdl/context/Kontanthjaelp.wsdl  the AuthorityContext model
/// wsdl/token/Kontanthjaelp.wsdl    the SAML token model, with wsdl/token/policies.wsdl
/// ```
///
/// On disk (`wsdl/`) the WSDL folders sit next to the message XSD (`context/…` imports
/// `../Kontanthjaelp_2.xsd`); in the package they sit one level deeper, under `wsdl/`, as on the
/// real platform, so their relative references are rewritten while zipping
/// (`../Kontanthjaelp_2.xsd` → `../../Kontanthjaelp_2.xsd`, `../sp/X` → `../../sp/X`): each one is
/// resolved to the file it names on disk and written again relative to where both land in the ZIP.
/// Files outside the WSDL folders keep their place and so their references.
package struct ContractPackage: Sendable {
    /// The file name the download is offered under.
    package static let fileName = "JC_Kontanthjaelp_2.zip"
    /// Folders below `wsdl/` on disk that move under `wsdl/` in the package.
    static let wsdlFolders = ["context", "token"]

    /// The ZIP itself.
    package let archive: Data
    /// The paths of its entries, sorted.
    package let entryPaths: [String]

    package struct BuildError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Zips `files` (path below `wsdl/` → text, as on disk) and the two certificates (PEM; left
    /// out when nil) in the package layout.
    package init(files: [String: String], signingCertificatePEM: String? = nil, stsCertificatePEM: String? = nil) throws {
        var entries: [String: Data] = [:]
        for (name, text) in files {
            let relocated = RelativeReferences.rewrite(text, documentName: name) { target, fragment in
                RelativeReferences.relativePath(from: Self.packagePath(of: name), to: Self.packagePath(of: target))
                    + (fragment.map { "#" + $0 } ?? "")
            }
            entries[Self.packagePath(of: name)] = Data(relocated.utf8)
        }
        if let signingCertificatePEM { entries["sp/signing-certificate.pem"] = Data(signingCertificatePEM.utf8) }
        if let stsCertificatePEM { entries["sp/sts-certificate.pem"] = Data(stsCertificatePEM.utf8) }

        let paths = entries.keys.sorted()
        do {
            let archive = try Archive(accessMode: .create)
            let now = Date()
            for path in paths {
                let data = entries[path]!
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: now,
                                     permissions: 0o644, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let zipped = archive.data else { throw BuildError(description: "the in-memory archive has no data") }
            self.archive = zipped
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError(description: "cannot zip the contract package: \(error)")
        }
        self.entryPaths = paths
    }

    /// Where a file at `name` below `wsdl/` on disk lands in the package.
    static func packagePath(of name: String) -> String {
        guard let folder = name.split(separator: "/").first, name.contains("/"), wsdlFolders.contains(String(folder)) else { return name }
        return "wsdl/" + name
    }
}
