#!/usr/bin/env bash
# Builds dvpn and runs the whole test suite. Exits non-zero when the build warns in our own code,
# when the build fails, or when any test fails. Tests that need root (network namespaces, TUN)
# run when this runs as root, as on CI, and say why they skip otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== build (debug, with tests)"
if ! swift build --build-tests 2>&1 | tee "$log"; then
    echo "test.sh: build failed" >&2
    exit 1
fi
# Our code must build without warnings (dependencies' warnings are theirs).
if grep -E "^$(pwd)/(Sources|Tests)/.*: warning:" "$log" | sort -u | grep .; then
    echo "test.sh: the build has warnings in Sources/ or Tests/ (above)" >&2
    exit 1
fi

echo "== test"
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
exit "$status"
