import Crypto
import Foundation
import SOAPCodec

/// The client certificate a TLS peer presented (its DER), and the SHA-256 fingerprint that maps
/// it to a registered system. Presented is not verified: `ClientCertificateVerifier` decides.
package struct TLSPeer: Sendable, Equatable {
    package let certificateDER: [UInt8]
    package let fingerprint: String

    package init(certificateDER: [UInt8]) {
        self.certificateDER = certificateDER
        fingerprint = CertificateFingerprint.sha256(certificateDER)
    }
}

/// Lowercase hex SHA-256 of a certificate's DER: how the registry names certificates.
package enum CertificateFingerprint {
    package static func sha256(_ der: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: der))
    }
}
