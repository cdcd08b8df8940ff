import Foundation
import SOAPCodec

/// Self-service test certificates (exttest): a new client certificate from the exttest CA,
/// handed out as PKCS#12 under the tester's passphrase and registered to a new system at once.
/// Everything is checked and made before the one write, so a refusal leaves nothing behind.
package struct TestCertificateIssuer: Sendable {
    package static let minimumPassphraseLength = 8
    package static let maximumPassphraseLength = 1024

    package struct Issued: Sendable {
        package let systemID: String
        package let pkcs12: [UInt8]
        package let fingerprint: String
        package let notAfter: Date
    }

    private let pki: ExttestPKI
    private let commands: AdminCommands

    package init(pki: ExttestPKI, commands: AdminCommands) {
        self.pki = pki
        self.commands = commands
    }

    package func issue(name: String, passphrase: String) async throws(AdminError) -> Issued {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { throw AdminError(.badRequest, "name must be 1 to 200 characters") }
        guard trimmed.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) }) else {
            throw AdminError(.badRequest, "name may not contain control characters")
        }
        guard passphrase.count >= Self.minimumPassphraseLength else {
            throw AdminError(.badRequest, "passphrase must be at least \(Self.minimumPassphraseLength) characters")
        }
        guard passphrase.count <= Self.maximumPassphraseLength, !passphrase.utf8.contains(0) else {
            throw AdminError(.badRequest, "passphrase must be at most \(Self.maximumPassphraseLength) characters, without NUL")
        }
        let certificate: IssuedCertificate
        let bundle: PKCS12Bundle
        let certificatePEM: String
        let fingerprint: String
        do {
            // RSA: the same file then works for the SAML model's message signature too.
            certificate = try pki.authority().issue(commonName: trimmed, organization: "Serviceplatform exttest tester", usage: .client, key: .rsa2048)
            certificatePEM = try certificate.certificatePEM
            fingerprint = try certificate.fingerprint
            bundle = try PKCS12Bundle(certificatePEM: certificatePEM, privateKeyPEM: try certificate.privateKeyPEM,
                                      caPEM: pki.ca.certificatePEM, friendlyName: trimmed, passphrase: passphrase)
        } catch {
            throw AdminError(.conflict, "the test certificate could not be made")
        }
        let id = try await commands.registerSystem(name: trimmed, certificatePEM: certificatePEM)
        return Issued(systemID: id, pkcs12: bundle.der, fingerprint: fingerprint, notAfter: certificate.certificate.notValidAfter)
    }
}
