#!/usr/bin/env bash
# Tunnel throughput and latency, ours against stock wireguard-go, side by side in one run
# (issue 3, item 5). Two network namespaces joined by a veth pair; for each pairing:
#   (a) wireguard-go <-> wireguard-go   (b) ours <-> ours   (c) ours <-> wireguard-go
# iperf3 TCP for $BENCH_SECONDS s (default 10) with 1 and with 4 streams, A -> B over the tunnel,
# and ping RTT (20 pings, 0.05 s apart). Prints a table with the ratio ours / wireguard-go.
# The pairs are measured in turn, $BENCH_ROUNDS times (default 3: a b c a b c a b c), and each cell
# is the median of its rounds, so a burst of load from elsewhere on the machine skews one round of
# one pair rather than the comparison.
#
# Usage: Scripts/bench/tunnel.sh        (root; builds and uses .build/release/dvpn unless DVPN_BIN is set)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/tunnel-netns.sh
source "$here/../lib/tunnel-netns.sh"

[[ $(id -u) -eq 0 ]] || { echo "tunnel bench needs root (network namespaces, /dev/net/tun)" >&2; exit 1; }
for tool in wireguard-go wg ip iperf3 ping; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
if [[ -z "${DVPN_BIN:-}" ]]; then
    # Like crypto.sh: measure a release build, built now if needed.
    echo "building dvpn (release)..." >&2
    (cd "$root" && swift build -c release --product dvpn >/dev/null)
    DVPN_BIN="$root/.build/release/dvpn"
fi
[[ -x "$DVPN_BIN" ]] || { echo "no dvpn binary at $DVPN_BIN" >&2; exit 1; }
export DVPN_BIN
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
PAIRS=${BENCH_PAIRS:-"wggo-wggo ours-ours ours-wggo"}
ROUNDS=${BENCH_ROUNDS:-3}
mkdir -p /var/run/wireguard
tn_init tb

# measure PAIR: sets RESULT_1 RESULT_4 (Mbit/s) and RESULT_RTT (ms, average).
measure() {
    local impl_a=${1%-*} impl_b=${1#*-}
    tn_topology
    tn_keys
    local if_a="dva${TN_ID: -5}" if_b="dvb${TN_ID: -5}"
    tn_wg_quick_conf 0 "${TN_PUB[1]}" "" "$(tn_endpoint 1 4)" >"$TN_WORK/a.conf"
    tn_wg_quick_conf 1 "${TN_PUB[0]}" "" "" >"$TN_WORK/b.conf"
    tn_start "$impl_b" 1 "$if_b" "$TN_WORK/b.conf"
    tn_start "$impl_a" 0 "$if_a" "$TN_WORK/a.conf"
    tn_ping 0 "${TN_INNER4[1]}" || tn_die "$1: no connectivity through the tunnel"
    tn_exec 1 iperf3 -s -D -1 -p 5202 --logfile "$TN_WORK/iperf-server.log" || tn_die "iperf3 server"
    sleep 0.3
    RESULT_1=$(iperf_run 1) || tn_die "$1: iperf3 1 stream"
    tn_exec 1 iperf3 -s -D -1 -p 5202 --logfile "$TN_WORK/iperf-server.log" || tn_die "iperf3 server"
    sleep 0.3
    RESULT_4=$(iperf_run 4) || tn_die "$1: iperf3 4 streams"
    RESULT_RTT=$(tn_exec 0 ping -c 20 -i 0.05 -W 1 "${TN_INNER4[1]}" | sed -nE 's|.*= [0-9.]+/([0-9.]+)/.*|\1|p')
    [[ -n $RESULT_RTT ]] || tn_die "$1: ping"
    tn_cleanup_case
    TN_IFACES=()
}

# iperf_run STREAMS: prints the receiver's throughput in Mbit/s.
iperf_run() {
    local json
    json=$(tn_exec 0 timeout $((SECONDS_PER_RUN + 30)) iperf3 -c "${TN_INNER4[1]}" -p 5202 -t "$SECONDS_PER_RUN" -P "$1" -J) || return 1
    python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' <<<"$json"
}

median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

declare -A T1 T4 RTT
for round in $(seq "$ROUNDS"); do
    for pair in $PAIRS; do
        tn_log "round $round/$ROUNDS: measuring $pair"
        measure "$pair"
        T1[$pair]="${T1[$pair]:-} $RESULT_1" T4[$pair]="${T4[$pair]:-} $RESULT_4" RTT[$pair]="${RTT[$pair]:-} $RESULT_RTT"
        tn_log "  $pair: 1 stream ${RESULT_1} Mbit/s, 4 streams ${RESULT_4} Mbit/s, RTT ${RESULT_RTT} ms"
    done
done
for pair in $PAIRS; do
    # shellcheck disable=SC2086
    T1[$pair]=$(median ${T1[$pair]}) T4[$pair]=$(median ${T4[$pair]}) RTT[$pair]=$(median ${RTT[$pair]})
done

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b else '-')" "$1" "$2"; }
base=wggo-wggo
name() { case $1 in wggo-wggo) echo "wireguard-go <-> wireguard-go" ;; ours-ours) echo "ours <-> ours" ;; ours-wggo) echo "ours <-> wireguard-go" ;; *) echo "$1" ;; esac; }
echo
echo "Tunnel benchmark: iperf3 TCP ${SECONDS_PER_RUN} s through the tunnel, namespaces + veth, $(nproc) cores, median of $ROUNDS rounds"
printf '| %-30s | %15s | %16s | %11s | %7s | %7s |\n' "pair (A initiates)" "1 stream Mbit/s" "4 streams Mbit/s" "ping RTT ms" "ratio 1" "ratio 4"
printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..32})" "$(printf -- '-%.0s' {1..17})" "$(printf -- '-%.0s' {1..18})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..9})"
for pair in $PAIRS; do
    r1=- r4=-
    if [[ -n ${T1[$base]:-} ]]; then r1=$(ratio "${T1[$pair]}" "${T1[$base]}"); r4=$(ratio "${T4[$pair]}" "${T4[$base]}"); fi
    printf '| %-30s | %15.0f | %16.0f | %11.3f | %7s | %7s |\n' "$(name "$pair")" "${T1[$pair]}" "${T4[$pair]}" "${RTT[$pair]}" "$r1" "$r4"
done
echo "(ratio = throughput / wireguard-go <-> wireguard-go in the same run)"
