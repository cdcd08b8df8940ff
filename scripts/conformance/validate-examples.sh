#!/usr/bin/env bash
# Validates every example message under Tests/Fixtures/messages/ against the
# published message schema wsdl/Kontanthjaelp_2.xsd with xmllint.
# Files matching *swapped* are left out: they show the context elements in the
# order real clients also send (AuthorityContext before CallContext), which the
# published XSD does not allow and the server normalises before validating.
# Last line: "N passed, N failed"; exit status non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2

schema=wsdl/Kontanthjaelp_2.xsd
fixtures=Tests/Fixtures/messages

if ! command -v xmllint >/dev/null 2>&1; then
    echo "xmllint not found (apt-get install libxml2-utils)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
shopt -s nullglob
for file in "$fixtures"/*.xml; do
    case "$(basename "$file")" in
        *swapped*) continue ;;
    esac
    if output=$(xmllint --noout --nonet --schema "$schema" "$file" 2>&1); then
        echo "ok    $file"
        passed=$((passed + 1))
    else
        echo "FAIL  $file"
        printf '%s\n' "$output" | sed 's/^/      /'
        failed=$((failed + 1))
    fi
done

if [ $((passed + failed)) -eq 0 ]; then
    echo "no fixtures found in $fixtures" >&2
    failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
