import Foundation
import ServicePlatform
import Testing

/// Usage accounting read from the audit table: both stores count the same records the same way.
@Suite("Usage accounting (AccountingInfo counts)")
struct UsageTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Six calls by two callers for three accounts, one fault, one call without a CallContext
    /// and one record whose details are not JSON.
    static let records: [AuditRecord] = [
        record(0, caller: "ky", details: #"{"callContext":{"AccountingInfo":"Kommune A","OnBehalfOfUser":"u1"}}"#),
        record(1, caller: "ky", details: #"{"callContext":{"AccountingInfo":"Kommune A"},"token":{"AssertionID":"_x"}}"#),
        record(2, caller: "ky", details: #"{"callContext":{"AccountingInfo":"Kommune \"B\" æøå"}}"#),
        record(3, caller: "ky", outcome: "SP-3001", details: #"{"callContext":{"AccountingInfo":"Kommune A"}}"#),
        record(4, caller: "other", details: nil),
        record(5, caller: "other", details: "not json"),
        record(6, caller: "ky", details: #"{"callContext":{"AccountingInfo":"Kommune A"}}"#),
    ]

    static func record(_ i: Int, caller: String, outcome: String = "Modtaget", details: String?) -> AuditRecord {
        AuditRecord(transactionID: "t\(i)", time: start.addingTimeInterval(Double(i)), callerSystem: caller, operation: "RetBevilling",
                    outcome: outcome, details: details)
    }

    /// What any store must answer for `records`.
    static func check(_ store: any PlatformStore) async throws {
        let all = try await store.usage(UsageQuery())
        #expect(all == [
            UsageRow(callerSystem: "ky", accountingInfo: "Kommune \"B\" æøå", operation: "RetBevilling", outcome: "Modtaget", calls: 1),
            UsageRow(callerSystem: "ky", accountingInfo: "Kommune A", operation: "RetBevilling", outcome: "Modtaget", calls: 3),
            UsageRow(callerSystem: "ky", accountingInfo: "Kommune A", operation: "RetBevilling", outcome: "SP-3001", calls: 1),
            UsageRow(callerSystem: "other", accountingInfo: nil, operation: "RetBevilling", outcome: "Modtaget", calls: 2),
        ])
        // from and to are inclusive; the system filter is the caller.
        let window = try await store.usage(UsageQuery(from: start.addingTimeInterval(1), to: start.addingTimeInterval(3), systemID: "ky"))
        #expect(window.map(\.calls) == [1, 1, 1] && window.allSatisfy { $0.callerSystem == "ky" }, "\(window)")
        // Injection: a filter value is only a value.
        #expect(try await store.usage(UsageQuery(systemID: "ky' OR '1'='1")).isEmpty)
    }

    static func append(_ store: any PlatformStore, _ records: [AuditRecord]) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            Thread {
                do { try store.appendAudit(records, receipts: []); done.resume() } catch { done.resume(throwing: error) }
            }.start()
        }
    }

    @Test("SQLite: counts per caller, AccountingInfo, operation and outcome; details that are not JSON count without an account")
    func sqlite() async throws {
        let dir = NSTemporaryDirectory() + "sp-usage-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteStore(path: dir + "/platform.sqlite")
        try await Self.append(store, Self.records)
        try await Self.check(store)
    }

    @Test("PostgreSQL: the same counts as SQLite", .enabled(if: TestDatabase.available))
    func postgres() async throws {
        let store = try await PostgresStore(url: try await TestDatabase.create(), logger: TestDatabase.logger)
        // PostgreSQL reads details as JSON the platform wrote; the odd row of the SQLite case is left out.
        try await Self.append(store, Self.records.map { $0.details == "not json" ? Self.record(5, caller: "other", details: nil) : $0 })
        try await Self.check(store)
    }
}
