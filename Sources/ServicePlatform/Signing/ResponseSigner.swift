import Foundation
import SOAPCodec
import SwiftASN1
import X509

/// Signs the answer to a call made under the SAML model, as OIO IDWS clients require before
/// they accept it: WS-Addressing (`Action` = the operation's action + `Response`, a new
/// `MessageID`, `RelatesTo` the request's), `sbf:Framework`, and `wsse:Security` with a
/// Timestamp, the platform's signing certificate as BinarySecurityToken and a signature over
/// Body, Timestamp and those headers. Faults stay unsigned.
package struct ResponseSigner: Sendable {
    private let key: SignatureKey
    private let certificateBase64: String
    package let certificatePEM: String

    /// The private key given for signing does not belong to the signing certificate.
    package struct KeyMismatch: Error, CustomStringConvertible {
        package var description: String { "the response-signing key does not belong to the response-signing certificate" }
    }

    /// A key that is not the certificate's is refused here, at start: every answer signed with
    /// it would fail the client's check against the published signing certificate.
    package init(certificatePEM: String, privateKeyPEM: String) throws {
        guard let der = try PEMDocument.parseMultiple(pemString: certificatePEM).first(where: { $0.discriminator == "CERTIFICATE" })?.derBytes else {
            throw CocoaError(.fileReadCorruptFile)
        }
        guard let keyDocument = try PEMDocument.parseMultiple(pemString: privateKeyPEM).first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") }),
              try Certificate(derEncoded: der).publicKey == Certificate.PrivateKey(pemDocument: keyDocument).publicKey
        else { throw KeyMismatch() }
        key = try SignatureKey(privateKeyPEM: privateKeyPEM)
        certificateBase64 = Data(der).base64EncodedString()
        self.certificatePEM = certificatePEM
    }

    /// The whole signed envelope (SOAP 1.1) around the response element `body`.
    package func envelope(body: String, action: String, relatesTo: String?, now: Date = Date()) throws -> [UInt8] {
        let ns = WSNamespaces.self
        let soap = SOAPVersion.soap11.envelopeNamespace
        var w = XMLWriter()
        w.declaration()
        w.open("soap:Envelope", namespaces: [("soap", soap), ("wsa", ns.wsa), ("wsu", ns.wsu), ("wsse", ns.wsse), ("ds", ns.ds),
                                              ("sbf", ns.sbf), ("sbfprofile", ns.sbfProfile)])
        w.open("soap:Header")
        var signed = ["body", "ts", "wsa-action", "wsa-msgid"]
        w.open("wsa:Action", attributes: [("wsu:Id", "wsa-action")]); w.raw(XMLWriter.escape(action, attribute: false)); w.close("wsa:Action")
        w.open("wsa:MessageID", attributes: [("wsu:Id", "wsa-msgid")]); w.raw("urn:uuid:" + UUID.random().lowercasedText); w.close("wsa:MessageID")
        if let relatesTo {
            w.open("wsa:RelatesTo", attributes: [("wsu:Id", "wsa-relatesto")]); w.raw(XMLWriter.escape(relatesTo, attribute: false)); w.close("wsa:RelatesTo")
            signed.append("wsa-relatesto")
        }
        w.open("sbf:Framework", attributes: [("wsu:Id", "sbf"), ("version", "2.0"), ("sbfprofile:profile", "urn:liberty:sb:profile:basic")])
        w.close("sbf:Framework")
        signed.append("sbf")
        w.open("wsse:Security", attributes: [("soap:mustUnderstand", "1")])
        w.open("wsu:Timestamp", attributes: [("wsu:Id", "ts")])
        w.element("wsu:Created", XSDateTime.format(now))
        w.element("wsu:Expires", XSDateTime.format(now.addingTimeInterval(300)))
        w.close("wsu:Timestamp")
        w.open("wsse:BinarySecurityToken", attributes: [("wsu:Id", "bst"), ("EncodingType", ns.base64Encoding), ("ValueType", ns.x509TokenType)])
        w.raw(certificateBase64)
        w.close("wsse:BinarySecurityToken")
        var keyInfo = XMLWriter()
        keyInfo.open("wsse:SecurityTokenReference")
        keyInfo.open("wsse:Reference", attributes: [("URI", "#bst"), ("ValueType", ns.x509TokenType)]); keyInfo.close("wsse:Reference")
        keyInfo.close("wsse:SecurityTokenReference")
        w.raw(SignatureTemplate.detached(referenceIDs: signed, keyInfo: keyInfo.output))
        w.close("wsse:Security")
        w.close("soap:Header")
        w.open("soap:Body", attributes: [("wsu:Id", "body")])
        w.raw(body)
        w.close("soap:Body")
        w.close("soap:Envelope")

        let document = try XMLDocument(parsing: w.bytes, editable: true)
        guard let signature = document.root?.child(named: QualifiedName(soap, "Header"))?
                .child(named: QualifiedName(ns.wsse, "Security"))?.child(named: QualifiedName(ns.ds, "Signature")),
              document.registerOwnIDs() else { throw CocoaError(.coderInvalidValue) }
        try XMLSigner.sign(signature, with: key)
        return Array(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + (document.root?.serialized() ?? "")).utf8)
    }
}
