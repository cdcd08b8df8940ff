#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine of this project's
# kind (Swift is already there). Safe to run again: it only installs what is missing.
set -euo pipefail

apt_packages=(pkg-config libxml2-dev libxml2-utils libxmlsec1-dev libsqlite3-dev libssl-dev libxml-security-java libslf4j-java zlib1g-dev)
# jemalloc: `serve` and `demo` run on it when it is installed (PreferredAllocator); the tests check that they do.
apt_packages+=(libjemalloc2)
# The admin pages' browser test (Tests/browser/admin_pages_test.py): Debian's Chromium and its driver.
apt_packages+=(chromium chromium-driver)
# The store tests run against a throwaway PostgreSQL server that scripts/test.sh starts.
apt_packages+=(postgresql)
# The listener-certificate test reads the certificate a listener presents with `openssl s_client`.
apt_packages+=(openssl)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

here=$(cd "$(dirname "$0")" && pwd)
if ! python3 -c 'import selenium' >/dev/null 2>&1; then
    echo "install-deps: pip install -r Tests/browser/requirements.txt"
    python3 -m pip install -q --disable-pip-version-check -r "$here/../Tests/browser/requirements.txt"
fi
if ! python3 -c 'import zeep, lxml, requests, cryptography' >/dev/null 2>&1; then
    echo "install-deps: pip install -r scripts/conformance/requirements.txt -r scripts/saml/requirements.txt"
    python3 -m pip install -q --disable-pip-version-check -r "$here/conformance/requirements.txt" -r "$here/saml/requirements.txt"
fi
