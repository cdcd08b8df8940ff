/// The shape of a received envelope, checked by namespace URI: `Header?` then exactly one
/// `Body` holding exactly one element, nothing else. Later steps work on these very nodes.
package struct SOAPEnvelope {
    package let version: SOAPVersion
    package let header: XMLElement?
    package let body: XMLElement
    /// The single element child of `Body`: the request (or response) element.
    package let payload: XMLElement

    package init(document: XMLDocument, version: SOAPVersion) throws(SOAPEnvelopeError) {
        guard let root = document.root else { throw .notAnEnvelope }
        guard root.localName == "Envelope", root.namespace == version.envelopeNamespace else {
            if root.localName == "Envelope", root.namespace == version.otherEnvelopeNamespace { throw .versionMismatch }
            throw .notAnEnvelope
        }
        guard !root.hasNonElementContent else { throw .unexpectedContent }
        var header: XMLElement?
        var body: XMLElement?
        for child in root.children {
            guard child.namespace == version.envelopeNamespace else { throw .unexpectedContent }
            switch child.localName {
            case "Header":
                guard body == nil else { throw .unexpectedContent }
                guard header == nil else { throw .multipleHeaders }
                header = child
            case "Body":
                guard body == nil else { throw .multipleBodies }
                body = child
            default:
                throw .unexpectedContent
            }
        }
        guard let body else { throw .missingBody }
        guard !body.hasNonElementContent else { throw .unexpectedContent }
        let elements = body.children
        guard let payload = elements.first else { throw .emptyBody }
        guard elements.count == 1 else { throw .multipleBodyElements }
        self.version = version
        self.header = header
        self.body = body
        self.payload = payload
    }
}
