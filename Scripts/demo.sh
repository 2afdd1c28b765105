#!/usr/bin/env bash
# The main job, for a newcomer: build dvpn and walk through what works so far, in plain words.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building dvpn (debug)"
swift build --product dvpn >/dev/null
swift build --product dvpn-node >/dev/null
bin=$(swift build --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== creating a client key file, protected by a passphrase (DVPN_PASSPHRASE)"
DVPN_PASSPHRASE=demo-passphrase "$bin/dvpn" keys new --data-dir "$work/client"
echo
echo "== reading it back"
DVPN_PASSPHRASE=demo-passphrase "$bin/dvpn" keys show --data-dir "$work/client"
echo
echo "== the file is mode $(stat -c %a "$work/client/key.json") and holds no plaintext secret"
echo "== a wrong passphrase is refused:"
if DVPN_PASSPHRASE=wrong "$bin/dvpn" keys show --data-dir "$work/client"; then
    echo "demo: a wrong passphrase was accepted" >&2
    exit 1
fi
echo "== done"
