import Foundation
import SOAPCodec
import Testing

@Suite("Parsing untrusted XML")
struct XMLDocumentTests {
    @Test("a well-formed document parses and names compare by namespace, not prefix")
    func parses() throws {
        let doc = try XMLDocument(parsing: Array("<x:a xmlns:x=\"urn:a\"><y:b xmlns:y=\"urn:a\">t<!--c-->u</y:b></x:a>".utf8))
        let root = try #require(doc.root)
        #expect(root.is(QualifiedName("urn:a", "a")))
        let b = try #require(root.child(named: QualifiedName("urn:a", "b")))
        #expect(b.text == "tu")
    }

    @Test("child look-up compares the exact namespace and local name bytes")
    func childLookupExactNames() throws {
        let xml = """
            <r xmlns="urn:r" xmlns:o="urn:other"><BeskedID>1</BeskedID><o:Besked>2</o:Besked><Besked>3</Besked>            <n xmlns="">4</n><caf\u{E9}>5</caf\u{E9}><Besked>6</Besked></r>
            """
        let root = try #require(try XMLDocument(parsing: Array(xml.utf8)).root)
        // A name that is a prefix of another, or longer than it, is another name.
        #expect(root.child(named: QualifiedName("urn:r", "Besked"))?.text == "3")
        #expect(root.child(named: QualifiedName("urn:r", "BeskedI")) == nil)
        #expect(root.child(named: QualifiedName("urn:r", "BeskedIDs")) == nil)
        // Namespace spoofing: the same local name in another namespace, or in none, does not match.
        #expect(root.child(named: QualifiedName("urn:other", "Besked"))?.text == "2")
        #expect(root.child(named: QualifiedName("", "Besked")) == nil)
        #expect(root.child(named: QualifiedName("urn:r", "n")) == nil)
        #expect(root.child(named: QualifiedName("", "n"))?.text == "4")
        #expect(root.child(named: QualifiedName("urn:r/", "Besked")) == nil)
        #expect(root.child(named: QualifiedName("urn:", "Besked")) == nil)
        // A NUL inside a name never matches libxml2's NUL-terminated name (no read past it).
        #expect(root.child(named: QualifiedName("urn:r", "Besked\u{0}ID")) == nil)
        #expect(root.child(named: QualifiedName("urn:r\u{0}", "Besked")) == nil)
        #expect(root.child(named: QualifiedName("urn:r", "Besked\u{0}")) == nil)
        // Unicode look-alikes: é written decomposed is not the element named with é precomposed.
        #expect(root.child(named: QualifiedName("urn:r", "caf\u{E9}"))?.text == "5")
        #expect(root.child(named: QualifiedName("urn:r", "cafe\u{301}")) == nil)
        #expect(root.children(named: QualifiedName("urn:r", "Besked")).map(\.text) == ["3", "6"])
        #expect(root.children(named: QualifiedName("urn:r", "x")).isEmpty)
        #expect(root.is(QualifiedName("urn:r", "r")) && !root.is(QualifiedName("urn:r", "rr")) && !root.is(QualifiedName("", "r")))
    }

    @Test("a read-only parse (short text kept inside its node) reads, moves and canonicalizes as an editable one does")
    func compactTextNodes() throws {
        let xml = #"<r xmlns="urn:r"><a>1</a><b>twelve bytes</b><c>a longer text than libxml2 keeps inside a node, with &amp; and é</c><d/></r>"#
        func parse(editable: Bool) throws -> XMLElement {
            let root = try #require(try XMLDocument(parsing: Array(xml.utf8), editable: editable).root)
            let c = try #require(root.child(named: QualifiedName("urn:r", "c")))
            c.move(before: try #require(root.child(named: QualifiedName("urn:r", "a"))))
            return root
        }
        let compact = try parse(editable: false), editable = try parse(editable: true)
        #expect(compact.children.map(\.text) == ["a longer text than libxml2 keeps inside a node, with & and é", "1", "twelve bytes", ""])
        #expect(compact.children.map(\.text) == editable.children.map(\.text))
        #expect(compact.exclusiveCanonicalForm() == editable.exclusiveCanonicalForm())
    }

    @Test("not well-formed XML is refused", arguments: ["<a><b></a>", "<a>&undefined;</a>", "<a></a><b/>", "text"])
    func notWellFormed(_ doc: String) {
        #expect(throws: XMLParseError.self) { try XMLDocument(parsing: Array(doc.utf8)) }
    }

    @Test("UTF-8 text comes through intact with a BOM, with either UTF-8 declaration, and with none", arguments: [
        "\u{FEFF}<a>\u{E6}\u{F8}\u{E5} \u{20AC} \u{1F600}</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\u{E6}\u{F8}\u{E5} \u{20AC} \u{1F600}</a>",
        "<?xml version=\"1.0\" encoding=\"utf8\"?><a>\u{E6}\u{F8}\u{E5} \u{20AC} \u{1F600}</a>",
        "\n <a>\u{E6}\u{F8}\u{E5} \u{20AC} \u{1F600}</a>",
    ])
    func utf8Text(_ doc: String) throws {
        #expect(try XMLDocument(parsing: Array(doc.utf8)).root?.text == "\u{E6}\u{F8}\u{E5} \u{20AC} \u{1F600}")
    }

    // Encoding confusion: NULs in the first bytes are how libxml2 detects UTF-16 and UCS-4, and
    // such bytes are valid UTF-8 (U+0000 is). Decoded as UTF-16, they would be another document
    // than the one every UTF-8 reader of the same bytes sees.
    @Test("encoding confusion: a document in UTF-16 or UCS-4 without a BOM is never decoded as such", arguments: [
        utf16LE("<?xml version=\"1.0\"?><a>x</a>"), utf16BE("<?xml version=\"1.0\"?><a>x</a>"),
        utf16LE("<a>x</a>"), utf16BE("<a>x</a>"),
        [UInt8]("<a>x</a>".unicodeScalars.flatMap { [UInt8($0.value & 0xFF), 0, 0, 0] }),
        [UInt8]("<a>x</a>".unicodeScalars.flatMap { [0, 0, 0, UInt8($0.value & 0xFF)] }),
    ])
    func noUTF16Detection(_ doc: [UInt8]) {
        #expect(throws: XMLParseError.self) { try XMLDocument(parsing: doc) }
    }

    static func utf16LE(_ text: String) -> [UInt8] { text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
    static func utf16BE(_ text: String) -> [UInt8] { text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }

    @Test("a document is freed and parsing again keeps working (1 000 parses)")
    func repeatedParses() throws {
        for i in 0..<1_000 {
            let doc = try XMLDocument(parsing: Array("<a n=\"\(i)\"/>".utf8))
            #expect(doc.root?.attribute("n") == "\(i)")
        }
    }
}

@Suite("SOAP envelope shape")
struct SOAPEnvelopeTests {
    let ns11 = "http://schemas.xmlsoap.org/soap/envelope/"
    let ns12 = "http://www.w3.org/2003/05/soap-envelope"

    func envelope(_ text: String, _ version: SOAPVersion = .soap11) throws -> SOAPEnvelope {
        try SOAPEnvelope(document: XMLDocument(parsing: Array(text.utf8)), version: version)
    }

    @Test("header and one body element are found")
    func valid() throws {
        let env = try envelope("<s:Envelope xmlns:s=\"\(ns11)\"><s:Header/><s:Body><p xmlns=\"urn:p\"/></s:Body></s:Envelope>")
        #expect(env.payload.is(QualifiedName("urn:p", "p")))
        #expect(env.header != nil)
    }

    @Test("SOAP 1.1 envelope sent as 1.2 is a version mismatch")
    func versionMismatch() {
        #expect(throws: SOAPEnvelopeError.versionMismatch) {
            try envelope("<s:Envelope xmlns:s=\"\(ns11)\"><s:Body><p/></s:Body></s:Envelope>", .soap12)
        }
    }

    @Test("malformed envelopes are refused", arguments: [
        ("<Envelope><Body><p/></Body></Envelope>", SOAPEnvelopeError.notAnEnvelope),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header/></s:Envelope>", .missingBody),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><p/></s:Body><s:Body><p/></s:Body></s:Envelope>", .multipleBodies),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body></s:Body></s:Envelope>", .emptyBody),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><p/><q/></s:Body></s:Envelope>", .multipleBodyElements),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><p/></s:Body><x/></s:Envelope>", .unexpectedContent),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><p/></s:Body><s:Header/></s:Envelope>", .unexpectedContent),
        ("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">text<s:Body><p/></s:Body></s:Envelope>", .unexpectedContent),
    ])
    func malformed(_ text: String, _ expected: SOAPEnvelopeError) {
        #expect(throws: expected) { try envelope(text) }
    }

    /// Attack: text smuggled between the envelope's parts as characters that Unicode counts as
    /// whitespace but XML does not (S is only space, tab, CR and LF), so a check by Unicode's
    /// rules would pass it as blank.
    @Test("Unicode whitespace that is not XML whitespace is content", arguments: ["\u{00A0}", "\u{2028}", "\u{3000}", "\u{0085}"])
    func unicodeWhitespaceIsContent(_ character: String) {
        #expect(throws: SOAPEnvelopeError.unexpectedContent) {
            try envelope("<s:Envelope xmlns:s=\"\(ns11)\"><s:Body>\(character)<p/></s:Body></s:Envelope>")
        }
        #expect(throws: SOAPEnvelopeError.unexpectedContent) {
            try envelope("<s:Envelope xmlns:s=\"\(ns11)\">\(character)<s:Body><p/></s:Body></s:Envelope>")
        }
    }

    @Test("XML whitespace between the envelope's parts is not content")
    func xmlWhitespaceIsNotContent() throws {
        let env = try envelope("<s:Envelope xmlns:s=\"\(ns11)\"> \t\r\n<s:Header/>\n<s:Body>\r\n\t <p/> </s:Body>\n</s:Envelope>")
        #expect(env.payload.localName == "p")
        #expect(env.header != nil)
    }
}

@Suite("Media type and writer")
struct SOAPMediaTypeTests {
    @Test("SOAP 1.1 takes the SOAPAction header, 1.2 the action parameter")
    func mediaTypes() throws {
        let v11 = try #require(SOAPMediaType(contentType: "text/xml; charset=UTF-8", soapAction: "\"urn:a\""))
        #expect(v11 == SOAPMediaType(version: .soap11, action: "urn:a"))
        let v12 = try #require(SOAPMediaType(contentType: "application/soap+xml;charset=utf-8;action=\"urn:b\"", soapAction: nil))
        #expect(v12 == SOAPMediaType(version: .soap12, action: "urn:b"))
        #expect(SOAPMediaType(contentType: "application/json", soapAction: nil) == nil)
        #expect(SOAPMediaType(contentType: "text/xml; charset=iso-8859-1", soapAction: nil) == nil)
        #expect(SOAPMediaType(contentType: "text/xml", soapAction: "\"\"")?.action == nil)
    }

    @Test("the writer writes namespaces, attributes, elements and end tags byte for byte")
    func writerBytes() {
        var w = XMLWriter()
        w.open("a:b", namespaces: [("a", "urn:x"), ("", "urn:y&z")], attributes: [("c", "1\"2"), ("d", "")])
        w.element("a:e", "x<y")
        w.open("f")
        w.close("f")
        w.close("a:b")
        #expect(w.output == #"<a:b xmlns:a="urn:x" xmlns="urn:y&amp;z" c="1&quot;2" d=""><a:e>x&lt;y</a:e><f></f></a:b>"#)
    }

    @Test("the writer's escaping round-trips whitespace, markup and multi-byte text through a parser", arguments: [
        "plain", "æøå 😀 𝄞", "a\tb\nc\rd", "\"quoted\" & <tagged> 'single'", "]]>", "", "&amp; already escaped",
    ])
    func escapingRoundTrip(_ value: String) throws {
        var w = XMLWriter()
        w.open("a", attributes: [("v", value)])
        w.element("b", value)
        w.close("a")
        let doc = try XMLDocument(parsing: w.bytes)
        #expect(doc.root?.attribute("v") == value)
        #expect(doc.root?.children.first?.text == value)
        #expect(XMLWriter.escape("no special bytes æøå", attribute: true) == "no special bytes æøå")
    }

    @Test("the writer escapes text and attribute values")
    func escaping() throws {
        var w = XMLWriter()
        w.open("a", attributes: [("v", "\"<&>'")])
        w.element("b", "</b><script>&")
        w.close("a")
        let doc = try XMLDocument(parsing: w.bytes)
        #expect(doc.root?.attribute("v") == "\"<&>'")
        #expect(doc.root?.children.first?.text == "</b><script>&")
    }

    @Test("faults use Client/Server in 1.1 and Sender/Receiver in 1.2")
    func faultCodes() throws {
        let f11 = String(decoding: SOAPMessageWriter.fault(.soap11, blamesSender: true, reason: "r", detail: "<d/>"), as: UTF8.self)
        #expect(f11.contains("<faultcode>soap:Client</faultcode>"))
        let f12 = String(decoding: SOAPMessageWriter.fault(.soap12, blamesSender: false, reason: "r", detail: "<d/>"), as: UTF8.self)
        #expect(f12.contains("<soap:Value>soap:Receiver</soap:Value>"))
        _ = try XMLDocument(parsing: Array(f12.utf8))
    }
}
