extension SOAPEnvelope {
    /// The header blocks addressed to this node (no actor/role, or the "next" and ultimate
    /// receiver ones) that are marked `mustUnderstand` and are not among `understood`. SOAP
    /// (1.1 §4.2.3, 1.2 part 1 §5.2.3) forbids processing a message that has any: the sender
    /// relies on the block's meaning, and ignoring it would act against the sender's intent.
    package func blocksNotUnderstood(_ understood: Set<QualifiedName>) -> [QualifiedName] {
        guard let header else { return [] }
        let ns = version.envelopeNamespace
        return header.children.filter { block in
            guard let flag = block.attribute("mustUnderstand", namespace: ns), Self.isTrue(flag) else { return false }
            guard Self.isAddressedHere(block, version: version) else { return false }
            return !understood.contains(block.name)
        }.map(\.name)
    }

    private static func isTrue(_ flag: String) -> Bool {
        let value = flag.trimmingXMLWhitespace()
        return value == "1" || value == "true"
    }

    private static func isAddressedHere(_ block: XMLElement, version: SOAPVersion) -> Bool {
        switch version {
        case .soap11:
            guard let actor = block.attribute("actor", namespace: version.envelopeNamespace)?.trimmingXMLWhitespace() else { return true }
            return actor.isEmpty || actor == "http://schemas.xmlsoap.org/soap/actor/next"
        case .soap12:
            guard let role = block.attribute("role", namespace: version.envelopeNamespace)?.trimmingXMLWhitespace() else { return true }
            return role.isEmpty || role == "http://www.w3.org/2003/05/soap-envelope/role/next"
                || role == "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"
        }
    }
}
