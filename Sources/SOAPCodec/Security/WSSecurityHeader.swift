/// The parts of a WS-Security message the token model works on, found by structure and
/// namespace: exactly one `wsse:Security` in `soap:Header` holding exactly one `wsu:Timestamp`,
/// at most one `saml:Assertion` (the SAML model requires it), at most one `wsse:SecurityTokenReference`, one `ds:Signature`, and
/// nothing it does not know. No lookups by id: these are the very nodes later steps process.
package struct WSSecurityHeader {
    package let security: XMLElement
    package let timestamp: XMLElement
    /// The token (required by the SAML model; a signed response carries none).
    package let assertion: XMLElement?
    package let tokenReference: XMLElement?
    package let signature: XMLElement
    package let binarySecurityToken: XMLElement?
    /// WS-Addressing headers and `sbf:Framework`, which a signature may cover.
    package let addressingHeaders: [XMLElement]

    package enum StructureError: Error, Sendable, Equatable {
        case noSecurityHeader, malformed(String)
    }

    /// Whether the envelope carries a `wsse:Security` header at all (selects the token model).
    package static func isPresent(in header: XMLElement?) -> Bool {
        header?.children.contains { $0.is(QualifiedName(WSNamespaces.wsse, "Security")) } ?? false
    }

    package init(header: XMLElement?, soapVersion: SOAPVersion) throws(StructureError) {
        guard let header else { throw .noSecurityHeader }
        let securities = header.children(named: QualifiedName(WSNamespaces.wsse, "Security"))
        guard !securities.isEmpty else { throw .noSecurityHeader }
        guard securities.count == 1 else { throw .malformed("more than one wsse:Security header") }
        let security = securities[0]
        let env = soapVersion.envelopeNamespace
        if security.attribute("actor", namespace: env) != nil || security.attribute("role", namespace: env) != nil {
            throw .malformed("wsse:Security addressed to another actor")
        }
        var timestamp: XMLElement?, assertion: XMLElement?, reference: XMLElement?, signature: XMLElement?, token: XMLElement?
        for child in security.children {
            switch (child.namespace ?? "", child.localName) {
            case (WSNamespaces.wsu, "Timestamp"):
                guard timestamp == nil else { throw .malformed("more than one Timestamp") }
                timestamp = child
            case (WSNamespaces.saml, "Assertion"):
                guard assertion == nil else { throw .malformed("more than one assertion") }
                assertion = child
            case (WSNamespaces.wsse, "SecurityTokenReference"):
                guard reference == nil else { throw .malformed("more than one SecurityTokenReference") }
                reference = child
            case (WSNamespaces.ds, "Signature"):
                guard signature == nil else { throw .malformed("more than one message signature") }
                signature = child
            case (WSNamespaces.wsse, "BinarySecurityToken"):
                guard token == nil else { throw .malformed("more than one BinarySecurityToken") }
                token = child
            default:
                throw .malformed("wsse:Security holds an element it may not")
            }
        }
        guard let timestamp else { throw .malformed("the Timestamp is missing") }
        guard let signature else { throw .malformed("the message signature is missing") }
        self.security = security
        self.timestamp = timestamp
        self.assertion = assertion
        self.tokenReference = reference
        self.signature = signature
        self.binarySecurityToken = token
        addressingHeaders = header.children.filter { $0.namespace == WSNamespaces.wsa || $0.is(QualifiedName(WSNamespaces.sbf, "Framework")) }
    }
}

extension XMLElement {
    /// All descendants (and self) named `name`, in document order.
    package func descendants(named name: QualifiedName) -> [XMLElement] {
        var found: [XMLElement] = []
        var stack: [XMLElement] = [self]
        while let element = stack.popLast() {
            if element.is(name) { found.append(element) }
            stack.append(contentsOf: element.children.reversed())
        }
        return found
    }
}
