#!/usr/bin/env bash
# The main job, for a newcomer: build dvpn, then run a one-validator devnet story in plain words
# (keys, a transfer, an operator's offer, a client's payment channel with two vouchers, the
# operator redeeming, the client reclaiming the rest, and a full audit of the ledger).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building dvpn and dvpn-node (debug)"
swift build --product dvpn >/dev/null
swift build --product dvpn-node >/dev/null
bin=$(swift build --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== a key file protected by a passphrase (DVPN_PASSPHRASE), mode 0600, no plaintext secret"
DVPN_PASSPHRASE=demo-passphrase "$bin/dvpn" keys new --data-dir "$work/client"
echo "== a wrong passphrase is refused with one line and exit code 1:"
if DVPN_PASSPHRASE=wrong "$bin/dvpn" keys show --data-dir "$work/client"; then
    echo "demo: a wrong passphrase was accepted" >&2
    exit 1
fi

BIN="$bin" Scripts/devnet-story.sh
