import Foundation
import ServicePlatform
import Synchronization
import Testing

/// Group commit: every record durable before its caller returns, many records per commit,
/// and a failed commit reported to every caller whose record it carried.
@Suite("Audit log group commit")
struct AuditLogTests {
    /// A SQLite store that counts commits and can be told to fail them.
    final class CountingStore: SQLiteStoreWrapper {
        let inner: SQLiteStore
        let commits = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        /// The records in each commit, in order.
        let batches = Mutex<[Int]>([])
        /// When set, the next commit waits for it (a slow disk).
        let gate = Mutex<DispatchSemaphore?>(nil)

        init() throws {
            let dir = NSTemporaryDirectory() + "sp-auditlog-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            inner = try SQLiteStore(path: dir + "/platform.sqlite")
        }

        struct DiskFull: Error {}

        func appendAudit(_ records: [AuditRecord], receipts: [StoredReceipt]) throws {
            commits.add(1, ordering: .relaxed)
            batches.withLock { $0.append(records.count) }
            if let gate = gate.withLock({ gate in defer { gate = nil }; return gate }) { gate.wait() }
            if failing.load(ordering: .relaxed) { throw DiskFull() }
            try inner.appendAudit(records, receipts: receipts)
        }
    }

    private static func record(_ n: Int) -> AuditRecord {
        AuditRecord(transactionID: UUID().uuidString.lowercased(), time: Date(), callerSystem: "ky-demo", beskedID: "besked-\(n)",
                    outcome: "Modtaget")
    }

    @Test("1 000 concurrent records: each stored once, before its caller returns, in fewer commits than records")
    func concurrentRecords() async throws {
        let store = try CountingStore()
        let log = AuditLog(store: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<1_000 {
                group.addTask {
                    let record = Self.record(n)
                    try await log.record(record)
                    // Durable when record returns: the row is there already.
                    var query = AuditQuery()
                    query.beskedID = record.beskedID
                    let found = try await store.audit(query)
                    #expect(found.map(\.transactionID) == [record.transactionID])
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.auditCount() == 1_000)
        let commits = store.commits.load(ordering: .relaxed)
        #expect(commits >= 1 && commits < 1_000, "group commit: \(commits) commits for 1 000 records")
    }

    @Test("records that arrive during a slow commit all go in the next one: two commits for the first record and 99 waiting")
    func groupFormsDuringCommit() async throws {
        let store = try CountingStore()
        let slowDisk = DispatchSemaphore(value: 0)
        store.gate.withLock { $0 = slowDisk }
        let log = AuditLog(store: store)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await log.record(Self.record(0)) }
            while store.commits.load(ordering: .relaxed) < 1 { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...99 { group.addTask { try await log.record(Self.record(n)) } }
            while log.waiting < 99 { try await Task.sleep(for: .milliseconds(1)) }
            slowDisk.signal()
            try await group.waitForAll()
        }
        #expect(store.batches.withLock { $0 } == [1, 99])
        #expect(log.waiting == 0)
        #expect(try await store.auditCount() == 100)
    }

    @Test("the writer thread ends with its log: once the log is gone, nothing holds the store any more")
    func writerEndsWithLog() async throws {
        weak var released: CountingStore?
        do {
            let store = try CountingStore()
            released = store
            let log = AuditLog(store: store)
            try await log.record(Self.record(0))
            #expect(store.commits.load(ordering: .relaxed) == 1)
        }
        // The log's end stops the writer; the thread lets go of the writer, the writer of the store.
        let deadline = ContinuousClock.now + .seconds(5)
        while released != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(released == nil, "the writer thread still runs, holding the store")
    }

    @Test("a failed commit (disk full) is thrown to every caller it carried; the log recovers for the next calls")
    func failedCommit() async throws {
        let store = try CountingStore()
        let log = AuditLog(store: store)
        store.failing.store(true, ordering: .relaxed)
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<50 {
                group.addTask {
                    do { try await log.record(Self.record(n)); return false } catch is CountingStore.DiskFull { return true }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 50)
        #expect(try await store.auditCount() == 0)
        store.failing.store(false, ordering: .relaxed)
        try await log.record(Self.record(1_000))
        #expect(try await store.auditCount() == 1)
    }

    @Test("the commit observer (the call metrics) sees each durable record exactly once, and nothing of a failed commit")
    func commitObserver() async throws {
        let store = try CountingStore()
        let seen = Mutex<[String]>([])
        let log = AuditLog(store: store) { commit in seen.withLock { $0 += commit.records.map(\.transactionID) } }
        let records = (0..<200).map(Self.record)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records { group.addTask { try await log.record(record) } }
            try await group.waitForAll()
        }
        #expect(seen.withLock { $0.sorted() } == records.map(\.transactionID).sorted())
        store.failing.store(true, ordering: .relaxed)
        await #expect(throws: CountingStore.DiskFull.self) { try await log.record(Self.record(1_000)) }
        #expect(seen.withLock { $0.count } == 200)
    }

    @Test("a slow commit shows in the observer: its time on disk, and each caller's wait, the queue behind it included")
    func commitTimings() async throws {
        let store = try CountingStore()
        let slowDisk = DispatchSemaphore(value: 0)
        store.gate.withLock { $0 = slowDisk }
        let commits = Mutex<[AuditCommit]>([])
        let log = AuditLog(store: store) { commit in commits.withLock { $0.append(commit) } }
        let hold = Duration.milliseconds(60)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await log.record(Self.record(0)) }
            while store.commits.load(ordering: .relaxed) < 1 { try await Task.sleep(for: .milliseconds(1)) }
            for n in 1...9 { group.addTask { try await log.record(Self.record(n)) } }
            while log.waiting < 9 { try await Task.sleep(for: .milliseconds(1)) }
            try await Task.sleep(for: hold)
            slowDisk.signal()
            try await group.waitForAll()
        }
        let seen = commits.withLock { $0 }
        #expect(seen.map(\.records.count) == [1, 9])
        #expect(seen.allSatisfy { $0.waits.count == $0.records.count })
        // The first commit held the disk for the whole hold; the nine waited through it, then
        // through their own (fast) commit, so their waits are longer than their commit.
        #expect(seen[0].duration >= hold)
        #expect(seen[0].waits[0] >= seen[0].duration)
        #expect(seen[1].waits.allSatisfy { $0 >= hold && $0 > seen[1].duration })
    }

    @Test("receipts kept for replay go in with their audit records")
    func receiptsWithRecords() async throws {
        let store = try CountingStore()
        let log = AuditLog(store: store)
        let receipt = StoredReceipt(callerSystem: "ky-demo", beskedID: "b-1", contentDigest: "d", operation: "RetBevilling",
                                    transactionID: "t-1", status: "Modtaget", errorsJSON: "[]", receiverSystem: "jobcenter-101",
                                    receivedAt: Date())
        try await log.record(Self.record(1), receipt: receipt)
        #expect(try await store.storedReceipt(callerSystem: "ky-demo", beskedID: "b-1")?.transactionID == "t-1")
    }
}
