#!/usr/bin/env bash
# The marketplace's numbers on the namespace testbed (issue 8 acceptance; BENCHMARKS.md):
#   1. connect to first byte: from the start of `dvpn connect` to the first byte of an HTTP
#      answer through the exit, for a new channel and for a reused one (same operator, second
#      connect after a first one that stopped with --keep-channel), on a one-validator devnet (the
#      operator op1 runs `serve --dev --price …`);
#   2. throughput of a paid session against the bare tunnel (`dvpn-node exit up` + `dvpn tunnel
#      up`) between the same namespaces (client and op1), iperf3 both ways, and the ratio;
#   3. vouchers per second a node verifies and persists: `dvpn-bench vouchers`, the operator's
#      intake path (signature check, then the SQLite write with its fsync) without HTTP, beside
#      the Schnorr verification bound; and the vouchers op1 took during the paid iperf3 runs.
#
#   sudo BIN=.build/release Scripts/bench/market.sh      (default BIN: the debug build path)
#   BENCH_SECONDS=N per iperf3 run (default 8); BENCH_CONNECTS=N first-byte samples each (3).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/testbed-netns.sh
source "$here/lib/testbed-netns.sh"
# shellcheck source=../lib/testbed-market.sh
source "$here/lib/testbed-market.sh"

missing=$(tb_prerequisites)
[[ -z $missing ]] || { echo "bench: $missing" >&2; exit 1; }
BIN=${BIN:-$(cd "$here/.." && swift build --show-bin-path)}
[[ -x $BIN/dvpn && -x $BIN/dvpn-node ]] || { echo "bench: no dvpn and dvpn-node in $BIN" >&2; exit 1; }
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
CONNECTS=${BENCH_CONNECTS:-3}
export TB_LEDGER=dev

tb_init bench
tb_topology
tb_start_servers

# iperf3 MODE: Mbit/s from the client to the web server through whatever route is up now
# (MODE "up": client → web; "down": web → client, -R).
iperf() {
    local args=(-c "$TB_WEB4" -t "$SECONDS_PER_RUN" -J)
    [[ $1 == down ]] && args+=(-R)
    tb_exec cl timeout $((SECONDS_PER_RUN + 20)) iperf3 "${args[@]}" 2>/dev/null | "$TB_PYTHON" -c '
import json, sys
print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' 2>/dev/null || echo 0
}

echo "dvpn marketplace benchmark ($(date -u +%Y-%m-%dT%H:%MZ), BIN=$BIN, $(nproc) cores)"

# --- the bare tunnel: the baseline ---------------------------------------------------------------
tb_bare_exit op1
tb_bare_client op1
bare_up=$(iperf up)
bare_down=$(iperf down)
tb_stop "$TB_BARE_CLIENT_PID" INT
tb_stop "$TB_BARE_EXIT_PID" INT
echo "bare tunnel (exit up + tunnel up):  up $bare_up Mbit/s, down $bare_down Mbit/s"

missing=$(tb_marketplace_missing)
if [[ -n $missing ]]; then
    echo "connect-to-first-byte and paid throughput: not measured ($missing)"
    exit 0
fi

# --- a paid session: connect to first byte --------------------------------------------------------
tb_marketplace_up

# first_byte LOG: seconds from TB_CONNECT_START to the first HTTP answer through op1 (polled
# every 20 ms with a fresh curl; 30 s at most; the poll adds up to ~20 ms plus one curl start).
# Meanwhile it notes when connect's --json events first appear in LOG, for the breakdown:
# "selected" (light-client reads, ranking), "channelOpened"/"channelReused", "connected".
first_byte() {
    local log=$1 deadline=$((SECONDS + 30)) marks="" event
    local -A seen=()
    while ((SECONDS < deadline)); do
        for event in selected channelOpened channelReused connected; do
            if [[ -z ${seen[$event]:-} ]] && grep -q "\"$event\"" "$log" 2>/dev/null; then
                seen[$event]=1
                marks+=" $event@$(awk -v s="$TB_CONNECT_START" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.2f", e - s }')"
            fi
        done
        if [[ $(tb_exec cl curl -s --max-time 0.5 "http://$TB_WEB4/" 2>/dev/null) == "peer=$(tb_addr op1)" ]]; then
            awk -v s="$TB_CONNECT_START" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.2f", e - s }'
            echo "$marks" >>"$TB_WORK/marks.txt"
            return 0
        fi
        sleep 0.02
    done
    echo "timeout"
    return 1
}

# held_vouchers: op1's count of vouchers it verified and persisted (its /metrics).
held_vouchers() {
    tb_fetch op1 "$(tb_node_api op1)/metrics" 5 |
        awk '/^dvpn_operator_vouchers_total/ && /outcome="held"/ { n += $NF } END { printf "%d", n }'
}

new_times=() reused_times=()
for ((i = 1; i <= CONNECTS; i++)); do
    # A fresh client key each round: no channel to reuse, the connect opens one.
    TB_CLIENT_KEY="$TB_WORK/client/key-$i.json"
    tb_dvpn keys new --key-file "$TB_CLIENT_KEY" --insecure-no-passphrase >/dev/null
    # Enough for the paid iperf3 runs of the last round: at the release build's rate (~2.7 Gbit/s
    # bare) 2 × 8 s cost about 10 DVPN at 2 DVPN/GiB; a cut-off for money would end the run.
    tb_fund "$(tb_address "$TB_CLIENT_KEY")" 50
    # --keep-channel: the stop ends the session but leaves the channel open for the next connect.
    tb_connect "$TB_WORK/connect-new-$i.log" --country DE --max-price 5 --deposit 20 --max-spend 40 --keep-channel
    new_times+=("$(first_byte "$TB_WORK/connect-new-$i.log")")
    tb_stop "$TB_CONNECT_PID" INT 30
    # The same key again: the channel is still open to op1, so no transaction.
    tb_connect "$TB_WORK/connect-reused-$i.log" --country DE --max-price 5 --deposit 20 --max-spend 40
    reused_times+=("$(first_byte "$TB_WORK/connect-reused-$i.log")")
    grep -q '"channelReused"' "$TB_WORK/connect-reused-$i.log" || reused_times[-1]+="(not reused!)"
    if ((i == CONNECTS)); then
        vouchers_before=$(held_vouchers)
        paid_up=$(iperf up)
        paid_down=$(iperf down)
        vouchers_after=$(held_vouchers)
    fi
    tb_stop "$TB_CONNECT_PID" INT 30
done
echo "connect to first byte, new channel:    ${new_times[*]} s (one-validator devnet, block interval 0.25 s)"
echo "connect to first byte, reused channel: ${reused_times[*]} s"
echo "  event times (s after the command started), new then reused, per round:"
sed 's/^/   /' "$TB_WORK/marks.txt"
echo "paid session (serve --price + connect): up $paid_up Mbit/s, down $paid_down Mbit/s"
awk -v bu="$bare_up" -v bd="$bare_down" -v pu="$paid_up" -v pd="$paid_down" \
    'BEGIN { printf "paid / bare: up %.2f×, down %.2f×\n", (bu > 0 ? pu / bu : 0), (bd > 0 ? pd / bd : 0) }'
echo "vouchers op1 verified and persisted during the two paid iperf3 runs: $((vouchers_after - vouchers_before)) in $((2 * SECONDS_PER_RUN)) s (what a session needs, not the node's capacity)"
if [[ -x $BIN/dvpn-bench ]]; then
    echo "vouchers per second a node can verify and persist: $("$BIN/dvpn-bench" vouchers 2>/dev/null || echo "dvpn-bench vouchers failed")"
else
    echo "vouchers per second a node can verify and persist: not measured (no dvpn-bench in $BIN)"
fi
