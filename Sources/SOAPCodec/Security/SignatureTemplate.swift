/// `ds:Signature` templates for xmlsec to fill in (empty DigestValue and SignatureValue):
/// exclusive c14n, RSA-SHA256, SHA-256, as the contract fixes them. The `ds` prefix must be
/// declared by an ancestor.
package enum SignatureTemplate {
    /// An enveloped signature over the element with `referenceID` (SAML assertions), with the
    /// signer's certificate in KeyInfo as a hint.
    package static func enveloped(referenceID: String, certificateBase64: String) -> String {
        var w = XMLWriter()
        w.open("ds:Signature")
        signedInfo(&w, references: [(referenceID, [WSNamespaces.envelopedSignature, WSNamespaces.exclusiveC14N])])
        w.element("ds:SignatureValue", "")
        w.open("ds:KeyInfo")
        w.open("ds:X509Data")
        w.element("ds:X509Certificate", certificateBase64)
        w.close("ds:X509Data")
        w.close("ds:KeyInfo")
        w.close("ds:Signature")
        return w.output
    }

    /// A WS-Security message signature over the elements with `referenceIDs`; `keyInfo` is the
    /// markup inside `ds:KeyInfo` (an STR).
    /// With `tokenReferenceID`, one more reference signs the token that STR names through the
    /// STR-Transform (the `wsse` prefix must be declared by an ancestor).
    package static func detached(referenceIDs: [String], tokenReferenceID: String? = nil, keyInfo: String) -> String {
        var w = XMLWriter()
        w.open("ds:Signature")
        var references = referenceIDs.map { (id: $0, transforms: [WSNamespaces.exclusiveC14N]) }
        if let tokenReferenceID { references.append((tokenReferenceID, [WSNamespaces.strTransform])) }
        signedInfo(&w, references: references)
        w.element("ds:SignatureValue", "")
        w.open("ds:KeyInfo")
        w.raw(keyInfo)
        w.close("ds:KeyInfo")
        w.close("ds:Signature")
        return w.output
    }

    private static func signedInfo(_ w: inout XMLWriter, references: [(id: String, transforms: [String])]) {
        let ns = WSNamespaces.self
        w.open("ds:SignedInfo")
        w.open("ds:CanonicalizationMethod", attributes: [("Algorithm", ns.exclusiveC14N)]); w.close("ds:CanonicalizationMethod")
        w.open("ds:SignatureMethod", attributes: [("Algorithm", ns.rsaSHA256)]); w.close("ds:SignatureMethod")
        for reference in references {
            w.open("ds:Reference", attributes: [("URI", "#" + reference.id)])
            w.open("ds:Transforms")
            for transform in reference.transforms {
                w.open("ds:Transform", attributes: [("Algorithm", transform)])
                if transform == WSNamespaces.strTransform {
                    w.open("wsse:TransformationParameters")
                    w.open("ds:CanonicalizationMethod", attributes: [("Algorithm", WSNamespaces.exclusiveC14N)]); w.close("ds:CanonicalizationMethod")
                    w.close("wsse:TransformationParameters")
                }
                w.close("ds:Transform")
            }
            w.close("ds:Transforms")
            w.open("ds:DigestMethod", attributes: [("Algorithm", ns.sha256)]); w.close("ds:DigestMethod")
            w.element("ds:DigestValue", "")
            w.close("ds:Reference")
        }
        w.close("ds:SignedInfo")
    }
}

extension XMLDocument {
    /// Registers every `wsu:Id` in the document as an XML ID (for documents the platform built
    /// itself and is about to sign; never for received ones, which register only chosen nodes).
    package func registerOwnIDs() -> Bool {
        guard let root else { return false }
        var stack = [root]
        while let element = stack.popLast() {
            if element.attribute("Id", namespace: WSNamespaces.wsu) != nil,
               !element.registerID(attribute: "Id", namespace: WSNamespaces.wsu) { return false }
            stack.append(contentsOf: element.children)
        }
        return true
    }
}
