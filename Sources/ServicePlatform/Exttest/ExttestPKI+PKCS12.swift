import Foundation
import SOAPCodec

extension ExttestPKI {
    /// A pair's certificate and key as a PKCS#12 file beside it, with its passphrase in a file
    /// of its own (both mode 0600), made once: `<name>.p12` and `<name>.p12.passphrase`.
    package struct PKCS12File: Sendable {
        package let path: String
        package let passphrasePath: String
        package let passphrase: String
    }

    /// The demo caller's PKCS#12 (`pki/ky-demo.p12`), created on first use.
    package func demoCallerPKCS12() throws -> PKCS12File {
        try ensurePKCS12(for: demoCaller, friendlyName: "KY demo")
    }

    package func ensurePKCS12(for pair: Pair, friendlyName: String) throws -> PKCS12File {
        let base = pair.certificatePath.hasSuffix(".pem") ? String(pair.certificatePath.dropLast(4)) : pair.certificatePath
        let path = base + ".p12", passphrasePath = base + ".p12.passphrase"
        if FileManager.default.fileExists(atPath: path),
           let stored = try? String(contentsOfFile: passphrasePath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !stored.isEmpty {
            return PKCS12File(path: path, passphrasePath: passphrasePath, passphrase: stored)
        }
        let passphrase = Self.randomPassphrase()
        let bundle = try PKCS12Bundle(certificatePEM: pair.certificatePEM, privateKeyPEM: pair.keyPEM, caPEM: ca.certificatePEM,
                                      friendlyName: friendlyName, passphrase: passphrase)
        for (file, data) in [(passphrasePath, Data((passphrase + "\n").utf8)), (path, Data(bundle.der))] {
            try? FileManager.default.removeItem(atPath: file)
            guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        return PKCS12File(path: path, passphrasePath: passphrasePath, passphrase: passphrase)
    }

    /// 20 characters from an alphabet without look-alikes (about 115 bits).
    static func randomPassphrase() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
