import SOAPCodec
import Testing

/// An element written out on its own (what the platform forwards as "received"): it must be the
/// same XML as the element in its document, namespaces from above included. libxml2's exclusive
/// c14n, an independent implementation, is the oracle: the element in its document and the
/// standalone text parsed again must have one canonical form.
@Suite("standalone form of an element (the forwarded request)")
struct StandaloneFormTests {
    private func element(_ xml: String, _ name: String, namespace: String = "urn:a") throws -> XMLElement {
        let document = try XMLDocument(parsing: Array(xml.utf8))
        return try #require(document.root.flatMap { $0.is(QualifiedName(namespace, name)) ? $0 : $0.descendants(named: QualifiedName(namespace, name)).first })
    }

    private func reparsed(_ bytes: [UInt8]) throws -> XMLElement {
        try #require(try XMLDocument(parsing: bytes).root)
    }

    @Test("same canonical form as in its document", arguments: [
        // prefix declared two levels up, unused declarations above
        #"<o:env xmlns:o="urn:o" xmlns:x="urn:a" xmlns:u="urn:u"><o:b><x:e x:k="v" plain="p"><x:c>t</x:c></x:e></o:b></o:env>"#,
        // default namespace from above, and undeclared again inside
        #"<env xmlns="urn:a"><e><c>t</c><d xmlns=""><f>u</f></d></e></env>"#,
        // an attribute whose prefix is declared above; one prefix rebound inside
        #"<o:env xmlns:o="urn:o" xmlns:y="urn:y"><e xmlns="urn:a" y:z="1"><y:g xmlns:y="urn:y2">t</y:g></e></o:env>"#,
        // characters that must be escaped, in text and in attribute values
        #"<e xmlns="urn:a" q="&quot;a&amp;b&lt;c&gt;&#9;&#10;&#13;'">x &amp; y &lt; z &gt; w &#13; "quoted" 'single' æøå &#x1F600;</e>"#,
        // mixed content and whitespace kept as it is
        "<e xmlns=\"urn:a\">\n  <c> spaced </c>\n\t<c/>\n</e>",
    ])
    func sameCanonicalForm(_ xml: String) throws {
        let original = try element(xml, "e")
        let standalone = try #require(original.standaloneForm(excluding: []))
        let again = try reparsed(standalone)
        #expect(again.exclusiveCanonicalForm() == original.exclusiveCanonicalForm(), "\(String(decoding: standalone, as: UTF8.self))")
    }

    @Test("more namespaces in use than the walker tracks (70): every declaration is kept, and the form is still the same")
    func manyNamespaces() throws {
        let inner = (0..<70).map { #"<n\#($0):c xmlns:n\#($0)="urn:n\#($0)" n\#($0):a="v">t</n\#($0):c>"# }.joined()
        let xml = #"<o:env xmlns:o="urn:o" xmlns:x="urn:a"><x:e>\#(inner)</x:e></o:env>"#
        let original = try element(xml, "e")
        let standalone = try #require(original.standaloneForm(excluding: []))
        #expect(try reparsed(standalone).exclusiveCanonicalForm() == original.exclusiveCanonicalForm())
    }

    @Test("excluded children, comments and processing instructions are left out, and declarations only they used; the rest is as it was")
    func exclusions() throws {
        let xml = #"<r xmlns="urn:a" xmlns:c="urn:c"><c:Context><c:Secret>s</c:Secret></c:Context><!-- note --><?pi x?><h>1</h><b>2<!-- in --></b></r>"#
        let root = try element(xml, "r")
        let context = try #require(root.children.first)
        let standalone = String(decoding: try #require(root.standaloneForm(excluding: [context])), as: UTF8.self)
        #expect(standalone == #"<r xmlns="urn:a"><h>1</h><b>2</b></r>"#)
        #expect(!standalone.contains("Secret") && !standalone.contains("note") && !standalone.contains("pi"))
    }

    @Test("namespace confusion: an element named like one in another namespace keeps its own namespace when written out")
    func namespacesKept() throws {
        let xml = #"<o:env xmlns:o="urn:o" xmlns:kh="urn:evil"><kh:e xmlns:kh="urn:a"><kh:c>t</kh:c></kh:e><kh:c>outside</kh:c></o:env>"#
        let original = try element(xml, "e")
        let again = try reparsed(try #require(original.standaloneForm(excluding: [])))
        #expect(again.is(QualifiedName("urn:a", "e")))
        #expect(again.children.map(\.name) == [QualifiedName("urn:a", "c")])
    }
}
