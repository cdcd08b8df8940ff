import Foundation
import SOAPCodec
import Testing

@Suite("Byte pre-scan refuses what libxml2 2.9 must never see")
struct XMLPreScanTests {
    let scan = XMLPreScan(limits: .standard)

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a plain document passes")
    func plainDocumentPasses() throws {
        try scan.check(bytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a x='1>2' y=\"/>\"><!-- <b> --><![CDATA[<c>]]><b/></a>"))
    }

    @Test("billion laughs: the DOCTYPE is refused before parsing")
    func billionLaughs() {
        let doc = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><a>&lol2;</a>"
        #expect(throws: XMLParseError.doctypeNotAllowed) { try scan.check(bytes(doc)) }
    }

    @Test("external entity (file and http) and parameter entity are refused", arguments: [
        "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>",
        "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"http://127.0.0.1:1/x\">]><a>&xxe;</a>",
        "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p.dtd\"> %p;]><a/>",
        "<!doctype a><a/>",
        "<a><!ENTITY x \"y\"></a>",
    ])
    func entitiesRefused(_ doc: String) {
        #expect(throws: XMLParseError.doctypeNotAllowed) { try scan.check(bytes(doc)) }
    }

    @Test("100 000-deep nesting is refused without recursion")
    func deepNesting() {
        let doc = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(throws: XMLParseError.tooDeep) { try XMLPreScan(limits: .init(maxBytes: 10 << 20)).check(bytes(doc)) }
    }

    @Test("100 000 attributes on one element are refused before libxml2's quadratic check")
    func manyAttributes() {
        var doc = "<a"
        for i in 0..<100_000 { doc += " a\(i)=\"1\"" }
        doc += "/>"
        #expect(throws: XMLParseError.tooManyAttributes) { try XMLPreScan(limits: .init(maxBytes: 10 << 20)).check(bytes(doc)) }
    }

    @Test("10 MiB body is refused by size")
    func tenMebibytes() {
        let doc = [UInt8](repeating: 0x20, count: 10 << 20)
        #expect(throws: XMLParseError.tooLarge) { try scan.check(doc) }
    }

    @Test("empty body is refused")
    func emptyBody() {
        #expect(throws: XMLParseError.empty) { try scan.check([]) }
    }

    @Test("invalid UTF-8 is refused", arguments: [
        [0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E],        // bad continuation
        [0x3C, 0x61, 0x3E, 0xC0, 0xAF, 0x3C, 0x2F, 0x61, 0x3E],        // overlong '/'
        [0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80, 0x3C, 0x2F, 0x61, 0x3E],  // surrogate
        [0x3C, 0x61, 0x3E, 0xF4, 0x90, 0x80, 0x80, 0x3C, 0x2F, 0x61, 0x3E], // above U+10FFFF
        [0x3C, 0x61, 0x3E, 0xE2, 0x82],                                  // truncated
        [0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E],
    ] as [[UInt8]])
    func invalidUTF8(_ doc: [UInt8]) {
        #expect(throws: XMLParseError.invalidUTF8) { try scan.check(doc) }
    }

    @Test("valid multi-byte UTF-8 passes")
    func validUTF8() throws {
        try scan.check(bytes("<a>Københavns Kommune – 𝄞</a>"))
    }

    @Test("an encoding other than UTF-8 is refused")
    func otherEncoding() {
        #expect(throws: XMLParseError.unsupportedEncoding) { try scan.check(bytes("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>")) }
    }

    @Test("encoding declarations: UTF-8 in any case and quoting passes; others, look-alikes and a missing quote are refused",
          arguments: [
              ("<?xml version='1.0' encoding='utf-8'?><a/>", nil),
              ("<?xml version=\"1.0\" ENCODING = \"Utf8\"?><a/>", nil),
              ("<?xml version=\"1.0\"?><a/>", nil),
              ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>", XMLParseError.unsupportedEncoding),
              ("<?xml version=\"1.0\" encoding=\"UTF-8 \"?><a/>", XMLParseError.unsupportedEncoding),
              ("<?xml version=\"1.0\" encoding=\"utf-8x\"?><a/>", XMLParseError.unsupportedEncoding),
              ("<?xml version=\"1.0\" encoding=\"\u{212A}OI8-R\"?><a/>", XMLParseError.unsupportedEncoding),
              ("<?xml version=\"1.0\" encoding=\"\"?><a/>", XMLParseError.unsupportedEncoding),
              ("<?xml version=\"1.0\" encoding=utf-8?><a/>", XMLParseError.notWellFormed),
              ("<?xml version=\"1.0\" encoding?><a/>", XMLParseError.notWellFormed),
          ] as [(String, XMLParseError?)])
    func encodingDeclarations(_ doc: String, _ expected: XMLParseError?) {
        if let expected {
            #expect(throws: expected) { try scan.check(bytes(doc)) }
        } else {
            #expect(throws: Never.self) { try scan.check(bytes(doc)) }
        }
    }

    @Test("truncated markup is refused", arguments: ["<a", "<a x=\"1", "<!-- never closed", "<a><![CDATA[x", "<a x='1\"/>"])
    func truncated(_ doc: String) {
        #expect(throws: XMLParseError.notWellFormed) { try scan.check(bytes(doc)) }
    }

    @Test("quoted values: a \"<\" inside is refused; the other quote, \">\" and \"=\" inside are text and count no attribute",
          arguments: [("<a x=\"1<2\"/>", false), ("<a x='<'/>", false), ("<a x=\"'\" y='\"'/>", true), ("<a x=\"/>\">t</a>", true),
                      ("<a x=\"" + String(repeating: "=", count: 1_000) + "\"/>", true)])
    func quotedValues(_ doc: String, _ passes: Bool) {
        if passes {
            #expect(throws: Never.self) { try scan.check(bytes(doc)) }
        } else {
            #expect(throws: XMLParseError.notWellFormed) { try scan.check(bytes(doc)) }
        }
    }
}
