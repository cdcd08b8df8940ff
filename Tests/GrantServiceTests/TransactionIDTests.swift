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

    @Test("a new id is a random version 4 UUID, none repeated in 10 000")
    func randomVersion4() {
        var seen = Set<UUID>()
        for _ in 0..<10_000 {
            let id = TransactionID()
            let bytes = withUnsafeBytes(of: id.uuid.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 4)
            #expect(bytes[8] >> 6 == 0b10)
            #expect(Array(id.description)[14] == "4")
            seen.insert(id.uuid)
        }
        #expect(seen.count == 10_000)
        // Not a constant: the 122 random bits differ between ids.
        #expect(TransactionID().uuid != TransactionID().uuid)
    }
}
