import CXMLSecShims
import Foundation

/// A PKCS#12 file (certificate, private key and the CA chain) protected by a passphrase, made
/// by OpenSSL's `PKCS12_create` (PBES2 with AES-256-CBC and PBKDF2, SHA-256 MAC), as browsers,
/// Windows, Java and curl import it.
package struct PKCS12Bundle: Sendable {
    /// Why a bundle could not be made; each names its input, never echoes it.
    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case certificateUnreadable, keyUnreadable, keyDoesNotMatchCertificate, caUnreadable, passphraseUnusable, failed

        package var description: String {
            switch self {
            case .certificateUnreadable: "the certificate is not a PEM certificate"
            case .keyUnreadable: "the private key is not an unencrypted PEM private key"
            case .keyDoesNotMatchCertificate: "the private key does not belong to the certificate"
            case .caUnreadable: "the CA certificate is not a PEM certificate"
            case .passphraseUnusable: "the passphrase may not contain a NUL character"
            case .failed: "the PKCS#12 file could not be made"
            }
        }
    }

    /// The DER bytes of the PKCS#12 structure (a `.p12` / `.pfx` file).
    package let der: [UInt8]

    package init(certificatePEM: String, privateKeyPEM: String, caPEM: String?, friendlyName: String, passphrase: String) throws(Failure) {
        guard !passphrase.utf8.contains(0), !friendlyName.utf8.contains(0) else { throw .passphraseUnusable }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = cxmlsec_pkcs12_create(certificatePEM, privateKeyPEM, caPEM, friendlyName, passphrase, &out, &length)
        defer { free(out) }
        switch rc {
        case 0:
            guard let out, length > 0 else { throw .failed }
            der = Array(UnsafeBufferPointer(start: out, count: length))
        case -1: throw .certificateUnreadable
        case -2: throw .keyUnreadable
        case -3: throw .keyDoesNotMatchCertificate
        case -4: throw .caUnreadable
        default: throw .failed
        }
    }
}
