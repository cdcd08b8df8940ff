import LoadGenerator
import Testing

@Suite("Message templates: a fresh UUID in every placeholder, on every render")
struct MessageTemplateTests {
    struct FixedGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    let body = Array("<kh:BeskedID>{{uuid}}</kh:BeskedID><kh:BevillingID>{{uuid}}</kh:BevillingID>".utf8)

    @Test("each placeholder becomes a different UUID, and the next render differs again")
    func freshIDs() {
        let template = MessageTemplate(body)
        #expect(template.placeholderCount == 2)
        var generator = FixedGenerator(state: 1)
        let first = String(decoding: template.render(using: &generator), as: UTF8.self)
        let second = String(decoding: template.render(using: &generator), as: UTF8.self)
        #expect(first != second)
        let ids = uuids(in: first)
        #expect(ids.count == 2)
        #expect(ids[0] != ids[1])
        #expect(!first.contains("{{uuid}}"))
        #expect(template.render(using: &generator).count == template.renderedByteCount)
    }

    @Test("a body without the placeholder is sent as it is")
    func noPlaceholder() {
        let template = MessageTemplate(Array("<a/>".utf8))
        var generator = FixedGenerator(state: 7)
        #expect(template.placeholderCount == 0)
        #expect(template.render(using: &generator) == Array("<a/>".utf8))
    }

    @Test("placeholders at the very start and end, and back to back")
    func edges() {
        let template = MessageTemplate(Array("{{uuid}}{{uuid}}x{{uuid}}".utf8))
        #expect(template.segments == [[], [], Array("x".utf8), []])
        var generator = FixedGenerator(state: 3)
        #expect(template.render(using: &generator).count == 3 * 36 + 1)
    }

    @Test("UUIDs are lowercase version 4 with the RFC 4122 variant, as the schema's pattern wants")
    func uuidShape() {
        var generator = FixedGenerator(state: 42)
        for _ in 0..<100 {
            let text = UUIDText.random(using: &generator)
            let chars = Array(text)
            #expect(chars.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { chars[$0] == "-" })
            #expect(chars[14] == "4")
            #expect("89ab".contains(chars[19]))
            #expect(text.allSatisfy { "0123456789abcdef-".contains($0) })
        }
    }

    func uuids(in text: String) -> [String] {
        text.split(separator: ">").compactMap { part in
            let candidate = part.prefix(36)
            return candidate.count == 36 && candidate.filter({ $0 == "-" }).count == 4 ? String(candidate) : nil
        }
    }
}
