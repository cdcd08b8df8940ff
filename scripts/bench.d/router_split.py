#!/usr/bin/env python3
"""Where a router row's latency went, for the report: the handler's own time up to the receipt
(each audit record's latency_us, exact, from the rows the row added) and what durable audit
added on top (the router's /metrics histograms, scraped before and after the row: each call's
wait for its group commit, the commits' time on disk, records per commit).
Usage: router_split.py METRICS_BEFORE METRICS_AFTER DATABASE FIRST_SEQ > split.json"""
import json
import re
import sqlite3
import sys

before_path, after_path, db_path, first_seq = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
LINE = re.compile(r'^(\w+?)(_bucket\{le="([^"]+)"\}|_sum|_count) (\S+)$')


def histograms(path):
    found = {}
    with open(path) as f:
        for line in f:
            m = LINE.match(line.strip())
            if not m:
                continue
            h = found.setdefault(m.group(1), {"buckets": {}, "sum": 0.0, "count": 0.0})
            if m.group(3) is not None:
                h["buckets"][m.group(3)] = float(m.group(4))
            elif m.group(2) == "_sum":
                h["sum"] = float(m.group(4))
            else:
                h["count"] = float(m.group(4))
    return found


def delta(name, before, after):
    a, b = after.get(name), before.get(name, {"buckets": {}, "sum": 0.0, "count": 0.0})
    if not a:
        return None
    buckets = sorted(((float("inf") if le == "+Inf" else float(le), n - b["buckets"].get(le, 0.0)) for le, n in a["buckets"].items()))
    return {"buckets": buckets, "sum": a["sum"] - b["sum"], "count": a["count"] - b["count"]}


def quantile(h, q):
    """Linear within the bucket, as Prometheus' histogram_quantile; None past the last bound."""
    if not h or h["count"] <= 0:
        return None
    rank, lower, below = q * h["count"], 0.0, 0.0
    for upper, cumulative in h["buckets"]:
        if cumulative >= rank:
            if upper == float("inf"):
                return None
            inside = cumulative - below
            return lower + (upper - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = upper, cumulative
    return None


def over(h, bound):
    """How many observations exceeded `bound` seconds (a bucket bound of the histogram), or None."""
    below = dict(h["buckets"]).get(bound)
    return None if below is None else int(h["count"] - below)


COUNTER = re.compile(r'^(serviceplatform_wal_\w+_total) (\S+)$')


def counters(path):
    """The store's WAL checkpoint counters (absent for a store without them)."""
    with open(path) as f:
        return {m.group(1): float(m.group(2)) for m in map(COUNTER.match, map(str.strip, f)) if m}


before, after = histograms(before_path), histograms(after_path)
split = {}
wait = delta("serviceplatform_audit_wait_duration_seconds", before, after)
commit = delta("serviceplatform_audit_commit_duration_seconds", before, after)
records = delta("serviceplatform_audit_commit_records", before, after)
ms = lambda s: None if s is None else round(s * 1000, 3)
if wait and wait["count"]:
    split["auditWaitMs"] = {"mean": ms(wait["sum"] / wait["count"]), "p50": ms(quantile(wait, 0.5)), "p90": ms(quantile(wait, 0.9)),
                            "p99": ms(quantile(wait, 0.99)), "p99.9": ms(quantile(wait, 0.999)), "calls": int(wait["count"]),
                            "over2ms": over(wait, 0.002)}
if commit and commit["count"]:
    # The few slow commits and the calls queued behind them: at low load they set the wait's tail.
    split["auditCommitMs"] = {"mean": ms(commit["sum"] / commit["count"]), "p50": ms(quantile(commit, 0.5)),
                              "p99": ms(quantile(commit, 0.99)), "p99.9": ms(quantile(commit, 0.999)),
                              "commits": int(commit["count"]), "over2ms": over(commit, 0.002),
                              # A stall of the disk or of a checkpoint: one such commit holds every call behind it.
                              "over25ms": over(commit, 0.025), "over100ms": over(commit, 0.1)}
if records and records["count"]:
    split["recordsPerCommit"] = round(records["sum"] / records["count"], 2)
# A checkpoint the writer ran itself (one before each WAL restart) is a commit that also copied
# pages: with the counts of slow commits, these tell a checkpoint's stall from the disk's.
wal_before, wal_after = counters(before_path), counters(after_path)
if wal_after:
    split["wal"] = {key: int(wal_after.get(name, 0) - wal_before.get(name, 0)) for key, name in (
        ("restarts", "serviceplatform_wal_restarts_total"), ("writerCheckpoints", "serviceplatform_wal_writer_checkpoints_total"),
        ("backgroundSyncs", "serviceplatform_wal_background_syncs_total"))}
with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
    handler = sorted(r[0] for r in db.execute("SELECT latency_us FROM audit WHERE seq > ?", (first_seq,)))
if handler:
    n = len(handler)
    split["handlerMs"] = {p: round(handler[min(n - 1, int(n * q))] / 1000, 3) for p, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))}
json.dump(split, sys.stdout)
