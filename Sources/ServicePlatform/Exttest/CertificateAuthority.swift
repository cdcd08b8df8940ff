import Crypto
import _CryptoExtras
import Foundation
import X509

/// A certificate and its private key, as PEM for NIOSSL and files.
package struct IssuedCertificate: Sendable {
    package let certificate: Certificate
    package let privateKey: Certificate.PrivateKey

    package var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }
    package var privateKeyPEM: String { get throws { try privateKey.serializeAsPEM().pemString } }
    package var certificateDER: [UInt8] { get throws { try certificate.serializeAsPEM().derBytes } }
    package var fingerprint: String { get throws { CertificateFingerprint.sha256(try certificateDER) } }
}

/// The exttest CA: issues server and client certificates for the test environment and the
/// tests, with swift-certificates. Keys are P-256 unless RSA is asked for (XML signatures
/// with RSA-SHA256 need RSA keys).
package struct CertificateAuthority: Sendable {
    package enum KeyKind: Sendable { case p256, rsa2048 }
    package enum Usage: Sendable { case server, client, both }

    package let root: IssuedCertificate

    package init(root: IssuedCertificate) { self.root = root }

    /// A new self-signed CA valid `years` years from `now`.
    package static func create(commonName: String, now: Date = Date(), years: Double = 10) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            CountryName("DK")
            OrganizationName("Serviceplatform exttest")
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(years * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return CertificateAuthority(root: IssuedCertificate(certificate: certificate, privateKey: key))
    }

    /// Reads a CA back from its PEM files' contents.
    package static func load(certificatePEM: String, privateKeyPEM: String) throws -> CertificateAuthority {
        CertificateAuthority(root: IssuedCertificate(certificate: try Certificate(pemEncoded: certificatePEM),
                                                     privateKey: try Certificate.PrivateKey(pemEncoded: privateKeyPEM)))
    }

    /// Issues a leaf certificate. `dnsNames`/`ipAddresses` go into subjectAltName (servers).
    package func issue(commonName: String, organization: String = "Serviceplatform exttest", usage: Usage,
                       dnsNames: [String] = [], ipAddresses: [[UInt8]] = [], key kind: KeyKind = .p256,
                       notBefore: Date = Date().addingTimeInterval(-3600), notAfter: Date = Date().addingTimeInterval(2 * 365 * 86400)) throws -> IssuedCertificate {
        let key: Certificate.PrivateKey = switch kind {
        case .p256: Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .rsa2048: Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        }
        let subject = try DistinguishedName {
            CountryName("DK")
            OrganizationName(organization)
            CommonName(commonName)
        }
        let usages: [ExtendedKeyUsage.Usage] = switch usage {
        case .server: [.serverAuth]
        case .client: [.clientAuth]
        case .both: [.serverAuth, .clientAuth]
        }
        var names: [GeneralName] = dnsNames.map { .dnsName($0) }
        names += ipAddresses.map { .ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: root.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: kind == .rsa2048))
                try ExtendedKeyUsage(usages)
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try? root.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerPrivateKey: root.privateKey)
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }
}

import SwiftASN1
