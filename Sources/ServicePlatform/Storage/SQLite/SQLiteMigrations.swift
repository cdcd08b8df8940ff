import GRDB

/// The schema, as migrations with stable names. A shipped migration is never edited: add "v2 …".
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
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
        migrator.registerMigration("v3 BeskedID index without kept receipts") { db in
            try db.execute(sql: """
                ALTER TABLE audit ADD COLUMN receipt_kept INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX audit_besked_unkept ON audit(besked_id) WHERE receipt_kept = 0;
                DROP INDEX audit_besked;
                """)
        }
        return migrator
    }
}
