#!/usr/bin/env bash
# Crypto benchmark, side by side in one run: our BLAKE2s against CPython's hashlib.blake2s (the
# BLAKE2 reference C code) on the same buffer sizes with the same method (median of 5 timed
# batches after calibration), plus ChaCha20-Poly1305 seal on 1420-byte packets, X25519 and Schnorr.
#
#   Scripts/bench/crypto.sh [--seconds S] [--sizes 64,1024,1048576] [--json]
#
# Builds dvpn-bench in release mode first. Progress goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=1.0
sizes=64,1024,1048576
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --sizes) sizes="$2"; shift 2 ;;
        --json) extra+=(--json); shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "crypto.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

command -v python3 >/dev/null || { echo "crypto.sh: python3 is needed for the reference column" >&2; exit 1; }

echo "== building dvpn-bench (release)" >&2
swift build -c release --product dvpn-bench >&2
bin="$(swift build -c release --show-bin-path)/dvpn-bench"

reference=$(mktemp)
trap 'rm -f "$reference"' EXIT

echo "== reference: CPython hashlib.blake2s" >&2
python3 - "$seconds" "$sizes" >"$reference" <<'PY'
import hashlib, json, platform, sys, time

seconds = float(sys.argv[1])
sizes = [int(s) for s in sys.argv[2].split(",")]
batches = 5

def operations_per_second(body):
    # Same method as dvpn-bench: double until one run takes 20 ms, then the median of 5 batches.
    count = 1
    while True:
        start = time.perf_counter(); body(count); elapsed = time.perf_counter() - start
        if elapsed >= 0.02: break
        count *= 2
    per_batch = max(1, int(count * seconds / batches / elapsed))
    rates = []
    for _ in range(batches):
        start = time.perf_counter(); body(per_batch); rates.append(per_batch / (time.perf_counter() - start))
    return sorted(rates)[batches // 2]

rates = {}
for i, size in enumerate(sizes):
    print(f"[{i + 1}/{len(sizes)}] CPython hashlib.blake2s, {size} B", file=sys.stderr)
    buffer = bytes((j * 31) & 0xFF for j in range(size))
    def body(n, blake2s=hashlib.blake2s, buffer=buffer):
        for _ in range(n):
            blake2s(buffer).digest()
    rates[f"blake2s/{size}"] = operations_per_second(body) * size / 1e6
    print(f"       {rates[f'blake2s/{size}']:.1f} MB/s", file=sys.stderr)

print(json.dumps({"implementation": f"CPython {platform.python_version()} hashlib", "rates": rates}))
PY

echo "== ours: dvpn-bench crypto" >&2
"$bin" crypto --seconds "$seconds" --sizes "$sizes" --reference "$reference" "${extra[@]}"
