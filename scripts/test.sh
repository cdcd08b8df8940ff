#!/usr/bin/env bash
# The project's test command: installs what is missing, runs the Swift test suites (beside a
# throwaway PostgreSQL server, scripts/postgres-test-server.sh, stopped on exit), validates
# the example messages against the published schema, then starts the real platform
# (`serviceplatform demo`: router, demo jobcenter, test PKI) on free ports and runs the
# independent zeep client against it over mutual TLS, through the router to the jobcenter, the
# independent OIO IDWS client, the benchmark smoke, the demo quickstart and the admin pages in a
# browser. The last line sums it all up as `summary: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

status=0
passed=0
failed=0
work=$(mktemp -d)
server_pid=""
pg_dir=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -n "$pg_dir" ] && bash "$root/scripts/postgres-test-server.sh" stop "$pg_dir" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# Runs one step, tees its output, and adds its `N passed, M failed` line to the totals (a step
# without such a line counts as one check).
step() {
    local log="$work/step.log"
    "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
        failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
    elif [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
    [ "$rc" -eq 0 ] || status=1
}

# The store tests run against a real PostgreSQL server: a throwaway cluster on a free port, stopped
# and removed by cleanup. Its folder is not under $work: mktemp makes that one private to us, and
# the server runs as the postgres user, which must reach its folder.
pg_dir=$(mktemp -d /tmp/sp-pg.XXXXXX)
chmod 755 "$pg_dir"
SERVICEPLATFORM_TEST_DATABASE_URL=$(bash scripts/postgres-test-server.sh start "$pg_dir") \
    || { echo "postgres test server did not start"; exit 1; }
export SERVICEPLATFORM_TEST_DATABASE_URL

echo "== swift test"
swift build --build-tests || exit 1
# Individual passing tests are left out of the output; failures, suites and the closing line stay.
swift test --skip-build 2>&1 | tee "$work/swift-test.log" | grep -v '^◇\|^↳\|^✔ Test "' || true
swift_tests=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .*/\1/p' "$work/swift-test.log" | tail -1)
if grep -q "Test run with .* passed" "$work/swift-test.log" && ! grep -q "✘" "$work/swift-test.log"; then
    passed=$((passed + ${swift_tests:-0}))
else
    status=1
    failed=$((failed + $(grep -c '^✘ Test "' "$work/swift-test.log" || true) + 0))
    [ "$failed" -gt 0 ] || failed=1
fi

echo "== xmllint: example messages against wsdl/Kontanthjaelp_2.xsd"
step bash scripts/conformance/validate-examples.sh
for xsd in wsdl/Kontanthjaelp_2.xsd wsdl/sp/*.xsd; do
    xmllint --noout --nonet --schema "$xsd" /dev/null 2>&1 | grep -q "fails to compile\|failed to compile" && { echo "schema $xsd does not compile"; status=1; }
done

echo "== zeep against the running platform"
[ -x "$root/.build/debug/serviceplatform" ] || { echo "serviceplatform was not built"; exit 1; }
"$root/.build/debug/serviceplatform" demo --service-port 0 --admin-port 0 --jobcenter-port 0 --data-dir "$work/data" \
    > "$work/demo.out" 2> "$work/demo.err" &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q '^ready ' "$work/demo.out" 2>/dev/null && break
    sleep 0.2
done
service=$(sed -n 's/^ready service=\([^ ]*\).*/\1/p' "$work/demo.out")
if [ -z "$service" ]; then
    echo "the platform did not print its ready line"; cat "$work/demo.err"; exit 1
fi
pki="$work/data/pki"
echo "== the demo runs on jemalloc (installed by install-deps; the process started itself again with it)"
step grep -q libjemalloc "/proc/$server_pid/maps"
step python3 scripts/conformance/zeep_conformance.py --base "$service/service/JC/Kontanthjaelp/2" \
    --cafile "$pki/ca.pem" --cert "$pki/ky-demo.pem" --key "$pki/ky-demo-key.pem"
echo "== the independent OIO IDWS client: REST STS token, real-layout calls, signed answers"
step python3 scripts/saml/live_client.py --service "$service" --data-dir "$work/data"

echo "== benchmark smoke (scripts/bench --smoke, the debug binary)"
step bash scripts/bench --smoke

echo "== demo quickstart: the printed send and curl commands, /status.json, restart, --reset"
step python3 Tests/browser/demo_quickstart_test.py --binary "$root/.build/debug/serviceplatform" --work "$work/quickstart"

echo "== admin pages in headless Chromium (screenshots in test-artifacts/screenshots/)"
step python3 Tests/browser/admin_pages_test.py --binary "$root/.build/debug/serviceplatform" --work "$work/browser"

[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "summary: $passed passed, $failed failed"
exit $status
