import Foundation
import Synchronization
import SwiftASN1
import X509

/// Verifies a presented client certificate against the configured client trust roots with
/// swift-certificates (RFC 5280: chain, validity, CA constraints). A verdict is cached by
/// fingerprint for a minute (never past the certificate's expiry), so a caller on keep-alive
/// does not pay for chain building on every call.
package final class ClientCertificateVerifier: Sendable {
    private let roots: [Certificate]
    private let intermediates: [Certificate]
    private let cache = Mutex<[String: Date]>([:])
    private let cacheLifetime: TimeInterval

    package init(roots: [Certificate], intermediates: [Certificate] = [], cacheLifetime: TimeInterval = 60) {
        self.roots = roots
        self.intermediates = intermediates
        self.cacheLifetime = cacheLifetime
    }

    /// Loads every certificate in each PEM bundle; the self-signed ones are roots.
    package convenience init(pemBundles: [String]) throws {
        var roots: [Certificate] = []
        var intermediates: [Certificate] = []
        for bundle in pemBundles {
            for document in try PEMDocument.parseMultiple(pemString: bundle) where document.discriminator == "CERTIFICATE" {
                let certificate = try Certificate(derEncoded: document.derBytes)
                if certificate.issuer == certificate.subject { roots.append(certificate) } else { intermediates.append(certificate) }
            }
        }
        self.init(roots: roots, intermediates: intermediates)
    }

    /// SP-2001 unless `peer` chains to a trust root and is valid now (`now` dates the cache only).
    package func verify(_ peer: TLSPeer, now: Date = Date()) async throws(PlatformFault) {
        if let until = cache.withLock({ $0[peer.fingerprint] }), until > now { return }
        let leaf: Certificate
        do { leaf = try Certificate(derEncoded: peer.certificateDER) } catch {
            throw PlatformFault(.authenticationFailed, "the client certificate cannot be read")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) { RFC5280Policy() }   // validates expiry against the current time
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
        case .validCertificate:
            let until = min(leaf.notValidAfter, now.addingTimeInterval(cacheLifetime))
            cache.withLock { cache in
                if cache.count > 10_000 { cache.removeAll() }
                cache[peer.fingerprint] = until
            }
        case .couldNotValidate:
            if leaf.notValidAfter < now || leaf.notValidBefore > now {
                throw PlatformFault(.authenticationFailed, "the client certificate is expired or not yet valid")
            }
            throw PlatformFault(.authenticationFailed, "the client certificate does not chain to a trusted root")
        }
    }
}
