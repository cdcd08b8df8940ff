#!/usr/bin/env bash
# The project's test command: installs what is missing, runs the Swift test suites, validates
# the example messages against the published schema, then starts the real platform
# (`serviceplatform demo`: router, demo jobcenter, test PKI) on free ports and runs the
# independent zeep client against it over mutual TLS, through the router to the jobcenter.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

status=0
work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

echo "== swift test"
swift build --build-tests || exit 1
swift test --skip-build 2>&1 | tee "$work/swift-test.log" | grep -v '^◇\|^↳\|^✔ Test' || true
grep -q "Test run with .* passed" "$work/swift-test.log" || status=1
grep -q "✘" "$work/swift-test.log" && status=1

echo "== xmllint: example messages against wsdl/Kontanthjaelp_2.xsd"
bash scripts/conformance/validate-examples.sh || status=1
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
python3 scripts/conformance/zeep_conformance.py --base "$service/service/JC/Kontanthjaelp/2" \
    --cafile "$pki/ca.pem" --cert "$pki/ky-demo.pem" --key "$pki/ky-demo-key.pem" || status=1
python3 scripts/saml/live_client.py --service "$service" --data-dir "$work/data" || status=1

echo "== benchmark smoke (scripts/bench --smoke, the debug binary)"
bash scripts/bench --smoke || status=1

echo "== demo quickstart: the printed send and curl commands, /status.json, restart, --reset"
python3 Tests/browser/demo_quickstart_test.py --binary "$root/.build/debug/serviceplatform" --work "$work/quickstart" || status=1

echo "== admin pages in headless Chromium (screenshots in test-artifacts/screenshots/)"
python3 Tests/browser/admin_pages_test.py --binary "$root/.build/debug/serviceplatform" --work "$work/browser" || status=1

exit $status
