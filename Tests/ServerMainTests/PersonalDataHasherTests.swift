import Crypto
import Foundation
import ServicePlatform
import Testing

/// The audit log's CPR pseudonym is HMAC-SHA256 under the data directory's key: a wrong value
/// would make a person unfindable in the log (or findable by whoever lacks the key).
@Suite("CPR pseudonyms in the audit log")
struct PersonalDataHasherTests {
    @Test("the hash is HMAC-SHA256 of the digits under the key (RFC 4231 test case 2, and a CPR)")
    func knownValues() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let rfc = PersonalDataHasher(key: SymmetricKey(data: Array("Jefe".utf8)))
        #expect(rfc.hash(PersonalIdentifier(digits: "what do ya want for nothing?"))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let key = SymmetricKey(data: (0..<32).map { UInt8($0) })
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Array("0101901234".utf8), using: key))
            .map { String(format: "%02x", $0) }.joined()
        #expect(PersonalDataHasher(key: key).hash(PersonalIdentifier(digits: "0101901234")) == expected)
    }

    @Test("one hasher gives each person the same hash on every call, from many tasks at once, and never the digits")
    func stableAcrossCallsAndTasks() async {
        let hasher = PersonalDataHasher(key: SymmetricKey(size: .bits256))
        let people = (0..<50).map { String(format: "%02d%02d90%04d", $0 % 28 + 1, $0 % 12 + 1, $0) }
        let first = people.map { hasher.hash(PersonalIdentifier(digits: $0)) }
        #expect(Set(first).count == people.count)
        #expect(zip(first, people).allSatisfy { hash, digits in !hash.contains(digits) && hash.count == 64 })
        let rounds = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { people.map { hasher.hash(PersonalIdentifier(digits: $0)) } } }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(rounds.count == 8 && rounds.allSatisfy { $0 == first })
    }

    @Test("another key gives another hash: the log alone does not reveal who")
    func keyMatters() {
        let person = PersonalIdentifier(digits: "0101901234")
        let a = PersonalDataHasher(key: SymmetricKey(size: .bits256)).hash(person)
        let b = PersonalDataHasher(key: SymmetricKey(size: .bits256)).hash(person)
        #expect(a != b)
    }
}
