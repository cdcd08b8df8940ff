#!/usr/bin/env bash
# The router's hot path counted in instructions (issue 9): `serviceplatform bench-hotpath` runs
# the call pipeline in process (parse, authenticate and authorize, validate and decode, route,
# build the forward, read the receipt, sign the answer for SAML, durable SQLite audit), without
# HTTP or TLS, against an in-memory receiver that answers a fixed valid receipt, under
# valgrind's callgrind. Instruction counts barely move with the machine's load, so they show
# regressions between commits where timings would drown in noise.
#
# Two cases, each W warm-up + M measured calls, every message prepared before the first call:
#   authority-context  the headline ~3 KB message (scripts/bench.d/messages.py caller-3k.xml),
#                      a fresh BeskedID, BevillingID and TransaktionsID per call
#   saml               the same request element in the OIO IDWS envelope, one token reused,
#                      each message signed (own signature, MessageID, Timestamp, ids)
# Only the measured calls are counted: callgrind zeroes its counters on entry to
# `serviceplatform_hotpath_measure_start` and dumps them on entry to
# `serviceplatform_hotpath_measure_end` (every thread, the audit writer's included); the dump's
# total over M is the figure. The last lines print instructions per call for each case.
#
#   scripts/bench.d/callgrind.sh                  release build (.build-release), W=20, M=100
#   options: --warmup W  --iterations M  --case NAME (repeatable)  --no-build  --keep DIR
#   BENCH_BIN=PATH uses that serviceplatform binary as it is (no build).
# Outputs: the callgrind files (for callgrind_annotate) with --keep, and bench-results/callgrind-*.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

warmup=20; iterations=100; build=1; keep=""; cases=()
while [ $# -gt 0 ]; do
    case "$1" in
        --warmup) warmup=$2; shift ;;
        --iterations) iterations=$2; shift ;;
        --case) cases+=("$2"); shift ;;
        --no-build) build=0 ;;
        --keep) keep=$2; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ ${#cases[@]} -gt 0 ] || cases=(authority-context saml)
command -v valgrind > /dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

bin="${BENCH_BIN:-.build-release/release/serviceplatform}"
if [ -z "${BENCH_BIN:-}" ] && [ "$build" = 1 ]; then
    echo "== swift build -c release (scratch path .build-release)"
    swift build -c release --scratch-path .build-release --product serviceplatform
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

work=$(mktemp -d /tmp/serviceplatform-callgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A private copy without DWARF: valgrind 3.19 cannot read the DWARF 5 that Swift 6 toolchains
# write ("unhandled dwarf2 abbrev form"); the symbol table, which callgrind needs, stays.
cp "$bin" "$work/serviceplatform"
objcopy --strip-debug "$work/serviceplatform"
mkdir -p "$work/messages" "$work/data"
python3 scripts/bench.d/messages.py "$work/messages" wsdl/Kontanthjaelp_2.xsd 3k > /dev/null

case_args() { # case
    case "$1" in
        authority-context) echo "--body-file $work/messages/caller-3k.xml" ;;
        saml) echo "--saml-payload-file $work/messages/saml-payload-3k.xml" ;;
        *) echo "unknown case $1" >&2; exit 2 ;;
    esac
}

# Natively first: generates the test PKI once (RSA key generation is slow under valgrind and
# not part of any call), checks that every call of each case is answered with a receipt, and
# shows the native time per call for scale.
echo "== natively (test PKI, a check of each case, µs per call for scale)"
for c in "${cases[@]}"; do
    # shellcheck disable=SC2046
    "$work/serviceplatform" bench-hotpath --case "$c" --warmup "$warmup" --iterations "$iterations" --data-dir "$work/data" $(case_args "$c")
done

echo "== callgrind: $warmup warm-up + $iterations measured calls per case"
declare -A per_call
for c in "${cases[@]}"; do
    out="$work/callgrind.$c"
    # shellcheck disable=SC2046
    valgrind --tool=callgrind --callgrind-out-file="$out" \
        --zero-before='*serviceplatform_hotpath_measure_start*' --dump-before='*serviceplatform_hotpath_measure_end*' \
        "$work/serviceplatform" bench-hotpath --case "$c" --warmup "$warmup" --iterations "$iterations" --data-dir "$work/data" \
        $(case_args "$c") > "$work/valgrind.$c.log" 2>&1 || { echo "valgrind run of $c failed:" >&2; tail -30 "$work/valgrind.$c.log" >&2; exit 1; }
    grep '^hotpath ' "$work/valgrind.$c.log" | sed 's/^/  (under valgrind) /'
    dump=$(grep -l '^desc: Trigger: --dump-before=.*serviceplatform_hotpath_measure_end' "$out".* 2>/dev/null | head -1 || true)
    [ -n "$dump" ] || { echo "no callgrind dump at the end marker for $c" >&2; exit 1; }
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$dump" | head -1)
    per_call[$c]=$(( total / iterations ))
    [ -n "$keep" ] && { mkdir -p "$keep"; cp "$dump" "$keep/callgrind.$c.out"; }
done

mkdir -p bench-results
result="bench-results/callgrind-$(date +%Y%m%d-%H%M%S).json"
{
    printf '{"warmup": %s, "iterations": %s, "commit": "%s", "instructionsPerCall": {' "$warmup" "$iterations" \
        "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+changes')"
    sep=""
    for c in "${cases[@]}"; do printf '%s"%s": %s' "$sep" "$c" "${per_call[$c]}"; sep=", "; done
    printf '}}\n'
} > "$result"
echo "figures written to $result${keep:+; callgrind files in $keep (callgrind_annotate FILE)}"
echo
for c in "${cases[@]}"; do
    printf 'callgrind %-17s %12s instructions per call (%s measured calls after %s warm-up, pipeline in process, no HTTP/TLS)\n' \
        "$c:" "$(printf "%'d" "${per_call[$c]}" 2>/dev/null || echo "${per_call[$c]}")" "$iterations" "$warmup"
done
