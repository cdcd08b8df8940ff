import Foundation
import ZIPFoundation

/// The contract package served at `?package`: everything a vendor needs to build a client offline,
/// in the real service platform's package layout:
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
///
/// The files are read and relocated once, at start-up; the ZIP is made per download, because the
/// WSDLs' service address is the one the client used (as `?wsdl` writes it), which a ZIP made
/// once could not know. It is small (tens of kB), and `?package` is fetched once per client build.
package struct ContractPackage: Sendable {
    /// The file name the download is offered under.
    package static let fileName = "JC_Kontanthjaelp_2.zip"
    /// Folders below `wsdl/` on disk that move under `wsdl/` in the package.
    static let wsdlFolders = ["context", "token"]

    /// Package path → text: the contract files, relocated, with the address still as on disk.
    private let texts: [String: String]
    /// Package path → content of the files taken as they are (the certificates).
    private let certificates: [String: Data]
    /// The paths of its entries, sorted.
    package let entryPaths: [String]

    package struct BuildError: Error, CustomStringConvertible {
        package let description: String
    }

    /// Takes `files` (path below `wsdl/` → text, as on disk) and the two certificates (PEM; left
    /// out when nil) in the package layout. Zips them once to find a problem at start-up rather
    /// than at the first download.
    package init(files: [String: String], signingCertificatePEM: String? = nil, stsCertificatePEM: String? = nil) throws(BuildError) {
        var texts: [String: String] = [:]
        for (name, text) in files {
            texts[Self.packagePath(of: name)] = RelativeReferences.rewrite(text, documentName: name) { target, fragment in
                RelativeReferences.relativePath(from: Self.packagePath(of: name), to: Self.packagePath(of: target))
                    + (fragment.map { "#" + $0 } ?? "")
            }
        }
        var certificates: [String: Data] = [:]
        if let signingCertificatePEM { certificates["sp/signing-certificate.pem"] = Data(signingCertificatePEM.utf8) }
        if let stsCertificatePEM { certificates["sp/sts-certificate.pem"] = Data(stsCertificatePEM.utf8) }
        self.texts = texts
        self.certificates = certificates
        self.entryPaths = (Array(texts.keys) + Array(certificates.keys)).sorted()
        _ = try archive(endpoint: PublishedContract.addressInFiles)
    }

    /// The ZIP for a client that called `endpoint`: the WSDLs name it as the service address.
    package func archive(endpoint: String) throws(BuildError) -> Data {
        do {
            let archive = try Archive(accessMode: .create)
            let now = Date()
            for path in entryPaths {
                let data = texts[path].map { Data(PublishedContract.withServiceAddress($0, endpoint: endpoint).utf8) } ?? certificates[path] ?? Data()
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: now,
                                     permissions: 0o644, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            guard let zipped = archive.data else { throw BuildError(description: "the in-memory archive has no data") }
            return zipped
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError(description: "cannot zip the contract package: \(error)")
        }
    }

    /// Where a file at `name` below `wsdl/` on disk lands in the package.
    static func packagePath(of name: String) -> String {
        guard let folder = name.split(separator: "/").first, name.contains("/"), wsdlFolders.contains(String(folder)) else { return name }
        return "wsdl/" + name
    }
}
