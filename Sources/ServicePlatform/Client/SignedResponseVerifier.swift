import Foundation
import SOAPCodec
import SwiftASN1

/// What a token client checks before it accepts an answer: the response is signed with the
/// platform's published signing certificate (pinned, not whatever the BinarySecurityToken
/// carries), the signature covers the Body and the Timestamp, and `sbf:Framework` is present.
package struct SignedResponseVerifier: Sendable {
    private let key: SignatureKey
    private let certificateDER: [UInt8]

    package enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unsigned(String)
        package var description: String {
            switch self { case .unsigned(let reason): "the response is not validly signed: \(reason)" }
        }
    }

    package init(signingCertificatePEM: String) throws {
        guard let der = try PEMDocument.parseMultiple(pemString: signingCertificatePEM).first(where: { $0.discriminator == "CERTIFICATE" })?.derBytes else {
            throw CocoaError(.fileReadCorruptFile)
        }
        certificateDER = der
        key = try SignatureKey(certificateDER: der)
    }

    /// Checks `response`; returns the ids the signature covered.
    package func verify(_ response: [UInt8]) throws(Failure) -> [String] {
        let ns = WSNamespaces.self
        let fail = { (reason: String) in Failure.unsigned(reason) }
        guard let document = try? XMLDocument(parsing: response, limits: XMLLimits(maxBytes: 4 << 20)),
              let envelope = try? SOAPEnvelope(document: document, version: .soap11) else { throw fail("not a SOAP 1.1 envelope") }
        guard envelope.header?.child(named: QualifiedName(ns.sbf, "Framework")) != nil else { throw fail("sbf:Framework is missing") }
        let header: WSSecurityHeader
        do { header = try WSSecurityHeader(header: envelope.header, soapVersion: .soap11) } catch {
            throw fail("no single wsse:Security with Timestamp and Signature")
        }
        guard let token = header.binarySecurityToken,
              Base64Text.decode(token.text) == certificateDER else {
            throw fail("the BinarySecurityToken is not the platform's signing certificate")
        }
        var ids: Set<String> = []
        for element in [envelope.body, header.timestamp, token] + header.addressingHeaders {
            guard let id = element.attribute("Id", namespace: ns.wsu) else { continue }
            guard element.registerID(attribute: "Id", namespace: ns.wsu) else { throw fail("duplicate id") }
            ids.insert(id)
        }
        guard let bodyID = envelope.body.attribute("Id", namespace: ns.wsu),
              let timestampID = header.timestamp.attribute("Id", namespace: ns.wsu) else { throw fail("Body or Timestamp has no wsu:Id") }
        let covered: VerifiedReferences
        do { covered = try SignatureVerifier.verify(header.signature, with: key, profile: .detached) } catch {
            throw fail("the signature does not verify")
        }
        guard covered.ids.contains(bodyID), covered.ids.contains(timestampID), Set(covered.ids).isSubset(of: ids) else {
            throw fail("the signature does not cover the Body and the Timestamp")
        }
        return covered.ids
    }
}
