import Foundation
import Logging
import PostgresNIO
import Synchronization

/// PostgreSQL (`--database-url`), for several instances sharing one database. What the SQLite
/// store keeps per process because it is the only writer (the Bloom filter of receipt keys)
/// is not used here: every instance asks the database. The SAML replay guard lives here too,
/// the message claims that hold a repeat back while another instance forwards the first call,
/// and a registry version that tells each instance when to reload (`RegistryFollower`).
///
/// The client runs in a task of the store's own from the start, because the platform reads the
/// registry while it is being built, before any service group runs; it ends with the store.
package final class PostgresStore: PlatformStore, Sendable {
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    /// When expired replay keys were last removed (`isReplay`).
    let replayPruning = Mutex(Date.distantPast)
    /// When expired message claims were last removed (`claim`).
    let claimPruning = Mutex(Date.distantPast)

    /// Connects, and creates or migrates the schema; throws if the database cannot be reached.
    package init(url: String, logger: Logger) async throws {
        let client = PostgresClient(configuration: try PostgresURL(url).configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        // The first query waits for `run`; started first, it does not log that it had to.
        let (started, signal) = AsyncStream<Void>.makeStream()
        running = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        do {
            try await PostgresDeadline.run(within: PostgresDeadline.start) { try await PostgresMigrations.migrate(client, logger: logger) }
        } catch {
            running.cancel()
            throw error
        }
    }

    /// Ends the client's connections (its `run` returns on cancellation).
    deinit { running.cancel() }

    // MARK: Registry

    /// One snapshot of all six tables and the registry version (a read-only repeatable-read
    /// transaction), so a reload racing another instance's change never sees half of it.
    package func registryContents() async throws -> RegistryContents {
        try await transaction { connection, logger in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var contents = RegistryContents()
            for try await version in try await connection.query("SELECT version FROM registry_version WHERE id = 1", logger: logger).decode(Int64.self) {
                contents.version = version
            }
            for try await row in try await connection.query("SELECT id, name, active, created_at FROM system", logger: logger) {
                let (id, name, active, created) = try row.decode((String, String, Bool, Date).self)
                contents.systems.append(SystemRecord(id: id, name: name, active: active, createdAt: created))
            }
            for try await row in try await connection.query("SELECT sha256, system_id, pem, subject, not_after FROM system_certificate", logger: logger) {
                let (sha, system, pem, subject, notAfter) = try row.decode((String, String, String, String, Date).self)
                contents.certificates.append(CertificateRecord(sha256: sha, systemID: system, pem: pem, subject: subject, notAfter: notAfter))
            }
            for try await row in try await connection.query("SELECT system_id, name FROM visibility_group", logger: logger) {
                let (system, group) = try row.decode((String, String).self)
                contents.visibilityGroups.append((systemID: system, group: group))
            }
            for try await row in try await connection.query(
                "SELECT id, system_id, service, municipality_cvr, state, updated_at FROM agreement", logger: logger) {
                contents.agreements.append(try Self.agreement(row))
            }
            var codes: [String: [String]] = [:]
            for try await row in try await connection.query("SELECT code, system_id FROM receiver_code ORDER BY code", logger: logger) {
                let (code, system) = try row.decode((String, String).self)
                codes[system, default: []].append(code)
            }
            for try await row in try await connection.query("SELECT system_id, endpoint_url, trust_root_pem FROM receiver", logger: logger) {
                let (id, url, trust) = try row.decode((String, String, String).self)
                contents.receivers.append(ReceiverRecord(systemID: id, endpointURL: url, trustRootPEM: trust, municipalityCodes: codes[id] ?? []))
            }
            return contents
        }
    }

    package func createSystem(_ system: SystemRecord, certificate: CertificateRecord?) async throws {
        try await transaction { connection, logger in
            if try await Self.exists("SELECT 1 FROM system WHERE id = \(system.id)", on: connection, logger) {
                throw StoreError.conflict("system \(system.id) exists")
            }
            try await connection.query("""
                INSERT INTO system (id, name, active, created_at) VALUES (\(system.id), \(system.name), \(system.active), \(system.createdAt))
                """, logger: logger)
            if let certificate { try await Self.insert(certificate, on: connection, logger) }
        }
    }

    package func addCertificate(_ certificate: CertificateRecord) async throws {
        try await transaction { connection, logger in
            try await Self.requireSystem(certificate.systemID, on: connection, logger)
            try await Self.insert(certificate, on: connection, logger)
        }
    }

    private static func insert(_ certificate: CertificateRecord, on connection: PostgresConnection, _ logger: Logger) async throws {
        for try await owner in try await connection.query(
            "SELECT system_id FROM system_certificate WHERE sha256 = \(certificate.sha256)", logger: logger).decode(String.self) {
            throw StoreError.conflict("the certificate is already registered to system \(owner)")
        }
        try await connection.query("""
            INSERT INTO system_certificate (sha256, system_id, pem, subject, not_after)
            VALUES (\(certificate.sha256), \(certificate.systemID), \(certificate.pem), \(certificate.subject), \(certificate.notAfter))
            """, logger: logger)
    }

    package func setSystemActive(_ systemID: String, active: Bool) async throws {
        try await changeOne("UPDATE system SET active = \(active) WHERE id = \(systemID) RETURNING id", missing: "no system \(systemID)")
    }

    package func addVisibilityGroup(systemID: String, group: String) async throws {
        try await transaction { connection, logger in
            try await Self.requireSystem(systemID, on: connection, logger)
            try await connection.query("INSERT INTO visibility_group (system_id, name) VALUES (\(systemID), \(group)) ON CONFLICT DO NOTHING",
                                       logger: logger)
        }
    }

    package func removeCertificate(systemID: String, sha256: String) async throws {
        try await changeOne("DELETE FROM system_certificate WHERE sha256 = \(sha256) AND system_id = \(systemID) RETURNING sha256",
                            missing: "system \(systemID) has no certificate \(sha256)")
    }

    package func removeVisibilityGroup(systemID: String, group: String) async throws {
        try await changeOne("DELETE FROM visibility_group WHERE system_id = \(systemID) AND name = \(group) RETURNING name",
                            missing: "system \(systemID) is not in visibility group \(group)")
    }

    /// An `UPDATE` or `DELETE … RETURNING` that must change a row; `StoreError.notFound(missing)` otherwise.
    private func changeOne(_ query: PostgresQuery, missing: String) async throws {
        try await transaction { connection, logger in
            for try await _ in try await connection.query(query, logger: logger) { return }
            throw StoreError.notFound(missing)
        }
    }

    package func createAgreement(_ agreement: AgreementRecord) async throws {
        try await transaction { connection, logger in
            try await Self.requireSystem(agreement.systemID, on: connection, logger)
            try await connection.query("""
                INSERT INTO agreement (id, system_id, service, municipality_cvr, state, updated_at)
                VALUES (\(agreement.id), \(agreement.systemID), \(agreement.service), \(agreement.municipalityCVR),
                        \(agreement.state.rawValue), \(agreement.updatedAt))
                """, logger: logger)
        }
    }

    package func setAgreementState(id: String, state: AgreementRecord.State) async throws -> AgreementRecord {
        try await transaction { connection, logger in
            let rows = try await connection.query("""
                UPDATE agreement SET state = \(state.rawValue), updated_at = \(Date()) WHERE id = \(id)
                RETURNING id, system_id, service, municipality_cvr, state, updated_at
                """, logger: logger)
            for try await row in rows { return try Self.agreement(row) }
            throw StoreError.notFound("no agreement \(id)")
        }
    }

    package func putReceiver(_ receiver: ReceiverRecord) async throws {
        try await transaction { connection, logger in
            try await Self.requireSystem(receiver.systemID, on: connection, logger)
            for code in receiver.municipalityCodes {
                for try await owner in try await connection.query(
                    "SELECT system_id FROM receiver_code WHERE code = \(code)", logger: logger).decode(String.self) where owner != receiver.systemID {
                    throw StoreError.conflict("municipality code \(code) already has receiver \(owner)")
                }
            }
            try await connection.query("""
                INSERT INTO receiver (system_id, endpoint_url, trust_root_pem) VALUES (\(receiver.systemID), \(receiver.endpointURL), \(receiver.trustRootPEM))
                ON CONFLICT (system_id) DO UPDATE SET endpoint_url = excluded.endpoint_url, trust_root_pem = excluded.trust_root_pem
                """, logger: logger)
            try await connection.query("DELETE FROM receiver_code WHERE system_id = \(receiver.systemID)", logger: logger)
            for code in receiver.municipalityCodes {
                try await connection.query("INSERT INTO receiver_code (code, system_id) VALUES (\(code), \(receiver.systemID))", logger: logger)
            }
        }
    }

    // MARK: Idempotency

    package func storedReceipt(callerSystem: String, beskedID: String) async throws -> StoredReceipt? {
        try await bounded { [self] in
            let rows = try await client.query("""
                SELECT content_digest, operation, transaction_id, status, errors_json, receiver_system, received_at
                FROM stored_receipt WHERE caller_system = \(callerSystem) AND besked_id = \(beskedID)
                """, logger: logger)
            for try await row in rows {
                let (digest, operation, transactionID, status, errors, receiver, received) =
                    try row.decode((String, String, String, String, String, String, Date).self)
                return StoredReceipt(callerSystem: callerSystem, beskedID: beskedID, contentDigest: digest, operation: operation,
                                     transactionID: transactionID, status: status, errorsJSON: errors, receiverSystem: receiver, receivedAt: received)
            }
            return nil
        }
    }

    // MARK: Audit

    /// The audit log's writer thread waits here while the batch's transaction runs on the
    /// client's event loops: blocking that one dedicated thread is what its contract asks for
    /// (durable on return), and no event loop or task thread ever waits.
    package func appendAudit(_ records: [AuditRecord], receipts: [StoredReceipt]) throws {
        guard !records.isEmpty || !receipts.isEmpty else { return }
        try BlockingWait.run { try await self.append(records, receipts: receipts) }
    }

    /// One transaction (bounded like every other, see `transaction`); PostgreSQL's
    /// `synchronous_commit` (on by default) makes its commit durable, and the server groups
    /// concurrent commits into one WAL flush.
    func append(_ records: [AuditRecord], receipts: [StoredReceipt]) async throws {
        try await transaction { connection, logger in
            // One statement per table for the whole batch: a round trip each, whatever its size.
            // The first receipt wins: a concurrent duplicate (from any instance) keeps the stored one.
            var kept = Set<String>()
            for chunk in receipts.chunks(of: MultiRowValues.rowsPerStatement) {
                var rows = MultiRowValues(columns: 9)
                for r in chunk {
                    rows.add { binds in
                        binds.append(r.callerSystem); binds.append(r.beskedID); binds.append(r.contentDigest); binds.append(r.operation)
                        binds.append(r.transactionID); binds.append(r.status); binds.append(r.errorsJSON); binds.append(r.receiverSystem)
                        binds.append(r.receivedAt)
                    }
                }
                let inserted = try await connection.query(rows.query("""
                    INSERT INTO stored_receipt (caller_system, besked_id, content_digest, operation, transaction_id, status,
                        errors_json, receiver_system, received_at)
                    """, then: "ON CONFLICT DO NOTHING RETURNING transaction_id"), logger: logger)
                for try await transactionID in inserted.decode(String.self) { kept.insert(transactionID) }
            }
            for chunk in records.chunks(of: MultiRowValues.rowsPerStatement) {
                var rows = MultiRowValues(columns: 16)
                var claims = (callers: [String](), beskedIDs: [String](), ids: [String]())
                for r in chunk {
                    if let caller = r.callerSystem, let beskedID = r.beskedID {
                        claims.callers.append(caller); claims.beskedIDs.append(beskedID); claims.ids.append(r.transactionID)
                    }
                    rows.add { binds in
                        binds.append(r.transactionID); binds.append(r.time.unixMicros); binds.append(r.callerSystem)
                        binds.append(r.certificateFingerprint); binds.append(r.securityModel); binds.append(r.municipalityCode)
                        binds.append(r.municipalityCVR); binds.append(r.operation); binds.append(r.beskedID); binds.append(r.receiverSystem)
                        binds.append(r.outcome); binds.append(r.faultCode); binds.append(Int64(r.latencyMicros)); binds.append(r.cprHash)
                        binds.append(r.details); binds.append(kept.contains(r.transactionID))
                    }
                }
                // A call's claim (`MessageClaims`) ends with its record, in the transaction that
                // stores its receipt: no instance finds the claim gone and the receipt not yet there.
                var released = ""
                if !claims.ids.isEmpty {
                    released = """
                        WITH released AS (DELETE FROM message_claim c
                            USING unnest(\(rows.bind(claims.callers))::text[], \(rows.bind(claims.beskedIDs))::text[], \(rows.bind(claims.ids))::text[])
                                AS r(caller_system, besked_id, claim_id)
                            WHERE c.caller_system = r.caller_system AND c.besked_id = r.besked_id AND c.claim_id = r.claim_id)

                        """
                }
                try await connection.query(rows.query(released + """
                    INSERT INTO audit (transaction_id, time_us, caller_system, certificate_fingerprint, security_model, municipality_code,
                        municipality_cvr, operation, besked_id, receiver_system, outcome, fault_code, latency_us, cpr_hash, details, receipt_kept)
                    """), logger: logger)
            }
        }
    }

    package func audit(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await bounded { [self] in
            var records: [AuditRecord] = []
            for try await row in try await client.query(Self.auditQuery(query), logger: logger) {
                records.append(try Self.auditRecord(row))
            }
            return records
        }
    }

    /// The audit search with its values bound, never spliced into the text.
    static func auditQuery(_ query: AuditQuery) -> PostgresQuery {
        var conditions = PostgresConditions()
        conditions.add(from: query.from, to: query.to, callerSystem: query.systemID)
        if let v = query.municipalityCode { conditions.add("municipality_code = ?", v) }
        if let v = query.beskedID { conditions.add("besked_id = ?", v) }
        if let v = query.transactionID { conditions.add("transaction_id = ?", v) }
        if let v = query.outcome { conditions.add("outcome = ?", v) }
        if let cursor = query.cursor, let seq = Int64(cursor) { conditions.add("seq < ?", seq) }
        let limit = max(1, min(query.limit, 1000))
        return PostgresQuery(unsafeSQL: "SELECT \(auditColumns) FROM audit \(conditions.whereClause) ORDER BY seq DESC LIMIT \(limit)",
                             binds: conditions.binds)
    }

    package func auditCount() async throws -> Int {
        try await bounded { [self] in
            for try await count in try await client.query("SELECT count(*) FROM audit", logger: logger).decode(Int.self) { return count }
            return 0
        }
    }

    // MARK: Rows and transactions

    private static let auditColumns = """
        seq, transaction_id, time_us, caller_system, certificate_fingerprint, security_model, municipality_code, municipality_cvr,
        operation, besked_id, receiver_system, outcome, fault_code, latency_us, cpr_hash, details
        """

    private static func auditRecord(_ row: PostgresRow) throws -> AuditRecord {
        let c = row.makeRandomAccess()
        return AuditRecord(
            transactionID: try c["transaction_id"].decode(String.self), time: Date(unixMicros: try c["time_us"].decode(Int64.self)),
            callerSystem: try c["caller_system"].decode(String?.self), certificateFingerprint: try c["certificate_fingerprint"].decode(String?.self),
            securityModel: try c["security_model"].decode(String?.self), municipalityCode: try c["municipality_code"].decode(String?.self),
            municipalityCVR: try c["municipality_cvr"].decode(String?.self), operation: try c["operation"].decode(String?.self),
            beskedID: try c["besked_id"].decode(String?.self), receiverSystem: try c["receiver_system"].decode(String?.self),
            outcome: try c["outcome"].decode(String.self), faultCode: try c["fault_code"].decode(String?.self),
            latencyMicros: Int(try c["latency_us"].decode(Int64.self)), cprHash: try c["cpr_hash"].decode(String?.self),
            details: try c["details"].decode(String?.self), sequence: try c["seq"].decode(Int64.self))
    }

    private static func agreement(_ row: PostgresRow) throws -> AgreementRecord {
        let (id, system, service, cvr, state, updated) = try row.decode((String, String, String, String, String, Date).self)
        return AgreementRecord(id: id, systemID: system, service: service, municipalityCVR: cvr,
                               state: AgreementRecord.State(rawValue: state) ?? .revoked, updatedAt: updated)
    }

    private static func exists(_ query: PostgresQuery, on connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        for try await _ in try await connection.query(query, logger: logger) { return true }
        return false
    }

    private static func requireSystem(_ id: String, on connection: PostgresConnection, _ logger: Logger) async throws {
        guard try await exists("SELECT 1 FROM system WHERE id = \(id)", on: connection, logger) else { throw StoreError.notFound("no system \(id)") }
    }

    /// A read, bounded like every store operation (`PostgresDeadline`).
    func bounded<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        try await PostgresDeadline.run(body)
    }

    /// Runs `body` in one transaction. A `StoreError` thrown inside comes out as itself (the
    /// client wraps whatever the closure throws), so the admin API still answers 404 or 409.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result) async throws -> Result {
        let (client, logger) = (client, logger)
        do {
            return try await PostgresDeadline.run {
                try await client.withTransaction(logger: logger) { connection in
                    // Past its deadline (the caller was told it failed), a transaction must not
                    // commit late when the database comes back: cancelled, it rolls back.
                    try Task.checkCancellation()
                    let result = try await body(connection, logger)
                    try Task.checkCancellation()
                    return result
                }
            }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? StoreError { throw inner }
            throw error
        }
    }
}
