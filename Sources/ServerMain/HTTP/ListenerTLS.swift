import Foundation
import Hummingbird
import HummingbirdTLS
import NIOSSL

/// TLS for the two HTTPS listeners.
enum ListenerTLS {
    /// The service port: a client certificate is requested, never required at the TLS level.
    /// Whatever the client presents completes the handshake (it still proves possession of the
    /// key); the security model verifies the chain against the client trust roots and answers
    /// a SOAP fault, which a caller can read, instead of a TLS alert, which it cannot.
    static func service(certificatePEM: String, keyPEM: String) throws -> TLSChannelConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
        tls.certificateVerification = .optionalVerification
        tls.minimumTLSVersion = .tlsv12
        return TLSChannelConfiguration(tlsConfiguration: tls, customVerificationCallback: { _, promise in
            promise.succeed(.certificateVerified)
        })
    }

    /// A receiver's port (the demo jobcenter): only the platform, with a certificate from `clientCAPEM`, gets in.
    static func mutual(certificatePEM: String, keyPEM: String, clientCAPEM: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)))
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCAPEM.utf8)))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }
}
