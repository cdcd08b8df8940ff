import Foundation
import ServicePlatform
import Testing

/// The Bloom filter in front of the idempotency look-up: a "no" must always be right, or a
/// repeated call would be forwarded again instead of getting its stored receipt.
@Suite("Stored receipt keys (Bloom filter)")
struct StoredReceiptKeyFilterTests {
    @Test("every inserted key is found, also after the filter grew past its first level, and few others are")
    func noFalseNegatives() {
        let filter = StoredReceiptKeyFilter(expected: 0)  // first level: 131 072 keys
        let before = filter.byteCount
        let keys = (0..<300_000).map { ("caller-\($0 % 7)", UUID().uuidString.lowercased()) }
        for (caller, besked) in keys { filter.insert(callerSystem: caller, beskedID: besked) }
        #expect(filter.byteCount > before)  // it grew
        #expect(keys.allSatisfy { filter.mayContain(callerSystem: $0.0, beskedID: $0.1) })
        let strangers = (0..<100_000).filter { _ in filter.mayContain(callerSystem: "caller-1", beskedID: UUID().uuidString.lowercased()) }
        #expect(strangers.count < 2_000, "false positives: \(strangers.count) of 100 000")
    }

    @Test("cross-caller confusion: the same BeskedID from another caller, or caller and id run together, is another key")
    func keysAreWhole() {
        let filter = StoredReceiptKeyFilter(expected: 10)
        filter.insert(callerSystem: "ky", beskedID: "ab")
        #expect(filter.mayContain(callerSystem: "ky", beskedID: "ab"))
        var confused = 0
        for i in 0..<1000 {
            let besked = "\(i)-" + UUID().uuidString
            filter.insert(callerSystem: "ky-demo", beskedID: besked)
            if filter.mayContain(callerSystem: "other", beskedID: besked) { confused += 1 }
            if filter.mayContain(callerSystem: "ky-dem", beskedID: "o" + besked) { confused += 1 }
        }
        #expect(confused < 20)
    }

    @Test("a repeated call is still replayed after the filter grew: the store finds receipts written before and after")
    func storeWithFilter() async throws {
        let (store, path) = try await StoredReceiptStoreTests.freshStore()
        let early = (0..<50).map { _ in StoredReceiptStoreTests.receipt() }
        try store.appendAudit(early.map(StoredReceiptStoreTests.audit(for:)), receipts: early)
        let reopened = try SQLiteStore(path: path)
        let late = StoredReceiptStoreTests.receipt()
        try reopened.appendAudit([StoredReceiptStoreTests.audit(for: late)], receipts: [late])
        for kept in early + [late] {
            let read = try await reopened.storedReceipt(callerSystem: kept.callerSystem, beskedID: kept.beskedID)
            #expect(read?.transactionID == kept.transactionID)
        }
        #expect(try await reopened.storedReceipt(callerSystem: "ky-demo", beskedID: UUID().uuidString.lowercased()) == nil)
    }
}
