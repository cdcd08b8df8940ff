#!/usr/bin/env bash
# Compiles (once per run, into a temp folder) and runs VerifyResponse against Debian's Apache
# Santuario: verify.sh RESPONSE.xml SIGNING-CERT.pem
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cp="/usr/share/java/xmlsec.jar:/usr/share/java/slf4j-api.jar"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -nowarn -cp "$cp" -d "$out" "$here/VerifyResponse.java"
java -cp "$cp:$out" VerifyResponse "$1" "$2" 2>/dev/null
