import Foundation
import SOAPCodec

/// Builds and signs a call under the SAML model the way OIO IDWS clients do (SOAP 1.1,
/// WS-Addressing, `sbf:Framework`, `wsse:Security` with Timestamp, assertion, STR (SAMLID) and
/// the message signature over Body, Timestamp, the addressing headers and, through the
/// STR-Transform, the assertion; KeyInfo = the STR).
/// Used by `serviceplatform send --security saml` and by tests.
package struct TokenMessageSigner: Sendable {
    private let key: SignatureKey

    package init(privateKeyPEM: String) throws {
        key = try SignatureKey(privateKeyPEM: privateKeyPEM)
    }

    package init(key: SignatureKey) { self.key = key }

    /// `payload` is the request element's markup; `assertion` the STS's assertion as issued.
    package func envelope(payload: String, assertion: String, action: String, to endpoint: String,
                          now: Date = Date(), lifetime: TimeInterval = 300) throws -> [UInt8] {
        let ns = WSNamespaces.self
        let assertionDocument = try XMLDocument(parsing: Array(assertion.utf8))
        guard let assertionID = assertionDocument.root?.attribute("ID") else { throw CocoaError(.coderInvalidValue) }
        let ids = (body: "body", timestamp: "ts", action: "wsa-action", messageID: "wsa-msgid", to: "wsa-to",
                   replyTo: "wsa-replyto", framework: "sbf", str: "str")
        let soap = SOAPVersion.soap11.envelopeNamespace
        let mu = [("soap:mustUnderstand", "1")]
        var w = XMLWriter()
        w.open("soap:Envelope", namespaces: [("soap", soap), ("wsa", ns.wsa), ("wsu", ns.wsu), ("wsse", ns.wsse), ("wsse11", ns.wsse11),
                                              ("ds", ns.ds), ("sbf", ns.sbf), ("sbfprofile", ns.sbfProfile)])
        w.open("soap:Header")
        w.open("wsa:Action", attributes: mu + [("wsu:Id", ids.action)]); w.raw(XMLWriter.escape(action, attribute: false)); w.close("wsa:Action")
        w.open("wsa:MessageID", attributes: [("wsu:Id", ids.messageID)])
        w.raw("urn:uuid:" + UUID.random().lowercasedText); w.close("wsa:MessageID")
        w.open("wsa:To", attributes: mu + [("wsu:Id", ids.to)]); w.raw(XMLWriter.escape(endpoint, attribute: false)); w.close("wsa:To")
        w.open("wsa:ReplyTo", attributes: [("wsu:Id", ids.replyTo)])
        w.element("wsa:Address", "http://www.w3.org/2005/08/addressing/anonymous")
        w.close("wsa:ReplyTo")
        w.open("sbf:Framework", attributes: mu + [("wsu:Id", ids.framework), ("version", "2.0"), ("sbfprofile:profile", "urn:liberty:sb:profile:basic")])
        w.close("sbf:Framework")
        w.open("wsse:Security", attributes: mu)
        w.open("wsu:Timestamp", attributes: [("wsu:Id", ids.timestamp)])
        w.element("wsu:Created", XSDateTime.format(now))
        w.element("wsu:Expires", XSDateTime.format(now.addingTimeInterval(lifetime)))
        w.close("wsu:Timestamp")
        w.raw(assertion.hasPrefix("<?xml") ? String(assertion.drop { $0 != ">" }.dropFirst()) : assertion)
        w.raw(securityTokenReference(id: ids.str, assertionID: assertionID))
        let keyInfo = securityTokenReference(id: nil, assertionID: assertionID)
        w.raw(SignatureTemplate.detached(referenceIDs: [ids.body, ids.timestamp, ids.action, ids.messageID, ids.to, ids.replyTo, ids.framework],
                                         tokenReferenceID: ids.str, keyInfo: keyInfo))
        w.close("wsse:Security")
        w.close("soap:Header")
        w.open("soap:Body", attributes: [("wsu:Id", ids.body)])
        w.raw(payload)
        w.close("soap:Body")
        w.close("soap:Envelope")

        let document = try XMLDocument(parsing: w.bytes, editable: true)
        guard let root = document.root, let header = root.child(named: QualifiedName(soap, "Header")),
              let security = header.child(named: QualifiedName(ns.wsse, "Security")),
              let signature = security.child(named: QualifiedName(ns.ds, "Signature")),
              let signedAssertion = security.child(named: QualifiedName(ns.saml, "Assertion")),
              document.registerOwnIDs() else { throw CocoaError(.coderInvalidValue) }
        try XMLSigner.sign(signature, with: key, tokenAssertion: signedAssertion)
        return Array(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + root.serialized()).utf8)
    }

    private func securityTokenReference(id: String?, assertionID: String) -> String {
        let ns = WSNamespaces.self
        var w = XMLWriter()
        w.open("wsse:SecurityTokenReference", attributes: (id.map { [("wsu:Id", $0)] } ?? []) + [("wsse11:TokenType", ns.samlTokenType)])
        w.open("wsse:KeyIdentifier", attributes: [("ValueType", ns.samlIDValueType)])
        w.raw(XMLWriter.escape(assertionID, attribute: false))
        w.close("wsse:KeyIdentifier")
        w.close("wsse:SecurityTokenReference")
        return w.output
    }
}
