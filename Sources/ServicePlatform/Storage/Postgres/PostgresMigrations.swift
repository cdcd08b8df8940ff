import Logging
import PostgresNIO

/// The PostgreSQL schema, one named step at a time, each applied once. Several instances may
/// start at once: a transaction-scoped advisory lock lets one migrate while the others wait,
/// then find the steps done.
enum PostgresMigrations {
    /// An arbitrary constant naming this schema's migration lock.
    private static let lockKey = 0x5350_4D49_4752  // "SPMIGR"

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        // One transaction under the lock, the bookkeeping table included: PostgreSQL's DDL is
        // transactional, and `CREATE TABLE IF NOT EXISTS` alone races with itself.
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migration (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for (name, statements) in steps where !applied.contains(name) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO schema_migration (name) VALUES (\(name))", logger: logger)
            }
        }
    }

    /// Times are timestamptz where people read them and microseconds since 1970 (BIGINT) where
    /// the audit and the probes sort and range over them, as in the SQLite store.
    private static let steps: [(String, [String])] = [
        ("v1 registry", [
            "CREATE TABLE system (id TEXT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL, created_at TIMESTAMPTZ NOT NULL)",
            """
            CREATE TABLE system_certificate (sha256 TEXT PRIMARY KEY, system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                pem TEXT NOT NULL, subject TEXT NOT NULL, not_after TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX system_certificate_system ON system_certificate(system_id)",
            """
            CREATE TABLE visibility_group (system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE, name TEXT NOT NULL,
                PRIMARY KEY (system_id, name))
            """,
            """
            CREATE TABLE agreement (id TEXT PRIMARY KEY, system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                service TEXT NOT NULL, municipality_cvr TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'revoked')), updated_at TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX agreement_lookup ON agreement(system_id, service, municipality_cvr)",
            """
            CREATE TABLE receiver (system_id TEXT PRIMARY KEY REFERENCES system(id) ON DELETE CASCADE, endpoint_url TEXT NOT NULL,
                trust_root_pem TEXT NOT NULL)
            """,
            "CREATE TABLE receiver_code (code TEXT PRIMARY KEY, system_id TEXT NOT NULL REFERENCES receiver(system_id) ON DELETE CASCADE)",
        ]),
        ("v1 idempotency", [
            """
            CREATE TABLE stored_receipt (caller_system TEXT NOT NULL, besked_id TEXT NOT NULL, content_digest TEXT NOT NULL,
                operation TEXT NOT NULL, transaction_id TEXT NOT NULL, status TEXT NOT NULL, errors_json TEXT NOT NULL,
                receiver_system TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (caller_system, besked_id))
            """,
        ]),
        ("v1 audit", [
            """
            CREATE TABLE audit (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, transaction_id TEXT NOT NULL UNIQUE,
                time_us BIGINT NOT NULL, caller_system TEXT, certificate_fingerprint TEXT, security_model TEXT,
                municipality_code TEXT, municipality_cvr TEXT, operation TEXT, besked_id TEXT, receiver_system TEXT,
                outcome TEXT NOT NULL, fault_code TEXT, latency_us BIGINT NOT NULL, cpr_hash TEXT, details TEXT,
                receipt_kept BOOLEAN NOT NULL DEFAULT false)
            """,
            "CREATE INDEX audit_time ON audit(time_us)",
            "CREATE INDEX audit_caller ON audit(caller_system, time_us)",
            "CREATE INDEX audit_besked ON audit(besked_id)",
        ]),
        ("v1 status probes", [
            """
            CREATE TABLE status_probe_round (time_us BIGINT PRIMARY KEY,
                service_state TEXT NOT NULL CHECK (service_state IN ('full', 'partial', 'unavailable')),
                receivers INTEGER NOT NULL, receivers_up INTEGER NOT NULL)
            """,
            """
            CREATE TABLE status_probe (round_time_us BIGINT NOT NULL REFERENCES status_probe_round(time_us) ON DELETE CASCADE,
                receiver_system TEXT NOT NULL, endpoint_url TEXT NOT NULL, up BOOLEAN NOT NULL, latency_us BIGINT, detail TEXT,
                PRIMARY KEY (round_time_us, receiver_system))
            """,
        ]),
        // Several instances: each keeps the registry in memory, and follows this number (bumped by
        // every statement that changes a registry table, in its transaction) to reload it.
        ("v2 registry version", [
            "CREATE TABLE registry_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
            "INSERT INTO registry_version (id, version) VALUES (1, 0)",
            """
            CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$
            """,
            "CREATE TRIGGER system_changed AFTER INSERT OR UPDATE OR DELETE ON system FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
            "CREATE TRIGGER system_certificate_changed AFTER INSERT OR UPDATE OR DELETE ON system_certificate FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
            "CREATE TRIGGER visibility_group_changed AFTER INSERT OR UPDATE OR DELETE ON visibility_group FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
            "CREATE TRIGGER agreement_changed AFTER INSERT OR UPDATE OR DELETE ON agreement FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
            "CREATE TRIGGER receiver_changed AFTER INSERT OR UPDATE OR DELETE ON receiver FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
            "CREATE TRIGGER receiver_code_changed AFTER INSERT OR UPDATE OR DELETE ON receiver_code FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version()",
        ]),
        // The SAML replay guard shared by the instances: signature values seen, until they expire.
        ("v2 seen signatures", [
            "CREATE TABLE seen_signature (key TEXT PRIMARY KEY, expires_us BIGINT NOT NULL)",
            "CREATE INDEX seen_signature_expiry ON seen_signature(expires_us)",
        ]),
        // Idempotency across instances (`MessageClaims`): the (caller, BeskedID) a call is
        // forwarding, until the transaction with its audit record deletes it, or it expires.
        // UNLOGGED: a lease, not data, so claiming adds no WAL flush to a call; a server crash
        // empties it, and ends the calls that held it too.
        ("v3 message claims", [
            """
            CREATE UNLOGGED TABLE message_claim (caller_system TEXT NOT NULL, besked_id TEXT NOT NULL, claimed_by TEXT NOT NULL,
                claim_id TEXT NOT NULL, expires_us BIGINT NOT NULL, PRIMARY KEY (caller_system, besked_id))
            """,
            // Claims, then reads the stored receipt: one round trip, in place of the look-up a
            // call makes anyway. Each statement of a (volatile) function takes a new snapshot, so
            // the read sees a first call whose record (and receipt) committed while the claim
            // waited for its row; one statement with both would not. Time is the server's, the
            // one clock every instance shares.
            """
            CREATE FUNCTION claim_message(p_caller TEXT, p_besked TEXT, p_instance TEXT, p_claim TEXT, p_lifetime_us BIGINT,
                OUT claimed BOOLEAN, OUT r_digest TEXT, OUT r_operation TEXT, OUT r_transaction TEXT, OUT r_status TEXT,
                OUT r_errors TEXT, OUT r_receiver TEXT, OUT r_received_at TIMESTAMPTZ)
            LANGUAGE plpgsql VOLATILE AS $$
            DECLARE now_us BIGINT := (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT;
            BEGIN
                INSERT INTO message_claim AS c (caller_system, besked_id, claimed_by, claim_id, expires_us)
                VALUES (p_caller, p_besked, p_instance, p_claim, now_us + p_lifetime_us)
                ON CONFLICT (caller_system, besked_id) DO UPDATE
                    SET claimed_by = excluded.claimed_by, claim_id = excluded.claim_id, expires_us = excluded.expires_us
                    WHERE c.expires_us <= now_us OR c.claimed_by = p_instance;
                claimed := FOUND;
                SELECT r.content_digest, r.operation, r.transaction_id, r.status, r.errors_json, r.receiver_system, r.received_at
                INTO r_digest, r_operation, r_transaction, r_status, r_errors, r_receiver, r_received_at
                FROM stored_receipt r WHERE r.caller_system = p_caller AND r.besked_id = p_besked;
            END $$
            """,
        ]),
    ]
}
