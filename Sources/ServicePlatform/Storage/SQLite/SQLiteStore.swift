import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on
/// disk when it returns. One pool per process, as GRDB recommends.
package final class SQLiteStore: PlatformStore {
    let pool: DatabasePool
    private let receiptReader: StoredReceiptReader
    /// Which (caller, BeskedID) keys may have a stored receipt: a new BeskedID costs no read.
    private let receiptKeys: StoredReceiptKeyFilter
    /// Moves the WAL into the database file off the commit path.
    package let checkpointer: WALCheckpointer

    /// Opens (creating and migrating as needed) the database at `path`; `checkpoints` only
    /// changes for tests.
    package init(path: String, checkpoints: WALCheckpointer.Thresholds = .standard) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // The checkpointer takes the write lock for moments (WALCheckpointer.attached); without a
        // busy timeout (GRDB's writer default), a commit meeting one failed its whole batch.
        configuration.busyMode = .timeout(SQLiteTimeouts.busy)
        // Durable before the answer leaves: FULL fsyncs the WAL on every commit.
        pool = try DatabasePool.durable(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
        receiptReader = try StoredReceiptReader(path: path)
        receiptKeys = try Self.receiptKeys(in: pool)
        checkpointer = try WALCheckpointer.attached(to: pool, thresholds: checkpoints)
    }

    deinit { checkpointer.detach(from: pool) }

    /// The audit writer's `synchronous` level: 2 (FULL), one fsync per commit.
    package func auditWriterSynchronousLevel() throws -> Int { try pool.writerSynchronousLevel() }

    /// Writes the audit writer's WAL file has been handed (one per commit, gathered); nil if its
    /// WAL does not gather. For tests.
    package func auditWALFileWrites() throws -> Int64? { try pool.writeWithoutTransaction { WALGathering.fileWrites($0) } }

    /// Every stored key, read once at start: a count (to size the filter), then one pass.
    private static func receiptKeys(in pool: DatabasePool) throws -> StoredReceiptKeyFilter {
        try pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM stored_receipt") ?? 0
            let filter = StoredReceiptKeyFilter(expected: count)
            let keys = try Row.fetchCursor(db, sql: "SELECT caller_system, besked_id FROM stored_receipt")
            while let key = try keys.next() { filter.insert(callerSystem: key[0], beskedID: key[1]) }
            return filter
        }
    }

    // MARK: Registry

    package func registryContents() async throws -> RegistryContents {
        try await pool.read { db in
            var contents = RegistryContents()
            contents.systems = try Row.fetchAll(db, sql: "SELECT id, name, active, created_at FROM system").map {
                SystemRecord(id: $0["id"], name: $0["name"], active: $0["active"], createdAt: $0["created_at"])
            }
            contents.certificates = try Row.fetchAll(db, sql: "SELECT sha256, system_id, pem, subject, not_after FROM system_certificate").map {
                CertificateRecord(sha256: $0["sha256"], systemID: $0["system_id"], pem: $0["pem"], subject: $0["subject"], notAfter: $0["not_after"])
            }
            contents.visibilityGroups = try Row.fetchAll(db, sql: "SELECT system_id, name FROM visibility_group").map {
                (systemID: $0["system_id"] as String, group: $0["name"] as String)
            }
            contents.agreements = try Row.fetchAll(db, sql: "SELECT id, system_id, service, municipality_cvr, state, updated_at FROM agreement").map {
                AgreementRecord(id: $0["id"], systemID: $0["system_id"], service: $0["service"], municipalityCVR: $0["municipality_cvr"],
                                state: AgreementRecord.State(rawValue: $0["state"]) ?? .revoked, updatedAt: $0["updated_at"])
            }
            let codes = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT code, system_id FROM receiver_code ORDER BY code"),
                                   by: { $0["system_id"] as String })
            contents.receivers = try Row.fetchAll(db, sql: "SELECT system_id, endpoint_url, trust_root_pem FROM receiver").map { row in
                let id: String = row["system_id"]
                return ReceiverRecord(systemID: id, endpointURL: row["endpoint_url"], trustRootPEM: row["trust_root_pem"],
                                      municipalityCodes: (codes[id] ?? []).map { $0["code"] })
            }
            return contents
        }
    }

    package func createSystem(_ system: SystemRecord, certificate: CertificateRecord?) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO system (id, name, active, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [system.id, system.name, system.active, system.createdAt])
            if let certificate { try Self.insert(certificate, db) }
        }
    }

    package func addCertificate(_ certificate: CertificateRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM system WHERE id = ?", arguments: [certificate.systemID]) != nil else {
                throw StoreError.notFound("no system \(certificate.systemID)")
            }
            try Self.insert(certificate, db)
        }
    }

    private static func insert(_ certificate: CertificateRecord, _ db: Database) throws {
        if let owner = try String.fetchOne(db, sql: "SELECT system_id FROM system_certificate WHERE sha256 = ?", arguments: [certificate.sha256]) {
            throw StoreError.conflict("the certificate is already registered to system \(owner)")
        }
        try db.execute(sql: "INSERT INTO system_certificate (sha256, system_id, pem, subject, not_after) VALUES (?, ?, ?, ?, ?)",
                       arguments: [certificate.sha256, certificate.systemID, certificate.pem, certificate.subject, certificate.notAfter])
    }

    package func setSystemActive(_ systemID: String, active: Bool) async throws {
        try await changeOne("UPDATE system SET active = ? WHERE id = ?", [active, systemID], missing: "no system \(systemID)")
    }

    package func addVisibilityGroup(systemID: String, group: String) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM system WHERE id = ?", arguments: [systemID]) != nil else {
                throw StoreError.notFound("no system \(systemID)")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO visibility_group (system_id, name) VALUES (?, ?)", arguments: [systemID, group])
        }
    }

    package func removeCertificate(systemID: String, sha256: String) async throws {
        try await changeOne("DELETE FROM system_certificate WHERE sha256 = ? AND system_id = ?", [sha256, systemID],
                            missing: "system \(systemID) has no certificate \(sha256)")
    }

    package func removeVisibilityGroup(systemID: String, group: String) async throws {
        try await changeOne("DELETE FROM visibility_group WHERE system_id = ? AND name = ?", [systemID, group],
                            missing: "system \(systemID) is not in visibility group \(group)")
    }

    /// An `UPDATE` or `DELETE` that must change exactly one row; `StoreError.notFound(missing)` otherwise.
    private func changeOne(_ sql: String, _ arguments: StatementArguments, missing: String) async throws {
        try await pool.write { db in
            try db.execute(sql: sql, arguments: arguments)
            guard db.changesCount == 1 else { throw StoreError.notFound(missing) }
        }
    }

    package func createAgreement(_ agreement: AgreementRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM system WHERE id = ?", arguments: [agreement.systemID]) != nil else {
                throw StoreError.notFound("no system \(agreement.systemID)")
            }
            try db.execute(sql: "INSERT INTO agreement (id, system_id, service, municipality_cvr, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [agreement.id, agreement.systemID, agreement.service, agreement.municipalityCVR,
                                       agreement.state.rawValue, agreement.updatedAt])
        }
    }

    package func setAgreementState(id: String, state: AgreementRecord.State) async throws -> AgreementRecord {
        try await pool.write { db in
            try db.execute(sql: "UPDATE agreement SET state = ?, updated_at = ? WHERE id = ?", arguments: [state.rawValue, Date(), id])
            guard db.changesCount == 1,
                  let row = try Row.fetchOne(db, sql: "SELECT id, system_id, service, municipality_cvr, state, updated_at FROM agreement WHERE id = ?", arguments: [id])
            else { throw StoreError.notFound("no agreement \(id)") }
            return AgreementRecord(id: row["id"], systemID: row["system_id"], service: row["service"], municipalityCVR: row["municipality_cvr"],
                                   state: AgreementRecord.State(rawValue: row["state"]) ?? .revoked, updatedAt: row["updated_at"])
        }
    }

    package func putReceiver(_ receiver: ReceiverRecord) async throws {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM system WHERE id = ?", arguments: [receiver.systemID]) != nil else {
                throw StoreError.notFound("no system \(receiver.systemID)")
            }
            for code in receiver.municipalityCodes {
                if let owner = try String.fetchOne(db, sql: "SELECT system_id FROM receiver_code WHERE code = ?", arguments: [code]),
                   owner != receiver.systemID {
                    throw StoreError.conflict("municipality code \(code) already has receiver \(owner)")
                }
            }
            try db.execute(sql: """
                INSERT INTO receiver (system_id, endpoint_url, trust_root_pem) VALUES (?, ?, ?)
                ON CONFLICT(system_id) DO UPDATE SET endpoint_url = excluded.endpoint_url, trust_root_pem = excluded.trust_root_pem
                """, arguments: [receiver.systemID, receiver.endpointURL, receiver.trustRootPEM])
            try db.execute(sql: "DELETE FROM receiver_code WHERE system_id = ?", arguments: [receiver.systemID])
            for code in receiver.municipalityCodes {
                try db.execute(sql: "INSERT INTO receiver_code (code, system_id) VALUES (?, ?)", arguments: [code, receiver.systemID])
            }
        }
    }

    // MARK: Idempotency

    package func storedReceipt(callerSystem: String, beskedID: String) async throws -> StoredReceipt? {
        // On the caller's thread, on the reader's own connections: a reader never waits for the
        // writer in WAL mode, and one indexed look-up costs less than a hand-off to GRDB's pool.
        guard receiptKeys.mayContain(callerSystem: callerSystem, beskedID: beskedID) else { return nil }
        return try receiptReader.storedReceipt(callerSystem: callerSystem, beskedID: beskedID)
    }

    // MARK: Audit

    package func appendAudit(_ records: [AuditRecord], receipts: [StoredReceipt]) throws {
        guard !records.isEmpty || !receipts.isEmpty else { return }
        // Before the transaction: once a receipt can be read, its key is known.
        for r in receipts { receiptKeys.insert(callerSystem: r.callerSystem, beskedID: r.beskedID) }
        // GRDB runs a synchronous write on the calling thread (the audit writer's) when its
        // queue is free, as it is between the admin API's rare writes. The transaction is ours,
        // from prepared statements: GRDB's own (`write`) compiles BEGIN and COMMIT anew for
        // every commit, ~20 000 instructions, as much as two audit rows.
        try pool.writeWithoutTransaction { db in
            guard let connection = db.sqliteConnection else { throw SQLiteCallError(code: SQLITE_MISUSE, message: "the connection is closed") }
            func run(_ sql: String) throws { try SQLiteBinding(statement: try db.cachedStatement(sql: sql).sqliteStatement).run(on: connection) }
            try run("BEGIN IMMEDIATE")
            do {
                try Self.insert(records, receipts: receipts, db, connection)
                try run("COMMIT")
            } catch {
                // Nothing of a failed batch stays: not its receipts, not its other records.
                if sqlite3_get_autocommit(connection) == 0 { try? run("ROLLBACK") }
                throw error
            }
        }
    }

    /// One batch's rows, inside the caller's transaction.
    private static func insert(_ records: [AuditRecord], receipts: [StoredReceipt], _ db: Database, _ connection: OpaquePointer) throws {
        // The TransaktionsIDs whose receipt went in; their audit records leave the BeskedID index.
        var kept = Set<String>()
        if !receipts.isEmpty {
            // The first receipt wins: a concurrent duplicate keeps the stored one. The time
            // goes in as a Unix timestamp (the reader also takes GRDB's older date text).
            let insert = SQLiteBinding(statement: try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO stored_receipt (caller_system, besked_id, content_digest, operation, transaction_id, status,
                    errors_json, receiver_system, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).sqliteStatement)
            for r in receipts {
                insert.bind(1, r.callerSystem); insert.bind(2, r.beskedID); insert.bind(3, r.contentDigest)
                insert.bind(4, r.operation); insert.bind(5, r.transactionID); insert.bind(6, r.status)
                insert.bind(7, r.errorsJSON); insert.bind(8, r.receiverSystem); insert.bind(9, r.receivedAt.timeIntervalSince1970)
                try insert.run(on: connection)
                if sqlite3_changes(connection) == 1 { kept.insert(r.transactionID) }
            }
        }
        let insert = SQLiteBinding(statement: try db.cachedStatement(sql: """
            INSERT INTO audit (transaction_id, time_us, caller_system, certificate_fingerprint, security_model, municipality_code,
                municipality_cvr, operation, besked_id, receiver_system, outcome, fault_code, latency_us, cpr_hash, details, receipt_kept)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).sqliteStatement)
        for r in records {
            insert.bind(1, r.transactionID); insert.bind(2, r.time.unixMicros); insert.bind(3, r.callerSystem)
            insert.bind(4, r.certificateFingerprint); insert.bind(5, r.securityModel); insert.bind(6, r.municipalityCode)
            insert.bind(7, r.municipalityCVR); insert.bind(8, r.operation); insert.bind(9, r.beskedID)
            insert.bind(10, r.receiverSystem); insert.bind(11, r.outcome); insert.bind(12, r.faultCode)
            insert.bind(13, Int64(r.latencyMicros)); insert.bind(14, r.cprHash); insert.bind(15, r.details)
            insert.bind(16, kept.contains(r.transactionID) ? Int64(1) : Int64(0))
            try insert.run(on: connection)
        }
    }

    package func audit(_ query: AuditQuery) async throws -> [AuditRecord] {
        let (sql, arguments) = Self.auditSQL(query)
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.auditRecord)
        }
    }

    /// The audit search as SQL; its own function so tests can check the query plan.
    package static func auditSQL(_ query: AuditQuery) -> (sql: String, arguments: StatementArguments) {
        var conditions = SQLiteConditions()
        conditions.add(from: query.from, to: query.to, callerSystem: query.systemID)
        if let v = query.municipalityCode { conditions.add("municipality_code = ?", v) }
        if let v = query.beskedID {
            // Calls without a kept receipt through the partial index; the others through their
            // receipt, looked up by key for each system (every caller is a registered system;
            // CROSS JOIN keeps the systems as the outer loop, so stored_receipt is never scanned).
            conditions.add("""
                seq IN (SELECT seq FROM audit WHERE besked_id = ? AND receipt_kept = 0
                        UNION ALL
                        SELECT a.seq FROM system s CROSS JOIN stored_receipt r ON r.caller_system = s.id AND r.besked_id = ?
                                     JOIN audit a ON a.transaction_id = r.transaction_id)
                """, v, v)
        }
        if let v = query.transactionID { conditions.add("transaction_id = ?", v) }
        if let v = query.outcome { conditions.add("outcome = ?", v) }
        if let cursor = query.cursor, let seq = Int64(cursor) { conditions.add("seq < ?", seq) }
        let limit = max(1, min(query.limit, 1000))
        return ("SELECT * FROM audit \(conditions.whereClause) ORDER BY seq DESC LIMIT \(limit)", conditions.arguments)
    }

    package func auditCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0 }
    }

    static func auditRecord(_ row: Row) -> AuditRecord {
        AuditRecord(transactionID: row["transaction_id"], time: Date(unixMicros: row["time_us"] as Int64),
                    callerSystem: row["caller_system"], certificateFingerprint: row["certificate_fingerprint"], securityModel: row["security_model"],
                    municipalityCode: row["municipality_code"], municipalityCVR: row["municipality_cvr"], operation: row["operation"],
                    beskedID: row["besked_id"], receiverSystem: row["receiver_system"], outcome: row["outcome"], faultCode: row["fault_code"],
                    latencyMicros: row["latency_us"], cprHash: row["cpr_hash"], details: row["details"], sequence: row["seq"])
    }
}

// MARK: Observability (status page, metrics, readiness)

extension SQLiteStore: ObservabilityStore {
    package func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    package func recordProbeRound(_ round: ProbeRound) async throws {
        try await pool.write { db in
            let time = round.time.unixMicros
            try db.execute(sql: "INSERT INTO status_probe_round (time_us, service_state, receivers, receivers_up) VALUES (?, ?, ?, ?)",
                           arguments: [time, round.state.code, round.results.count, round.results.filter(\.up).count])
            for r in round.results {
                try db.execute(sql: """
                    INSERT INTO status_probe (round_time_us, receiver_system, endpoint_url, up, latency_us, detail) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [time, r.receiverSystem, r.endpointURL, r.up, r.latencyMicros, r.detail])
            }
        }
    }

    package func latestProbeRound() async throws -> ProbeRound? {
        try await pool.read { db in
            guard let round = try Row.fetchOne(db, sql: "SELECT time_us, service_state FROM status_probe_round ORDER BY time_us DESC LIMIT 1") else {
                return nil
            }
            let time: Int64 = round["time_us"]
            let results = try Row.fetchAll(db, sql: """
                SELECT receiver_system, endpoint_url, up, latency_us, detail FROM status_probe WHERE round_time_us = ? ORDER BY receiver_system
                """, arguments: [time]).map {
                ProbeResult(receiverSystem: $0["receiver_system"], endpointURL: $0["endpoint_url"], up: $0["up"],
                            latencyMicros: $0["latency_us"], detail: $0["detail"])
            }
            return ProbeRound(time: Date(unixMicros: time), results: results,
                              state: ServiceAvailability(code: round["service_state"]) ?? .unavailable)
        }
    }

    package func uptime(since: Date) async throws -> UptimeSummary {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS rounds, coalesce(sum(service_state <> 'unavailable'), 0) AS available, min(time_us) AS oldest
                FROM status_probe_round WHERE time_us >= ?
                """, arguments: [since.unixMicros])
            let oldest: Int64? = row?["oldest"]
            return UptimeSummary(rounds: row?["rounds"] ?? 0, availableRounds: row?["available"] ?? 0,
                                 oldest: oldest.map { Date(unixMicros: $0) })
        }
    }

    package func pruneProbeRounds(before date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM status_probe_round WHERE time_us < ?", arguments: [date.unixMicros])
        }
    }

    package func recentCallOutcomes(limit: Int, since: Date) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT outcome FROM audit WHERE time_us >= ? ORDER BY time_us DESC, seq DESC LIMIT ?",
                                arguments: [since.unixMicros, max(0, limit)])
        }
    }

    package func callLatency(since: Date, outcomes: [String], receiverSystem: String?) async throws -> LatencySummary {
        var conditions = ["time_us >= ?"]
        var arguments: StatementArguments = [since.unixMicros]
        if !outcomes.isEmpty {
            conditions.append("outcome IN (" + Array(repeating: "?", count: outcomes.count).joined(separator: ", ") + ")")
            for outcome in outcomes { arguments += [outcome] }
        }
        if let receiverSystem { conditions.append("receiver_system = ?"); arguments += [receiverSystem] }
        let whereClause = conditions.joined(separator: " AND ")
        let bound = arguments
        return try await pool.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit WHERE \(whereClause)", arguments: bound) ?? 0
            guard count > 0 else { return LatencySummary(calls: 0, medianMicros: nil) }
            // The lower median for an even count: a real observed value, never an average of two.
            let median = try Int.fetchOne(db, sql: "SELECT latency_us FROM audit WHERE \(whereClause) ORDER BY latency_us LIMIT 1 OFFSET ?",
                                          arguments: bound + [(count - 1) / 2])
            return LatencySummary(calls: count, medianMicros: median)
        }
    }
}
