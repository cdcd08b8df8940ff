#!/usr/bin/env python3
"""Fills the router's SQLite with a large registry before the router starts: N systems, each
with a certificate fingerprint, MONOPOLBRUD and agreements with M/N municipalities (approved),
so the hot path's look-ups run against 10 000 systems and 100 000 agreements.
The rows are what the admin API would write; the certificates are placeholders (never
presented, only their fingerprints are indexed).
Usage: big_registry.py PLATFORM_SQLITE MUNICIPALITIES_CSV SYSTEMS AGREEMENTS"""
import csv
import hashlib
import sqlite3
import sys
import uuid
from datetime import datetime, timezone

path, municipalities, systems, agreements = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(municipalities, encoding="utf-8") as f:
    cvrs = [row["cvr"] for row in csv.DictReader(f)]
per_system = -(-agreements // systems)
now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")
later = "2036-01-01 00:00:00.000"

db = sqlite3.connect(path)
with db:
    db.execute("PRAGMA foreign_keys = ON")
    made = 0
    for i in range(systems):
        system = f"bench-system-{i:05d}"
        db.execute("INSERT INTO system (id, name, active, created_at) VALUES (?, ?, 1, ?)", (system, f"Bench system {i}", now))
        digest = hashlib.sha256(system.encode()).hexdigest()
        db.execute("INSERT INTO system_certificate (sha256, system_id, pem, subject, not_after) VALUES (?, ?, ?, ?, ?)",
                   (digest, system, "-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n", f"CN={system}", later))
        db.execute("INSERT INTO visibility_group (system_id, name) VALUES (?, 'MONOPOLBRUD')", (system,))
        for j in range(per_system):
            if made >= agreements:
                break
            db.execute("INSERT INTO agreement (id, system_id, service, municipality_cvr, state, updated_at) VALUES (?, ?, ?, ?, 'approved', ?)",
                       (str(uuid.uuid4()), system, "JC/Kontanthjaelp/2", cvrs[(i + j) % len(cvrs)], now))
            made += 1
counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("system", "agreement")]
print(f"registry: {counts[0]} systems, {counts[1]} agreements")
