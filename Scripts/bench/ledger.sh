#!/usr/bin/env bash
# Ledger benchmark, side by side in one run (issue 4): transfers applied per second, channel
# redeems per second through the contract engine, and the auditor's verified transactions per
# second, each against the bound that BIP340 Schnorr verification speed on this machine sets
# (verifications per second ÷ signatures each transaction needs checked).
#
#   Scripts/bench/ledger.sh [--transfers N] [--redeems N] [--seconds S] [--json]
#
# Builds dvpn-bench in release mode first. Progress goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

args=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --transfers|--redeems|--seconds) args+=("$1" "$2"); shift 2 ;;
        --json) args+=(--json); shift ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "ledger.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

echo "== building dvpn-bench (release)" >&2
swift build -c release --product dvpn-bench >&2
bin="$(swift build -c release --show-bin-path)/dvpn-bench"

echo "== dvpn-bench ledger" >&2
"$bin" ledger "${args[@]}"
