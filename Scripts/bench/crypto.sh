#!/usr/bin/env bash
# Crypto benchmark, side by side in one run: our BLAKE2s against CPython's hashlib.blake2s (the
# BLAKE2 reference C code) on the same buffers with the same method (calibrate, then the median of
# 9 batches timed in thread CPU time, the reference's batches alternating with ours), plus
# ChaCha20-Poly1305 seal on 1420-byte packets, X25519 and Schnorr sign/verify.
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

# The reference: `reference.py blake2s SIZE SECONDS` times one batch of CPython's hashlib.blake2s
# and prints its MB/s.
reference=$(mktemp --suffix=.py)
trap 'rm -f "$reference"' EXIT
cat >"$reference" <<'PY'
import hashlib, json, platform, sys, time

kind, size, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
if kind != "blake2s":
    sys.exit(f"reference.py: no reference for {kind}")

buffer = bytes((j * 31) & 0xFF for j in range(size))  # the same bytes dvpn-bench hashes

def body(n, blake2s=hashlib.blake2s, buffer=buffer):
    for _ in range(n):
        blake2s(buffer).digest()

def timed(n):
    # Thread CPU time, as dvpn-bench measures: time spent descheduled by other load is not counted.
    start = time.thread_time()
    body(n)
    return time.thread_time() - start

# Same method as dvpn-bench: double the count until one run takes 20 ms, then time one batch of
# about `seconds` (dvpn-bench asks for one batch at a time and alternates with its own).
count = 1
while (elapsed := timed(count)) < 0.02:
    count *= 2
batch = max(1, int(count * seconds / elapsed))
rate = batch / timed(batch)
print(json.dumps({"implementation": f"CPython {platform.python_version()} hashlib",
                  "megabytesPerSecond": rate * size / 1e6}))
PY

echo "== dvpn-bench crypto (reference batches interleaved with ours)" >&2
"$bin" crypto --seconds "$seconds" --sizes "$sizes" --reference-command "python3 $reference" "${extra[@]}"
