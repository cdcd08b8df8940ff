#!/usr/bin/env python3
"""Reads what scripts/bench measured (ROWS_DIR/*.json from the generator, *.meta.json from the
script, soak-rss.tsv, context.json), prints the figures table and the targets with pass/fail,
writes one JSON file of all of it, and ends with the headline lines: the throughput of (c) the
router (AuthorityContext) and (d) the router (SAML, one token) relative to (b) nginx, and the
router's CPU per call in (c), (d) and (e) (SAML, a fresh token per call).
Usage: report.py ROWS_DIR OUT_JSON; exits 1 on any error or lost audit record."""
import glob
import json
import os
import statistics
import sys

rows_dir, out_path = sys.argv[1], sys.argv[2]
with open(os.path.join(rows_dir, "context.json")) as f:
    context = json.load(f)
smoke = context["mode"] == "smoke"

rows = []
for meta_path in sorted(glob.glob(os.path.join(rows_dir, "*.meta.json")), key=os.path.getmtime):
    with open(meta_path) as f:
        meta = json.load(f)
    gen_path = meta_path.replace(".meta.json", ".json")
    split_path = meta_path.replace(".meta.json", ".split.json")
    if os.path.exists(split_path):  # router rows: where the latency went (router_split.py)
        with open(split_path) as f:
            meta["latencySplit"] = json.load(f)
    if not os.path.exists(gen_path):
        meta["generator"] = None
        rows.append(meta)
        continue
    with open(gen_path) as f:
        meta["generator"] = json.load(f)
    g = meta["generator"]
    calls = g["callsSent"]
    meta["cpuMicrosPerCall"] = meta["cpuSeconds"] * 1e6 / calls if calls else None
    meta["peakRssMB"] = meta["hwmKiB"] / 1024
    rows.append(meta)
by_name = {r["name"]: r for r in rows}


def g(row, *path):
    value = row["generator"]
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def busy(row):
    """The machine's busy share during the row, as a percentage for the table ("-" if unknown)."""
    value = row.get("machineBusy")
    return "-" if value is None else f"{value * 100:.0f}%"


# ---- the table -------------------------------------------------------------------------
print()
print("Figures (latency from the intended send time in open-loop rows; CPU and peak RSS of the measured process:"
      " jobcenter for direct, nginx master+worker for nginx, router for router; load = the machine's 1-minute load average"
      " at the row's end, other work on the machine included; busy = the share of both cores' time not idle during the row,"
      " every process on the machine counted)")
header = f"{'row':<22} {'target':<7} {'msg':<9} {'bytes':>6} {'conc':>4} {'rate/s':>7} {'calls':>7} {'err':>4} " \
         f"{'thrpt/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'p99.9 ms':>8} {'CPU µs/call':>11} {'peakRSS MB':>10} {'audit':>6} {'load':>5} {'busy':>5}"
print(header)
print("-" * len(header))
problems = []
for r in rows:
    if r["generator"] is None:
        print(f"{r['name']:<22} {r['target']:<7} generator failed")
        problems.append(f"{r['name']}: the generator failed")
        continue
    rate = g(r, "ratePerSecond")
    lat = g(r, "latencyMicros")
    errors = g(r, "errors")
    total_errors = errors["status"] + errors["body"] + errors["transport"]
    audit = "-"
    if r.get("auditDelta") is not None:
        audit = "ok" if r["auditDelta"] == g(r, "callsSent") else f"{r['auditDelta']}!"
        if r["auditDelta"] != g(r, "callsSent"):
            problems.append(f"{r['name']}: {g(r, 'callsSent')} calls but {r['auditDelta']} audit records")
    if r.get("jobcenterDelta") is not None and r["jobcenterDelta"] != g(r, "callsSent"):
        problems.append(f"{r['name']}: {g(r, 'callsSent')} calls but the jobcenter received {r['jobcenterDelta']}")
    if total_errors:
        problems.append(f"{r['name']}: {total_errors} errors {errors} e.g. {g(r, 'errorSamples')[:1]}")
    if g(r, "notSent"):
        problems.append(f"{r['name']}: {g(r, 'notSent')} planned calls not sent (the open loop fell behind)")
    if g(r, "presignedExhausted"):
        problems.append(f"{r['name']}: the {g(r, 'presignedMessages')} pre-signed messages ran out before the row's end")
    print(f"{r['name']:<22} {r['target']:<7} {r['message']:<9} {g(r, 'bodyBytes'):>6} {g(r, 'concurrency'):>4} "
          f"{(f'{rate:.0f}' if rate else '-'):>7} {g(r, 'callsSent'):>7} {total_errors:>4} {g(r, 'throughputPerSecond'):>8.0f} "
          f"{lat['p50'] / 1000:>7.2f} {lat['p99'] / 1000:>7.2f} {lat['p999'] / 1000:>8.2f} "
          f"{r['cpuMicrosPerCall']:>11.0f} {r['peakRssMB']:>10.1f} {audit:>6} {r.get('loadAvg1', 0):>5.2f} {busy(r):>5}")
print()
ROWS = {"a": "direct-c32-3k", "b": "nginx-c32-3k", "c": "router-c32-3k", "d": "saml-token-c32-3k", "e": "saml-fresh-c32-3k",
        "f": "floor-c32-3k"}
print("headline rows: " + ", ".join(f"({k}) {v}" for k, v in ROWS.items()))
for letter in ("d", "e"):
    if ROWS[letter] not in by_name:
        problems.append(f"({letter}) {ROWS[letter]}: not measured (signing or calibration failed, see above)")
for note in context.get("notes", []):
    print("note: " + note)

# ---- soak ------------------------------------------------------------------------------
soak = {"samples": []}
soak_path = os.path.join(rows_dir, "soak-rss.tsv")
if os.path.exists(soak_path):
    with open(soak_path) as f:
        soak["samples"] = [{"t": float(t), "rssKiB": int(k)} for t, k in (line.split() for line in f if line.strip())]
samples = soak["samples"]
if samples:
    span = samples[-1]["t"] or 1
    settled = [s for s in samples if s["t"] >= 0.2 * span] or samples
    base = settled[0]["rssKiB"]
    worst = max(abs(s["rssKiB"] - base) / base for s in settled) if base else 0
    soak.update(baselineKiB=base, maxDeviation=worst, flat=worst <= 0.10)
    listed = ", ".join("%.0f" % (s["rssKiB"] / 1024) for s in samples)
    print(f"soak: router RSS {listed} MB "
          f"(every {context['soakSampleSeconds']} s); largest deviation from the first sample after 20 % of the soak: {worst * 100:.1f} %")


# ---- registry --------------------------------------------------------------------------
def compare(small, big):
    a, b = by_name.get(small), by_name.get(big)
    if not a or not b or not a["generator"] or not b["generator"]:
        return None
    return {"small": small, "big": big,
            "cpuRatio": b["cpuMicrosPerCall"] / a["cpuMicrosPerCall"] if a["cpuMicrosPerCall"] else None,
            "throughputRatio": g(b, "throughputPerSecond") / g(a, "throughputPerSecond") if g(a, "throughputPerSecond") else None,
            "p50Ratio": g(b, "latencyMicros", "p50") / g(a, "latencyMicros", "p50") if g(a, "latencyMicros", "p50") else None}


def registry_baseline(conc):
    """The small registry run just before the big one (same database, restarted router), if the run has it."""
    same_time = f"router-c{conc}-3k-smallreg"
    return same_time if same_time in by_name else f"router-c{conc}-3k"


registry = [c for c in (compare(registry_baseline(32), "router-c32-3k-bigreg"), compare(registry_baseline(1), "router-c1-3k-bigreg")) if c]
for c in registry:
    print(f"registry {context.get('bigRegistry', '')}: {c['big']} vs {c['small']}: CPU/call ×{c['cpuRatio']:.2f}, "
          f"throughput ×{c['throughputRatio']:.2f}, p50 ×{c['p50Ratio']:.2f}")

# ---- targets ---------------------------------------------------------------------------
targets = []


def target(name, measured, limit, passed, unit=""):
    targets.append({"target": name, "measured": measured, "limit": limit, "pass": passed})


def rounds_of(target_name):
    """The headline row's rounds (TARGET-c32-3k-rK) that have figures, by K."""
    prefix = f"{target_name}-c32-3k-r"
    return {int(r["name"][len(prefix):]): r for r in rows if r["name"].startswith(prefix) and r["generator"]}


def median_cpu(target_name):
    """The median of a headline target's CPU µs per call over its rounds, None without figures."""
    cpus = [r["cpuMicrosPerCall"] for r in rounds_of(target_name).values() if r["cpuMicrosPerCall"] is not None]
    return statistics.median(cpus) if cpus else None


def ratios_by_round(numerator, denominator):
    """Throughput of one target over another's, round by round (rows run a minute apart at most)."""
    a, b = rounds_of(numerator), rounds_of(denominator)
    return [(k, g(a[k], "throughputPerSecond") / g(b[k], "throughputPerSecond"))
            for k in sorted(a) if k in b and g(b[k], "throughputPerSecond")]


router, nginx, direct = by_name.get("router-c32-3k"), by_name.get("nginx-c32-3k"), by_name.get("direct-c32-3k")
router_ratios, floor_ratios = ratios_by_round("router", "nginx"), ratios_by_round("floor", "nginx")
for label, listed in (("(c)/(b)", router_ratios), ("(f)/(b)", floor_ratios)):
    if len(listed) > 1:
        print(f"rounds {label} at concurrency 32, ~3 KB: " + ", ".join(f"r{k} {x:.2f}" for k, x in listed)
              + f" (median {statistics.median(x for _, x in listed):.2f})")
# The CPU per call moves with the machine as the throughput does (the router's at concurrency 32
# ran 261–403 µs within one full run, same binary): each round's figure, so a verdict can be read
# against its spread.
cpu_rounds = {t: {k: r["cpuMicrosPerCall"] for k, r in rounds_of(t).items() if r["cpuMicrosPerCall"] is not None}
              for t in ("router", "floor", "nginx")}
if len(cpu_rounds["router"]) > 1:
    print("rounds CPU µs per call at concurrency 32, ~3 KB: "
          + "; ".join(f"{t} " + ", ".join(f"r{k} {v:.0f}" for k, v in sorted(by_round.items()))
                      for t, by_round in cpu_rounds.items() if by_round))
ratio = statistics.median(x for _, x in router_ratios) if router_ratios else None
if ratio is not None:
    target("AuthorityContext throughput / nginx throughput, concurrency 32, ~3 KB (median of rounds)", round(ratio, 3), ">= 0.6",
           ratio >= 0.6)
cpu = median_cpu("router")
if cpu is not None:
    target("router CPU per call, µs (concurrency 32, ~3 KB, median of rounds)", round(cpu, 1), "<= 200", cpu <= 200)
ro, do = by_name.get("router-open50"), by_name.get("direct-open50")
if ro and do and ro["generator"] and do["generator"]:
    added = (g(ro, "latencyMicros", "p99") - g(do, "latencyMicros", "p99")) / 1000
    # The p99s of both rows carry the machine's own stalls; the lower percentiles say more about
    # what the router adds at half load.
    print("open loop at 50 %: the router's latency over direct: "
          + ", ".join(f"{p} {(g(ro, 'latencyMicros', p) - g(do, 'latencyMicros', p)) / 1000:+.2f} ms" for p in ("p50", "p90", "p99"))
          + f"; the machine was {busy(ro)} busy in the router's row and {busy(do)} in the direct row")
    # Half the closed loop's rate is not half the machine: with less to batch per fsync and per
    # wake-up, each call costs more CPU in the open loop, in the router and in the jobcenter.
    rc, dc = by_name.get("router-c32-3k"), by_name.get("direct-c32-3k")
    if rc and dc and rc.get("cpuMicrosPerCall") and dc.get("cpuMicrosPerCall"):
        print(f"open loop at 50 %: CPU per call, open loop against concurrency 32: router {ro['cpuMicrosPerCall']:.0f} against "
              f"{rc['cpuMicrosPerCall']:.0f} µs, jobcenter (direct row) {do['cpuMicrosPerCall']:.0f} against {dc['cpuMicrosPerCall']:.0f} µs")
    split = ro.get("latencySplit") or {}
    if split.get("handlerMs") and split.get("auditWaitMs"):
        h, w = split["handlerMs"], split["auditWaitMs"]
        c = split.get("auditCommitMs") or {}
        wal = split.get("wal") or {}
        fmt = lambda v: "?" if v is None else f"{v:.2f}"
        print("open loop at 50 %: the router's own split: to the receipt (forward included) "
              + "/".join(fmt(h[p]) for p in ("p50", "p90", "p99")) + " ms p50/p90/p99; then the durable audit wait "
              + "/".join(fmt(w[p]) for p in ("p50", "p90", "p99")) + f" ms (commits {fmt(c.get('p50'))}/{fmt(c.get('p99'))} ms p50/p99, "
              + f"{split.get('recordsPerCommit', '?')} records each; {c.get('over2ms', '?')} of {c.get('commits', '?')} commits "
              + f"took over 2 ms, {c.get('over25ms', '?')} over 25 ms and {c.get('over100ms', '?')} over 100 ms; "
              + f"{w.get('over2ms', '?')} calls waited over 2 ms; WAL restarts {wal.get('restarts', '?')}, "
              + f"writer checkpoints {wal.get('writerCheckpoints', '?')}, background syncs {wal.get('backgroundSyncs', '?')})")
    target(f"added p99 over direct at 50 % of the router's max rate ({g(ro, 'ratePerSecond'):.0f}/s), ms", round(added, 3), "<= 2", added <= 2)
# The added p99 against the load (reported, not a target): open-loop pairs below the 50 % row.
load_curve = []
for percent in sorted(int(n[len("router-open"):]) for n in by_name if n.startswith("router-open")):
    router_row, direct_row = by_name[f"router-open{percent}"], by_name.get(f"direct-open{percent}")
    if not (direct_row and router_row["generator"] and direct_row["generator"]):
        continue
    added_at = lambda p: (g(router_row, "latencyMicros", p) - g(direct_row, "latencyMicros", p)) / 1000
    row_split = router_row.get("latencySplit") or {}
    load_curve.append({"percentOfMax": percent, "ratePerSecond": g(router_row, "ratePerSecond"),
                       "directP99Ms": g(direct_row, "latencyMicros", "p99") / 1000,
                       "routerP99Ms": g(router_row, "latencyMicros", "p99") / 1000,
                       "addedP50Ms": added_at("p50"), "addedP99Ms": added_at("p99"),
                       "routerRowMachineBusy": router_row.get("machineBusy"),
                       "commitsOver25ms": (row_split.get("auditCommitMs") or {}).get("over25ms"),
                       "walRestarts": (row_split.get("wal") or {}).get("restarts")})
if len(load_curve) > 1:
    print("added latency against the load (open loop, % of the router's max rate): " + "; ".join(
        f"{c['percentOfMax']} % ({c['ratePerSecond']:.0f}/s, machine {busy({'machineBusy': c['routerRowMachineBusy']})} busy) "
        f"p50 {c['addedP50Ms']:+.2f}, p99 {c['addedP99Ms']:+.2f} ms, {c['commitsOver25ms'] if c['commitsOver25ms'] is not None else '?'} commits over 25 ms, "
        f"{c['walRestarts'] if c['walRestarts'] is not None else '?'} WAL restarts"
        for c in load_curve))
    within = [c for c in load_curve if c["addedP99Ms"] <= 2]
    print("added p99 within 2 ms: " + (f"at {', '.join(str(c['percentOfMax']) + ' %' for c in within)} of the max rate"
                                       if within else "at none of the rates measured"))
saml_token, saml_fresh = by_name.get(ROWS["d"]), by_name.get(ROWS["e"])
saml_ratio = None
if saml_token and nginx and saml_token["generator"] and nginx["generator"] and g(nginx, "throughputPerSecond"):
    saml_ratio = g(saml_token, "throughputPerSecond") / g(nginx, "throughputPerSecond")
saml_cpu = saml_token["cpuMicrosPerCall"] if saml_token and saml_token["generator"] else None
fresh_cpu = saml_fresh["cpuMicrosPerCall"] if saml_fresh and saml_fresh["generator"] else None
if saml_cpu is not None:
    target("router CPU per SAML call, one token reused, signed answers, µs (concurrency 32)", round(saml_cpu, 1), "<= 2900",
           saml_cpu <= 2900)
r128 = by_name.get("router-c128-3k")
if r128 and r128["generator"]:
    target("router peak RSS at concurrency 128, MB", round(r128["peakRssMB"], 1), "< 200", r128["peakRssMB"] < 200)
if "flat" in soak:
    target("router RSS flat over the soak (largest deviation)", f"{soak['maxDeviation'] * 100:.1f} %", "±10 %", soak["flat"])
for c in registry:
    flat = c["cpuRatio"] is not None and c["cpuRatio"] <= 1.2 and c["throughputRatio"] is not None and c["throughputRatio"] >= 0.8
    target(f"look-up cost flat with {context.get('bigRegistry', 'the big registry')} ({c['big']}: CPU ≤ ×1.2, throughput ≥ ×0.8)",
           f"CPU ×{c['cpuRatio']:.2f}, thrpt ×{c['throughputRatio']:.2f}", "flat", flat)
target("errors, unsent calls and lost audit/jobcenter records over all runs", len(problems), "0", not problems)

print()
print("Targets" + (" (smoke: debug build and second-long runs, so only the last one is judged)" if smoke else ""))
for t in targets:
    verdict = "PASS" if t["pass"] else "FAIL"
    if smoke and t is not targets[-1]:
        verdict = "n/a"
    print(f"  [{verdict:<4}] {t['target']}: {t['measured']} (target {t['limit']})")
for p in problems:
    print("  problem: " + p)

# The router's HTTP stack with no contract work, against nginx doing the same: how much of (c)/(b)
# the stack already takes. Reported, not a target.
floor = by_name.get(ROWS["f"])
floor_ratio = statistics.median(x for _, x in floor_ratios) if floor_ratios else None
floor_cpu, nginx_cpu = median_cpu("floor"), median_cpu("nginx")

result = {"context": context, "rows": rows, "soak": soak, "registry": registry, "targets": targets, "problems": problems,
          "routerToNginxThroughputRatio": ratio, "routerCpuMicrosPerCall": cpu,
          "samlTokenToNginxThroughputRatio": saml_ratio, "samlTokenRouterCpuMicrosPerCall": saml_cpu,
          "samlFreshTokenRouterCpuMicrosPerCall": fresh_cpu,
          "floorToNginxThroughputRatio": floor_ratio, "floorCpuMicrosPerCall": floor_cpu, "loadCurve": load_curve}
os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
with open(out_path, "w") as f:
    json.dump(result, f, indent=2)
print(f"figures written to {out_path}")
print()
if floor_ratio is not None and floor_cpu is not None and nginx_cpu is not None:
    print(f"(f)/(b) throughput, the router's HTTP stack proxying with no contract work: {floor_ratio:.2f} (median of rounds) "
          f"(floor {g(floor, 'throughputPerSecond'):.0f}/s at {floor_cpu:.0f} µs CPU per call; nginx "
          f"{g(nginx, 'throughputPerSecond'):.0f}/s at {nginx_cpu:.0f} µs)")
if ratio is not None:
    print(f"(c)/(b) throughput at concurrency 32, ~3 KB: {ratio:.2f} (median over {len(router_ratios)} round(s); median rows: "
          f"router {g(router, 'throughputPerSecond'):.0f}/s, nginx {g(nginx, 'throughputPerSecond'):.0f}/s; target >= 0.6)")
else:
    print("(c)/(b) throughput: not measured")
if saml_ratio is not None:
    print(f"(d)/(b) throughput at concurrency 32: {saml_ratio:.2f} (router, SAML one token, {g(saml_token, 'throughputPerSecond'):.0f}/s, "
          f"nginx {g(nginx, 'throughputPerSecond'):.0f}/s)")
else:
    print("(d)/(b) throughput: not measured")
print(f"router CPU per call (c) AuthorityContext: {cpu:.0f} µs (target <= 200)" if cpu is not None
      else "router CPU per call (c) AuthorityContext: not measured")
print(f"router CPU per call (d) SAML, one token: {saml_cpu:.0f} µs (target <= 2900)" if saml_cpu is not None
      else "router CPU per call (d) SAML, one token: not measured")
print(f"router CPU per call (e) SAML, fresh token per call: {fresh_cpu:.0f} µs (reported)" if fresh_cpu is not None
      else "router CPU per call (e) SAML, fresh token per call: not measured")
sys.exit(1 if problems else 0)
