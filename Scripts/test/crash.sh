#!/usr/bin/env bash
# Crash test for the dev node's store (issue 4, acceptance "Crash test").
#
# While two clients keep sending transfers, the node is killed with SIGKILL at a random moment
# and restarted on the same data directory, ROUNDS times (default 20). Afterwards:
#   - the node starts and serves,
#   - every transaction the API had reported committed is still committed at the same height,
#   - `dvpn ledger verify` replays the whole history without a fault.
# Bounded in time (DEADLINE seconds, default 600); every process it started is killed on exit.
#
#   Scripts/test/crash.sh [ROUNDS]          # BIN=<dir with dvpn, dvpn-node>, else builds debug
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-20}
deadline=$((SECONDS + ${DEADLINE:-600}))
if [ -z "${BIN:-}" ]; then
    swift build --product dvpn >/dev/null
    swift build --product dvpn-node >/dev/null
    BIN=$(swift build --show-bin-path)
fi
dvpn="$BIN/dvpn"
node="$BIN/dvpn-node"

work=$(mktemp -d)
node_pid=""
senders=()
stop_process() { # pid signal
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$2" "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    rm -f "$work/flowing"
    for pid in "${senders[@]}"; do stop_process "$pid" TERM; done
    [ -n "$node_pid" ] && stop_process "$node_pid" KILL
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "crash.sh: FAIL: $*" >&2; tail -n 30 "$work/node.log" >&2 || true; exit 1; }
check_deadline() { [ "$SECONDS" -lt "$deadline" ] || fail "did not finish within ${DEADLINE:-600} s"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
api="http://127.0.0.1:$port"

start_node() {
    "$node" serve --dev --data-dir "$work/node" --api "127.0.0.1:$port" --insecure-no-passphrase \
        --block-interval 1 >>"$work/node.log" 2>&1 &
    node_pid=$!
    for _ in $(seq 300); do
        "$dvpn" ledger show --node "$api" >/dev/null 2>&1 && return 0
        kill -0 "$node_pid" 2>/dev/null || fail "the node exited while starting"
        sleep 0.1
    done
    fail "the node did not serve within 30 s of starting"
}

address_of() { "$dvpn" keys show --key-file "$1" --json | sed -n 's/.*"address" *: *"\(dvpn1[^"]*\)".*/\1/p'; }

# A sender: transfers 1 udvpn at a time and logs "hash height" for every transfer the API
# reported committed. Failures (the node is down, a nonce raced a crash) are expected: skip.
send_loop() { # key-file to log
    while [ -f "$work/flowing" ]; do
        if out=$("$dvpn" transfer "$2" 0.000001 --node "$api" --key-file "$1" --json 2>/dev/null); then
            hash=$(printf '%s' "$out" | sed -n 's/.*"hash" *: *"\([0-9a-f]*\)".*/\1/p')
            height=$(printf '%s' "$out" | sed -n 's/.*"height" *: *\([0-9][0-9]*\).*/\1/p')
            [ -n "$hash" ] && [ -n "$height" ] && echo "$hash $height" >>"$3"
        else
            sleep 0.05
        fi
    done
}

echo "crash.sh: starting a dev node in $work/node"
start_node
"$dvpn" keys new --key-file "$work/second.key" --insecure-no-passphrase >/dev/null
"$dvpn" keys new --key-file "$work/sink.key" --insecure-no-passphrase >/dev/null
second=$(address_of "$work/second.key")
sink=$(address_of "$work/sink.key")
"$dvpn" transfer "$second" 100 --node "$api" --key-file "$work/node/dev-account.key" >/dev/null

touch "$work/flowing"
send_loop "$work/node/dev-account.key" "$sink" "$work/committed-1" &
senders+=($!)
send_loop "$work/second.key" "$sink" "$work/committed-2" &
senders+=($!)

for round in $(seq "$rounds"); do
    check_deadline
    # A random moment: 0.2 to 1.7 s after the node came back.
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 150) / 100 }')"
    kill -KILL "$node_pid"
    wait "$node_pid" 2>/dev/null || true
    node_pid=""
    echo "crash.sh: round $round/$rounds: killed the node (SIGKILL), restarting"
    start_node
done

rm -f "$work/flowing"
for pid in "${senders[@]}"; do wait "$pid" 2>/dev/null || true; done
senders=()
check_deadline

cat "$work"/committed-* 2>/dev/null | sort -u >"$work/committed" || true
total=$(wc -l <"$work/committed")
[ "$total" -gt 0 ] || fail "no transfer was committed while the node was being killed"
echo "crash.sh: the node serves again; checking $total transactions the API reported committed"
missing=0
# grep without -q reads all its input: with pipefail, `grep -q` exiting at the first match can
# SIGPIPE the writer and fail the pipeline although the line matched (a false "missing").
while read -r hash height; do
    out=$("$dvpn" ledger tx "$hash" --node "$api" --json) || { echo "  $hash: lookup failed" >&2; missing=$((missing + 1)); continue; }
    if ! printf '%s' "$out" | grep '"status" *: *"committed"' >/dev/null \
        || ! printf '%s' "$out" | grep "\"height\" *: *$height\b" >/dev/null; then
        echo "  $hash: was committed at height $height, now: $out" >&2
        missing=$((missing + 1))
    fi
done <"$work/committed"
[ "$missing" -eq 0 ] || fail "$missing of $total committed transactions are missing after the crashes"

stop_process "$node_pid" TERM
node_pid=""
echo "crash.sh: auditing the data directory"
"$dvpn" ledger verify --data-dir "$work/node" || fail "dvpn ledger verify failed after the crashes"
echo "crash.sh: PASS: $rounds kills, $total committed transactions all present, audit passed"
