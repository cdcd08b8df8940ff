import Foundation
import Testing
@testable import ServicePlatform

@Suite("Audit details JSON")
struct AuditDetailsTests {
    @Test("CallContext values with quotes, backslashes, newlines and control characters stay valid JSON")
    func escaping() throws {
        let values = ["OnBehalfOfUser": "a\"b\\c\nd\u{01}e", "AccountingInfo": "Københavns Kommune"]
        let json = AuditDraft.json(values)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]])
        #expect(parsed["callContext"] == values)
    }
}
