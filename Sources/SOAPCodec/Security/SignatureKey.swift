import CXMLSecShims

/// A key xmlsec can verify or sign with, loaded once and lent to each signature context (loading
/// a key from a certificate costs ~0.2 ms; lending costs nothing).
///
/// `@unchecked Sendable`: the key is immutable after loading and xmlsec/OpenSSL only read it
/// while verifying or signing, which OpenSSL 3 allows from several threads at once.
package final class SignatureKey: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    package enum LoadError: Error, Sendable { case unreadable }

    /// The public key of a DER certificate: how trusted STS and holder-of-key keys are loaded.
    package init(certificateDER: [UInt8]) throws(LoadError) {
        LibXMLRuntime.ensureInitialised()
        guard let key = certificateDER.withUnsafeBufferPointer({ cxmlsec_key_from_certificate_der($0.baseAddress, $0.count) }) else {
            throw .unreadable
        }
        raw = key
    }

    /// A private key from PEM, for signing.
    package init(privateKeyPEM: String) throws(LoadError) {
        LibXMLRuntime.ensureInitialised()
        let bytes = Array(privateKeyPEM.utf8)
        guard let key = bytes.withUnsafeBufferPointer({ cxmlsec_key_from_private_pem($0.baseAddress, $0.count) }) else {
            throw .unreadable
        }
        raw = key
    }

    /// The private key of a PKCS#12 bundle.
    package init(pkcs12: [UInt8], passphrase: String) throws(LoadError) {
        LibXMLRuntime.ensureInitialised()
        guard let key = pkcs12.withUnsafeBufferPointer({ cxmlsec_key_from_pkcs12($0.baseAddress, $0.count, passphrase) }) else {
            throw .unreadable
        }
        raw = key
    }

    deinit { cxmlsec_key_free(raw) }
}
