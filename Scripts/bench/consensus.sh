#!/usr/bin/env bash
# Consensus benchmark, side by side in one run (issue 7): a 1-validator and a 4-validator network
# from `dvpn-node testnet` on loopback (every node its own process, the same engine), each under
# the same steady load of pre-signed transfers submitted over HTTP to all its APIs
# (`dvpn-bench consensus`): committed tx/s, blocks/s and submit-to-commit latency p50/p99, beside
# the Schnorr (BIP340) verification bound of this machine (one signature per transfer, one thread).
# Prints the 4-validator/1-validator ratios and the aims: >= 0.5x the 1-validator tx/s, p50 < 0.5 s,
# p99 < 1.5 s.
#
#   Scripts/bench/consensus.sh [--rate TX_PER_S] [--seconds S] [--accounts N] [--json]
#
# --accounts: sender accounts (default 8). Each submits its transfers in nonce order, one HTTP
# request at a time, so the load generator's own ceiling is about N / (submit round trip); with
# too few accounts it, not the network, sets the committed rate.
#
# Builds dvpn-node and dvpn-bench in release mode first (BIN=<dir> skips the build). Progress goes
# to stderr, the table to stdout. Every process it starts is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

rate=200
seconds=20
accounts=8
json=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rate) rate=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --accounts) accounts=$2; shift 2 ;;
        --json) json=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "consensus.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ -z "${BIN:-}" ]; then
    echo "== building dvpn-node and dvpn-bench (release)" >&2
    swift build -c release --product dvpn-node >&2
    swift build -c release --product dvpn-bench >&2
    BIN=$(swift build -c release --show-bin-path)
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_base() { # eight consecutive free loopback ports
    python3 - <<'EOF'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 40000, 2)
    sockets = []
    try:
        for port in range(base, base + 8):
            s = socket.socket(); s.bind(("127.0.0.1", port)); sockets.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in sockets: s.close()
EOF
}

run_network() { # validators schnorr-seconds -> JSON report on stdout
    local n=$1 base urls="" i
    base=$(free_base)
    "$BIN/dvpn-node" testnet --validators "$n" --out "$work/net$n" --base-port "$base" --insecure-no-passphrase >/dev/null
    pids=()
    for i in $(seq 0 $((n - 1))); do
        "$BIN/dvpn-node" serve --data-dir "$work/net$n/node$i" >"$work/net$n-node$i.log" 2>&1 &
        pids+=($!)
        urls+="${urls:+,}http://127.0.0.1:$((base + 2 * i + 1))"
    done
    for i in $(seq 0 $((n - 1))); do
        for _ in $(seq 300); do
            curl -sf --max-time 1 "http://127.0.0.1:$((base + 2 * i + 1))/v1/status" >/dev/null && break
            kill -0 "${pids[i]}" 2>/dev/null || { tail -n 20 "$work/net$n-node$i.log" >&2; exit 1; }
            sleep 0.1
        done
    done
    echo "== $n validator(s): $rate transfers/s for $seconds s" >&2
    "$BIN/dvpn-bench" consensus --nodes "$urls" --key-file "$work/net$n/dev-account.key" --validators "$n" \
        --rate "$rate" --seconds "$seconds" --accounts "$accounts" --schnorr-seconds "$2" --json
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}

# Not in $(…): a subshell would hide the node pids from the cleanup trap.
run_network 1 2 >"$work/one.json"
run_network 4 0 >"$work/four.json"
one=$(cat "$work/one.json")
four=$(cat "$work/four.json")
report=$(jq -n --argjson one "$one" --argjson four "$four" '{
    schnorrVerifiesPerSecond: $one.schnorrVerifiesPerSecond,
    oneValidator: $one.network, fourValidators: $four.network,
    ratioCommittedPerSecond: ($four.network.committedPerSecond / $one.network.committedPerSecond),
    ratioBlocksPerSecond: ($four.network.blocksPerSecond / $one.network.blocksPerSecond)}')
if [ "$json" = 1 ]; then
    printf '%s\n' "$report"
    exit 0
fi
printf '%s\n' "$report" | jq -r '
    def f(x): (x * 1000 | round) / 1000;
    "Consensus (release build; loopback, every node its own process; \(.oneValidator.offeredPerSecond) transfers/s offered for the run)",
    "Schnorr (BIP340) verify: \(.schnorrVerifiesPerSecond | round) verifications/s = the bound in transfers/s (1 signature each, one thread)",
    "",
    "network        committed tx/s   blocks/s   tx/block   p50 (s)   p99 (s)   submitted   refused   not committed   tx/s / bound",
    (.schnorrVerifiesPerSecond as $bound | (.oneValidator, .fourValidators) as $r |
        "\($r.validators) validator(s)   \(f($r.committedPerSecond))   \(f($r.blocksPerSecond))   \(f($r.transactionsPerBlock))   \(f($r.latencyP50Seconds))   \(f($r.latencyP99Seconds))   \($r.submitted)   \($r.refused)   \($r.notCommitted)   \(f($r.committedPerSecond / $bound))"),
    "",
    "4 validators / 1 validator: committed tx/s \(f(.ratioCommittedPerSecond))x (aim >= 0.5x), blocks/s \(f(.ratioBlocksPerSecond))x",
    "4-validator latency: p50 \(f(.fourValidators.latencyP50Seconds)) s (aim < 0.5 s), p99 \(f(.fourValidators.latencyP99Seconds)) s (aim < 1.5 s)"'
