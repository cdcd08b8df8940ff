import Foundation
import ServicePlatform

/// A certificate (chain) and its private key, as PEM text, read once at start-up: from files a
/// deployment names, or the data folder's generated pair.
struct PEMPair: Sendable {
    let certificatePEM: String
    let keyPEM: String

    init(files: (certificate: String, key: String)) throws {
        certificatePEM = try String(contentsOfFile: files.certificate, encoding: .utf8)
        keyPEM = try String(contentsOfFile: files.key, encoding: .utf8)
    }

    init(_ generated: ExttestPKI.Pair) {
        certificatePEM = generated.certificatePEM
        keyPEM = generated.keyPEM
    }
}
