import Foundation
import ServicePlatform
import Testing

@Suite("TransactionID text")
struct TransactionIDTests {
    @Test("written as Foundation writes a UUID, in lowercase", arguments: 0..<50)
    func sameAsFoundation(_ run: Int) {
        let uuid = UUID()
        #expect(TransactionID(uuid).description == uuid.uuidString.lowercased())
    }

    @Test("fixed values: all zero, all ones, and one with every hex digit")
    func fixed() {
        #expect(TransactionID(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!).description == "00000000-0000-0000-0000-000000000000")
        #expect(TransactionID(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!).description == "ffffffff-ffff-ffff-ffff-ffffffffffff")
        #expect(TransactionID(UUID(uuidString: "01234567-89AB-CDEF-0123-456789ABCDEF")!).description == "01234567-89ab-cdef-0123-456789abcdef")
    }

    @Test("a new id is a version 7 UUID with the RFC variant, none repeated in 10 000")
    func timeOrderedVersion7() {
        var seen = Set<UUID>()
        for _ in 0..<10_000 {
            let id = TransactionID()
            let bytes = withUnsafeBytes(of: id.uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7)
            #expect(bytes[8] >> 6 == 0b10)
            #expect(Array(id.description)[14] == "7")
            seen.insert(id.uuid)
        }
        #expect(seen.count == 10_000)
    }

    @Test("the first 48 bits are the Unix time in milliseconds, so later ids sort after earlier ones")
    func timePrefix() {
        // 1 795 905 298.500 488 28125 s, exact in a Double: 1 795 905 298 500 ms = 0x01a2244c2044,
        // then version 7, then 488 µs as 1998 (0x7ce) of 4096.
        let date = Date(timeIntervalSince1970: 1_795_905_298.5 + 1.0 / 2048)
        #expect(UUID.timeOrdered(at: date).lowercasedText.hasPrefix("01a2244c-2044-77ce-"))
        let earlier = UUID.timeOrdered(at: date).lowercasedText
        let later = UUID.timeOrdered(at: date.addingTimeInterval(0.001)).lowercasedText
        #expect(earlier < later)
        #expect(UUID.timeOrdered(at: date) != UUID.timeOrdered(at: date))  // 62 random bits
    }
}
