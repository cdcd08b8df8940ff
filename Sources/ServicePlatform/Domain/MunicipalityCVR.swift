/// A municipality's CVR number: eight digits, what AuthorityContext and SAML tokens carry.
package struct MunicipalityCVR: Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String

    package init?(_ text: String) {
        guard text.utf8.count == 8, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        rawValue = text
    }

    package var description: String { rawValue }
}
