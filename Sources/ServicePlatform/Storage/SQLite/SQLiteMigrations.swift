import GRDB

/// The schema, as migrations with stable names. A shipped migration is never edited: add "v2 …".
package enum SQLiteMigrations {
    /// The last migration before the audit table was rebuilt: what an upgrade test starts from.
    package static let beforeAuditRebuild = "v3 BeskedID index without kept receipts"

    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 registry") { db in
            try db.execute(sql: """
                CREATE TABLE system (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                    active INTEGER NOT NULL DEFAULT 1,
                    created_at DATETIME NOT NULL);
                CREATE TABLE system_certificate (
                    sha256 TEXT PRIMARY KEY NOT NULL,
                    system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                    pem TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    not_after DATETIME NOT NULL);
                CREATE INDEX system_certificate_system ON system_certificate(system_id);
                CREATE TABLE visibility_group (
                    system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    PRIMARY KEY (system_id, name));
                CREATE TABLE agreement (
                    id TEXT PRIMARY KEY NOT NULL,
                    system_id TEXT NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                    service TEXT NOT NULL,
                    municipality_cvr TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'revoked')),
                    updated_at DATETIME NOT NULL);
                CREATE INDEX agreement_lookup ON agreement(system_id, service, municipality_cvr);
                CREATE TABLE receiver (
                    system_id TEXT PRIMARY KEY NOT NULL REFERENCES system(id) ON DELETE CASCADE,
                    endpoint_url TEXT NOT NULL,
                    trust_root_pem TEXT NOT NULL);
                CREATE TABLE receiver_code (
                    code TEXT PRIMARY KEY NOT NULL,
                    system_id TEXT NOT NULL REFERENCES receiver(system_id) ON DELETE CASCADE);
                """)
        }
        migrator.registerMigration("v1 idempotency") { db in
            try db.execute(sql: """
                CREATE TABLE stored_receipt (
                    caller_system TEXT NOT NULL,
                    besked_id TEXT NOT NULL,
                    content_digest TEXT NOT NULL,
                    operation TEXT NOT NULL,
                    transaction_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    errors_json TEXT NOT NULL,
                    receiver_system TEXT NOT NULL,
                    received_at DATETIME NOT NULL,
                    PRIMARY KEY (caller_system, besked_id));
                """)
        }
        migrator.registerMigration("v1 audit") { db in
            try db.execute(sql: """
                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    transaction_id TEXT NOT NULL UNIQUE,
                    time_us INTEGER NOT NULL,
                    caller_system TEXT,
                    certificate_fingerprint TEXT,
                    security_model TEXT,
                    municipality_code TEXT,
                    municipality_cvr TEXT,
                    operation TEXT,
                    besked_id TEXT,
                    receiver_system TEXT,
                    outcome TEXT NOT NULL,
                    fault_code TEXT,
                    latency_us INTEGER NOT NULL,
                    cpr_hash TEXT,
                    details TEXT);
                CREATE INDEX audit_time ON audit(time_us);
                CREATE INDEX audit_caller ON audit(caller_system, time_us);
                CREATE INDEX audit_besked ON audit(besked_id);
                """)
        }
        migrator.registerMigration("v2 status probes") { db in
            try db.execute(sql: """
                CREATE TABLE status_probe_round (
                    time_us INTEGER PRIMARY KEY NOT NULL,
                    service_state TEXT NOT NULL CHECK (service_state IN ('full', 'partial', 'unavailable')),
                    receivers INTEGER NOT NULL,
                    receivers_up INTEGER NOT NULL);
                CREATE TABLE status_probe (
                    round_time_us INTEGER NOT NULL REFERENCES status_probe_round(time_us) ON DELETE CASCADE,
                    receiver_system TEXT NOT NULL,
                    endpoint_url TEXT NOT NULL,
                    up INTEGER NOT NULL,
                    latency_us INTEGER,
                    detail TEXT,
                    PRIMARY KEY (round_time_us, receiver_system));
                """)
        }
        // A random BeskedID lands each insert on a random leaf of the index: dropping it cut the
        // WAL writes per call by a quarter and the router's CPU per call by ~13 %. Calls whose
        // receipt is kept are found through stored_receipt (its key is caller and BeskedID), so
        // only the others (faults, replays, a concurrent duplicate's) stay in the index. Rows from
        // before have receipt_kept 0 and stay findable through it.
        migrator.registerMigration(beforeAuditRebuild) { db in
            try db.execute(sql: """
                ALTER TABLE audit ADD COLUMN receipt_kept INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX audit_besked_unkept ON audit(besked_id) WHERE receipt_kept = 0;
                DROP INDEX audit_besked;
                """)
        }
        // AUTOINCREMENT made SQLite update sqlite_sequence with every commit: one page more in the
        // WAL per commit (8 instead of 9 for a commit of one call) and ~7 000 instructions a call.
        // Nothing deletes audit rows, so INTEGER PRIMARY KEY numbers new rows as before: one above
        // the highest. SQLite cannot drop the keyword in place, so the table is copied once, in
        // seq order, keeping every number; a large audit needs its size again in free disk space
        // (and in the WAL) for that one start.
        migrator.registerMigration("v4 audit numbered without AUTOINCREMENT") { db in
            let columns = """
                seq, transaction_id, time_us, caller_system, certificate_fingerprint, security_model, municipality_code, municipality_cvr,
                operation, besked_id, receiver_system, outcome, fault_code, latency_us, cpr_hash, details, receipt_kept
                """
            try db.execute(sql: """
                CREATE TABLE audit_v4 (
                    seq INTEGER PRIMARY KEY,
                    transaction_id TEXT NOT NULL UNIQUE,
                    time_us INTEGER NOT NULL,
                    caller_system TEXT,
                    certificate_fingerprint TEXT,
                    security_model TEXT,
                    municipality_code TEXT,
                    municipality_cvr TEXT,
                    operation TEXT,
                    besked_id TEXT,
                    receiver_system TEXT,
                    outcome TEXT NOT NULL,
                    fault_code TEXT,
                    latency_us INTEGER NOT NULL,
                    cpr_hash TEXT,
                    details TEXT,
                    receipt_kept INTEGER NOT NULL DEFAULT 0);
                INSERT INTO audit_v4 (\(columns)) SELECT \(columns) FROM audit ORDER BY seq;
                DROP TABLE audit;
                ALTER TABLE audit_v4 RENAME TO audit;
                CREATE INDEX audit_time ON audit(time_us);
                CREATE INDEX audit_caller ON audit(caller_system, time_us);
                CREATE INDEX audit_besked_unkept ON audit(besked_id) WHERE receipt_kept = 0;
                DELETE FROM sqlite_sequence WHERE name = 'audit';
                """)
        }
        return migrator
    }
}
