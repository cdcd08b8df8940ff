import Foundation
import SOAPCodec
import SwiftASN1
import X509

/// An STS whose assertions the platform accepts: its entity id (the assertion's Issuer) and
/// signing certificate. The key is loaded once and lent to every verification.
package struct TrustedSTS: Sendable {
    package let entityID: String
    package let certificateDER: [UInt8]
    let key: SignatureKey

    package init(entityID: String, certificatePEM: String) throws {
        let documents = try PEMDocument.parseMultiple(pemString: certificatePEM).filter { $0.discriminator == "CERTIFICATE" }
        guard let first = documents.first else { throw CocoaError(.fileReadCorruptFile) }
        self.entityID = entityID
        certificateDER = first.derBytes
        key = try SignatureKey(certificateDER: first.derBytes)
    }
}
