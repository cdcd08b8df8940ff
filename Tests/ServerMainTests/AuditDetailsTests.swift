import Foundation
import Testing
@testable import ServicePlatform

@Suite("Audit details JSON")
struct AuditDetailsTests {
    @Test("CallContext values with quotes, backslashes, newlines and control characters stay valid JSON")
    func escaping() throws {
        let values = ["OnBehalfOfUser": "a\"b\\c\nd\u{01}e", "AccountingInfo": "Københavns Kommune"]
        let json = AuditDraft.json(callContext: values)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]])
        #expect(parsed == ["callContext": values])
    }

    @Test("a token's attributes sit beside the CallContext; either part alone is left out when empty")
    func tokenBesideCallContext() throws {
        let token = ["AssertionID": "_a1", "dk:gov:saml:attribute:AssuranceLevel": "3"]
        let both = AuditDraft.json(callContext: ["AccountingInfo": "x"], token: token)
        #expect(try JSONSerialization.jsonObject(with: Data(both.utf8)) as? [String: [String: String]]
                == ["callContext": ["AccountingInfo": "x"], "token": token])
        #expect(AuditDraft.json(callContext: [:], token: token) == #"{"token":{"AssertionID":"_a1","dk:gov:saml:attribute:AssuranceLevel":"3"}}"#)
        #expect(AuditDraft.json(callContext: ["a": "b"]) == #"{"callContext":{"a":"b"}}"#)
    }
}
