#!/usr/bin/env bash
# The ledger's main job as a short story on a one-validator dev node:
#   a transfer, an operator registering an offer, a client opening a payment channel, two
#   vouchers, the operator redeeming, the client reclaiming the rest, and the audit.
# Each step is printed in plain words. The node runs in a temporary data directory and is
# stopped (and the directory removed) whenever the script exits, success or not.
#
#   Scripts/devnet-story.sh            # builds debug binaries first
#   BIN=.build/release Scripts/devnet-story.sh   # use binaries already built there
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BIN:-}" ]; then
    swift build --product dvpn >/dev/null
    swift build --product dvpn-node >/dev/null
    BIN=$(swift build --show-bin-path)
fi
dvpn="$BIN/dvpn"
node="$BIN/dvpn-node"

work=$(mktemp -d)
node_pid=""
cleanup() {
    if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
        kill -TERM "$node_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$node_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port for the API, so the story never collides with a node already running.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
api="http://127.0.0.1:$port"
step() { printf '\n== %s\n' "$*"; }

step "Starting a one-validator dev node in $work/node (API $api)"
"$node" serve --dev --data-dir "$work/node" --api "127.0.0.1:$port" --insecure-no-passphrase \
    --block-interval 0.25 >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 300); do
    "$dvpn" ledger show --node "$api" >/dev/null 2>&1 && break
    kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.log" >&2; exit 1; }
    sleep 0.1
done
"$dvpn" ledger show --node "$api"

dev=(--node "$api" --key-file "$work/node/dev-account.key" --insecure-no-passphrase)
op=(--node "$api" --key-file "$work/operator.key" --insecure-no-passphrase)
cl=(--node "$api" --key-file "$work/client.key" --insecure-no-passphrase)
# Reads go through the light client: it trusts only the node's genesis file and keeps its own
# verified header chain in $work/light (docs/light-client.md).
lc=(--genesis "$work/node/genesis.json" --data-dir "$work/light")

step "Creating two throwaway keys: an operator and a client"
"$dvpn" keys new --key-file "$work/operator.key" --insecure-no-passphrase >/dev/null
"$dvpn" keys new --key-file "$work/client.key" --insecure-no-passphrase >/dev/null
operator=$("$dvpn" keys show --key-file "$work/operator.key" --json | sed -n 's/.*"address" *: *"\(dvpn1[^"]*\)".*/\1/p')
client=$("$dvpn" keys show --key-file "$work/client.key" --json | sed -n 's/.*"address" *: *"\(dvpn1[^"]*\)".*/\1/p')
echo "operator: $operator"
echo "client:   $client"

step "The dev account (funded in genesis) transfers 10 DVPN to the operator and 25 DVPN to the client"
"$dvpn" transfer "$operator" 10 "${dev[@]}"
"$dvpn" transfer "$client" 25 "${dev[@]}"
"$dvpn" balance "$client" --node "$api" "${lc[@]}"

step "The operator registers an offer: Germany, 0.05 DVPN per GiB, 100 Mbit/s"
"$dvpn" offer register --country DE --price 0.05 --bandwidth 100 --endpoint 127.0.0.1:51820 "${op[@]}"
"$dvpn" offers --country DE --node "$api" "${lc[@]}"

step "The client opens a payment channel to the operator with a 2 DVPN deposit"
channel=$("$dvpn" channel open --payee "$operator" --deposit 2 --expiry-blocks 1000 "${cl[@]}" --json \
    | sed -n 's/.*"channel" *: *\([0-9][0-9]*\).*/\1/p')
echo "channel $channel is open"
"$dvpn" channel show "$channel" --node "$api" "${lc[@]}"

step "As traffic flows the client signs two vouchers: 0.05 DVPN owed after 1 GiB, then 0.15 after 3 GiB"
"$dvpn" channel voucher "$channel" 0.05 "${cl[@]}" "${lc[@]}" >"$work/voucher1"
"$dvpn" channel voucher "$channel" 0.15 "${cl[@]}" "${lc[@]}" >"$work/voucher2"
echo "voucher 1: $(cat "$work/voucher1")"
echo "voucher 2: $(cat "$work/voucher2")"

step "The operator redeems the best voucher (0.15 DVPN) on the ledger"
"$dvpn" channel redeem "$channel" "$(cat "$work/voucher2")" "${op[@]}"
"$dvpn" balance "$operator" --node "$api" "${lc[@]}"

step "The client closes the channel; after the settlement window it reclaims the rest (1.85 DVPN)"
"$dvpn" channel close "$channel" "${cl[@]}" "${lc[@]}"
"$dvpn" channel reclaim "$channel" --wait "${cl[@]}" "${lc[@]}"
"$dvpn" channel show "$channel" --node "$api" "${lc[@]}"
"$dvpn" balance "$client" --node "$api" "${lc[@]}"

step "Stopping the node (SIGTERM) and auditing the whole history from genesis"
kill -TERM "$node_pid"
wait "$node_pid" || true
node_pid=""
"$dvpn" ledger verify --data-dir "$work/node"

step "Done: every block, signature, contract call and state root checked"
