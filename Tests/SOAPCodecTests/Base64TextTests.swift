import SOAPCodec
import Testing

@Suite("base64 text of XML elements")
struct Base64TextTests {
    @Test("line breaks, indentation and tabs between the characters are dropped")
    func xmlWhitespace() {
        #expect(Base64Text.decode("aGVs\n  bG8g\r\n\td29y bGQ=") == Array("hello world".utf8))
        #expect(Base64Text.decode("") == [])
    }

    @Test("anything else is not base64: a no-break space, a stray character, broken padding", arguments: [
        "aGVs\u{00A0}bG8=", "aGVs*bG8=", "aGVsbG8", "aGVsbG8==x",
    ])
    func refused(_ text: String) {
        #expect(Base64Text.decode(text) == nil)
    }
}
