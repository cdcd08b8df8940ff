import NIOSSL

/// The client side of mutual TLS, read from PEM files: the certificate and key the generator
/// presents and the CA it trusts for the server. The same files a real caller would use.
public struct ClientTLS: Sendable {
    public var certificatePath: String?
    public var keyPath: String?
    public var caPath: String?

    public init(certificatePath: String?, keyPath: String?, caPath: String?) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
    }

    public func configuration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let certificatePath {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
        }
        if let keyPath { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem)) }
        if let caPath { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath)) }
        return tls
    }
}
