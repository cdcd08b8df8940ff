import SOAPCodec
import Testing

@Suite("exclusive canonical form of a subtree (the key of the assertion verdict cache)")
struct CanonicalFormTests {
    private func element(_ xml: String, _ name: String) throws -> XMLElement {
        let document = try XMLDocument(parsing: Array(xml.utf8))
        return try #require(document.root?.descendants(named: QualifiedName("urn:a", name)).first)
    }

    @Test("the same content in different surroundings has one form: inherited namespaces rendered, unused ones dropped")
    func contextFree() throws {
        let inherited = try element(#"<o:outer xmlns:o="urn:o" xmlns:x="urn:a" xmlns:unused="urn:u"><x:e A="1" B="2">t</x:e></o:outer>"#, "e")
        let own = try element(#"<x:e xmlns:x="urn:a" B="2" A="1">t</x:e>"#, "e")
        let formA = try #require(inherited.exclusiveCanonicalForm())
        let formB = try #require(own.exclusiveCanonicalForm())
        #expect(formA == formB)
        #expect(String(decoding: formA, as: UTF8.self) == #"<x:e xmlns:x="urn:a" A="1" B="2">t</x:e>"#)
    }

    @Test("content, a namespace and a comment each change the form (an edited assertion cannot hit a cached verdict)", arguments: [
        #"<x:e xmlns:x="urn:a" A="1">u</x:e>"#,
        #"<x:e xmlns:x="urn:a" A="2">t</x:e>"#,
        #"<x:e xmlns:x="urn:a" xmlns:y="urn:b" A="1"><y:f/>t</x:e>"#,
        #"<x:e xmlns:x="urn:a" A="1">t<!---->t</x:e>"#,
        #"<x:e xmlns:x="urn:a" A="1"> t</x:e>"#,
    ])
    func sensitive(_ variant: String) throws {
        let base = try #require(try element(#"<x:e xmlns:x="urn:a" A="1">t</x:e>"#, "e").exclusiveCanonicalForm())
        #expect(try element(variant, "e").exclusiveCanonicalForm() != base)
    }

    @Test("only the subtree: siblings and the parent's text are not in the form")
    func subtreeOnly() throws {
        let e = try element(#"<x:r xmlns:x="urn:a">before<x:e>t</x:e><x:s>after</x:s></x:r>"#, "e")
        #expect(String(decoding: try #require(e.exclusiveCanonicalForm()), as: UTF8.self) == #"<x:e xmlns:x="urn:a">t</x:e>"#)
    }
}
