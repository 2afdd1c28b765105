#!/usr/bin/env bash
# Interoperability of our WireGuard (`dvpn tunnel up`) with stock wireguard-go + wg, in network
# namespaces joined by a veth pair (issue 3, item 4).
#
# Usage: Scripts/test/tunnel-interop.sh [CASE...]      (root; DVPN_BIN=path/to/dvpn)
#   With no CASE, runs them all. TUNNEL_INTEROP_OURS=wggo substitutes wireguard-go for ours, which
#   checks the scaffolding itself. TN_KEEP_LOGS=1 keeps the logs of a failed run.
# Each case: side A initiates (it alone knows the other's endpoint), B responds. Ping both ways over
# inner IPv4 and IPv6, 50 MiB over TCP A->B on IPv4 and B->A on IPv6 with matching SHA-256, and
# `wg show` on each of our interfaces. Exit 0 only if every case passed; the last line is
# "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/tunnel-netns.sh
source "$here/../lib/tunnel-netns.sh"

[[ $(id -u) -eq 0 ]] || { echo "SKIP: tunnel interop needs root (network namespaces, /dev/net/tun)"; exit 77; }
for tool in wireguard-go wg ip nc ping ss sha256sum timeout; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[[ -c /dev/net/tun ]] || { echo "SKIP: /dev/net/tun is missing"; exit 77; }

OURS=${TUNNEL_INTEROP_OURS:-ours}
MIB=${TUNNEL_INTEROP_MIB:-50}
mkdir -p /var/run/wireguard
tn_init ti

# name           A (initiator)  B (responder)  psk  outer family
CASES=(
    "ours-wggo       ours wggo  no  4"
    "ours-wggo-psk   ours wggo  yes 6"
    "wggo-ours       wggo ours  no  4"
    "wggo-ours-psk   wggo ours  yes 6"
    "ours-ours       ours ours  no  4"
    "ours-ours-psk   ours ours  yes 6"
    "wrong-key       -    -     no  4"
    "under-load      wggo ours  no  4"
    "under-load-ours ours ours  no  4"
    "wg-set          -    -     no  4"
    "default-route   ours wggo  no  4"
    "garbage         wggo ours  no  4"
    "uapi-parity     -    -     no  4"
)

impl() { [[ $1 == ours ]] && echo "$OURS" || echo "$1"; }

# Brings up A and B for one case. Sets IF_A / IF_B.
bring_up() {
    local impl_a=$1 impl_b=$2 psk=$3 family=$4
    tn_topology
    tn_keys
    IF_A="dva${TN_ID: -5}"
    IF_B="dvb${TN_ID: -5}"
    local psk_value=""
    [[ $psk == yes ]] && psk_value=$TN_PSK
    tn_wg_quick_conf 0 "${TN_PUB[1]}" "$psk_value" "$(tn_endpoint 1 "$family")" >"$TN_WORK/a.conf"
    tn_wg_quick_conf 1 "${TN_PUB[0]}" "$psk_value" "" >"$TN_WORK/b.conf"
    tn_start "$(impl "$impl_b")" 1 "$IF_B" "$TN_WORK/b.conf"
    tn_start "$(impl "$impl_a")" 0 "$IF_A" "$TN_WORK/a.conf"
}

# Ends the processes of the previous case (each removes what it added) and checks that ours did.
tear_down() {
    local pid
    for pid in "${TN_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${TN_PIDS[@]}"; do
        timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || { kill -KILL "$pid" 2>/dev/null; }
        wait "$pid" 2>/dev/null
    done
    TN_PIDS=()
    local iface side
    for side in 0 1; do
        for iface in "$IF_A" "$IF_B"; do
            if tn_exec $side ip link show "$iface" >/dev/null 2>&1; then
                tn_log "  $iface still exists after SIGTERM"
                return 1
            fi
        done
    done
    for iface in "$IF_A" "$IF_B"; do
        [[ ! -e /var/run/wireguard/$iface.sock ]] || { tn_log "  $iface.sock still exists after SIGTERM"; return 1; }
    done
}

# check_show SIDE IFACE PEER_PUB PEER_ENDPOINT OTHER_IFACE: `wg show` against SIDE reports the
# peer, its endpoint, a latest handshake, and transfer counters that carry the MIB MiB moved each
# way and agree with the other side's (what one received, the other sent: UDP on a loaded veth may
# drop a datagram, so receive <= send rather than equal).
check_show() {
    local side=$1 iface=$2 peer_pub=$3 endpoint=$4 other_iface=$5
    local other=$((1 - side))
    local dump line
    dump=$(tn_dump "$side" "$iface") || { tn_log "  wg show $iface dump failed"; return 1; }
    line=$(grep -F "$peer_pub" <<<"$dump") || { tn_log "  wg show $iface: no peer $peer_pub"; return 1; }
    local _pub _psk ep _allowed handshake rx tx _ka
    read -r _pub _psk ep _allowed handshake rx tx _ka <<<"$line"
    [[ $ep == "$endpoint" ]] || { tn_log "  wg show $iface: endpoint $ep, expected $endpoint"; return 1; }
    ((handshake > 0)) || { tn_log "  wg show $iface: no latest handshake"; return 1; }
    local floor=$((MIB * 1024 * 1024))
    ((rx > floor && tx > floor)) || { tn_log "  wg show $iface: rx $rx tx $tx, below $floor"; return 1; }
    local other_line orx otx
    other_line=$(tn_dump "$other" "$other_iface" | sed -n 2p)
    read -r _pub _psk _ _allowed _ orx otx _ka <<<"$other_line"
    tn_log "  wg show $iface: endpoint $ep, handshake $(($(date +%s) - handshake)) s ago, rx $rx tx $tx (other side rx $orx tx $otx)"
    ((rx <= otx && orx <= tx)) || { tn_log "  counters disagree with the other side's"; return 1; }
    # The human-readable form names the peer and the handshake too.
    tn_exec "$side" timeout 10 wg show "$iface" | grep "latest handshake" >/dev/null || { tn_log "  wg show $iface: no 'latest handshake' line"; return 1; }
}

run_traffic_case() {
    local impl_a=$1 impl_b=$2 psk=$3 family=$4
    bring_up "$impl_a" "$impl_b" "$psk" "$family"
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping A->B v4 failed"; return 1; }
    tn_ping 1 "${TN_INNER4[0]}" || { tn_log "  ping B->A v4 failed"; return 1; }
    tn_ping 0 "${TN_INNER6[1]}" || { tn_log "  ping A->B v6 failed"; return 1; }
    tn_ping 1 "${TN_INNER6[0]}" || { tn_log "  ping B->A v6 failed"; return 1; }
    tn_transfer 0 1 "${TN_INNER4[1]}" "$MIB" || { tn_log "  transfer A->B v4 failed"; return 1; }
    tn_transfer 1 0 "${TN_INNER6[0]}" "$MIB" || { tn_log "  transfer B->A v6 failed"; return 1; }
    sleep 1
    local endpoint_a endpoint_b
    endpoint_b=$(tn_endpoint 1 "$family")
    endpoint_a=$(tn_endpoint 0 "$family")
    if [[ $impl_a == ours ]]; then check_show 0 "$IF_A" "${TN_PUB[1]}" "$endpoint_b" "$IF_B" || return 1; fi
    if [[ $impl_b == ours ]]; then check_show 1 "$IF_B" "${TN_PUB[0]}" "$endpoint_a" "$IF_A" || return 1; fi
    tear_down
}

# A peer configured with the wrong public key never completes a handshake, whichever side is ours.
run_wrong_key() {
    local impl_a impl_b
    for pair in "ours wggo" "wggo ours"; do
        read -r impl_a impl_b <<<"$pair"
        tn_topology
        tn_keys
        local stranger
        stranger=$(wg genkey | wg pubkey)
        IF_A="dva${TN_ID: -5}"
        IF_B="dvb${TN_ID: -5}"
        tn_wg_quick_conf 0 "$stranger" "" "$(tn_endpoint 1 4)" >"$TN_WORK/a.conf"
        tn_wg_quick_conf 1 "${TN_PUB[0]}" "" "" >"$TN_WORK/b.conf"
        tn_start "$(impl "$impl_b")" 1 "$IF_B" "$TN_WORK/b.conf"
        tn_start "$(impl "$impl_a")" 0 "$IF_A" "$TN_WORK/a.conf"
        if tn_exec 0 ping -c 6 -i 1 -W 1 "${TN_INNER4[1]}" >/dev/null 2>&1; then
            tn_log "  ping succeeded through a peer with the wrong key ($pair)"
            return 1
        fi
        local side iface
        for side in 0 1; do
            iface=$([[ $side == 0 ]] && echo "$IF_A" || echo "$IF_B")
            if tn_dump "$side" "$iface" | sed -n '2,$p' | awk '$5 != 0 { exit 1 }'; then :; else
                tn_log "  $iface reports a handshake with a wrong-key peer ($pair)"
                return 1
            fi
        done
        tn_log "  $pair: no handshake, no traffic"
        tear_down || return 1
    done
}

# Our responder, forced under load, answers initiations with cookie replies; the initiator
# (wireguard-go, or ours) takes the cookie and completes the handshake with MAC2. wireguard-go's
# verbose log shows the cookie it received; ours log their counters when they stop.
run_under_load() {
    local initiator=$1
    TN_WGGO_LOG_LEVEL=verbose TN_OURS_ENV_1="DVPN_TUNNEL_FORCE_UNDER_LOAD=1" bring_up "$initiator" ours no 4
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping through a responder under load failed"; return 1; }
    tn_ping 1 "${TN_INNER4[0]}" || { tn_log "  ping back failed"; return 1; }
    tear_down || return 1
    [[ $OURS == ours ]] || return 0
    if [[ $initiator == wggo ]]; then
        grep -q "Receiving cookie response" "$TN_WORK/$IF_A.log" || { tn_log "  wireguard-go never received a cookie reply"; return 1; }
        tn_log "  wireguard-go: $(grep -c 'Receiving cookie response' "$TN_WORK/$IF_A.log") cookie replies received, handshake completed"
    else
        grep -qE "cookieRepliesReceived: [1-9]" "$TN_WORK/$IF_A.log" || { tn_log "  our initiator never took a cookie reply"; return 1; }
        tn_log "  ours: $(grep -oE 'cookieRepliesReceived: [0-9]+' "$TN_WORK/$IF_A.log"), handshake completed"
    fi
    grep -qE "cookieRepliesSent: [1-9]" "$TN_WORK/$IF_B.log" || { tn_log "  our responder sent no cookie reply"; return 1; }
}

# `wg set` and `wg showconf` against our interface behave as against wireguard-go: the peer starts
# without its IPv6 allowed IP and a keepalive; `wg set` adds them; traffic and showconf follow.
run_wg_set() {
    bring_up ours wggo no 4
    tn_ping 0 "${TN_INNER4[1]}" || return 1
    tn_exec 0 wg set "$IF_A" peer "${TN_PUB[1]}" persistent-keepalive 7 allowed-ips "${TN_INNER4[1]}/32,${TN_INNER6[1]}/128,198.51.100.0/24" || { tn_log "  wg set failed"; return 1; }
    local conf
    conf=$(tn_exec 0 wg showconf "$IF_A") || { tn_log "  wg showconf failed"; return 1; }
    grep -q "PersistentKeepalive = 7" <<<"$conf" || { tn_log "  showconf lacks the keepalive: $conf"; return 1; }
    grep -q "198.51.100.0/24" <<<"$conf" || { tn_log "  showconf lacks the new allowed IP: $conf"; return 1; }
    grep -q "ListenPort = ${TN_PORT[0]}" <<<"$conf" || { tn_log "  showconf lacks the port"; return 1; }
    grep -q "PrivateKey = ${TN_PRIV[0]}" <<<"$conf" || { tn_log "  showconf lacks the private key"; return 1; }
    # Removing the peer stops traffic; adding it back (with its endpoint) restores it.
    tn_exec 0 wg set "$IF_A" peer "${TN_PUB[1]}" remove || return 1
    tn_dump 0 "$IF_A" | grep "${TN_PUB[1]}" >/dev/null && { tn_log "  peer still listed after remove"; return 1; }
    tn_exec 0 wg set "$IF_A" peer "${TN_PUB[1]}" endpoint "$(tn_endpoint 1 4)" allowed-ips "${TN_INNER4[1]}/32" || return 1
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping after re-adding the peer failed"; return 1; }
    # A new listen port: traffic continues from it, and the peer follows (roaming).
    tn_exec 0 wg set "$IF_A" listen-port 40001 || return 1
    sleep 0.5
    [[ $(tn_exec 0 wg show "$IF_A" listen-port) == 40001 ]] || { tn_log "  listen port did not change"; return 1; }
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping after the port change failed"; return 1; }
    tn_dump 1 "$IF_B" | grep "${TN_OUTER4[0]}:40001" >/dev/null || { tn_log "  the peer did not follow the new port"; return 1; }
    tear_down
}

# AllowedIPs = 0.0.0.0/0, ::/0 on ours (a client sending everything through the tunnel): the
# default routes go into table 51820 with wg-quick's rules, our UDP socket carries the mark so the
# tunnel's own datagrams still leave by veth, traffic flows, and shutdown removes the rules.
run_default_route() {
    tn_topology
    tn_keys
    IF_A="dva${TN_ID: -5}"
    IF_B="dvb${TN_ID: -5}"
    tn_wg_quick_conf 0 "${TN_PUB[1]}" "" "$(tn_endpoint 1 4)" | sed 's|^AllowedIPs = .*|AllowedIPs = 0.0.0.0/0, ::/0|' >"$TN_WORK/a.conf"
    tn_wg_quick_conf 1 "${TN_PUB[0]}" "" "" >"$TN_WORK/b.conf"
    tn_start wggo 1 "$IF_B" "$TN_WORK/b.conf"
    tn_start "$OURS" 0 "$IF_A" "$TN_WORK/a.conf"
    local family
    for family in -4 -6; do
        tn_exec 0 ip "$family" rule | grep "not from all fwmark 0xca6c lookup 51820" >/dev/null || { tn_log "  no $family fwmark rule"; return 1; }
        tn_exec 0 ip "$family" route show table 51820 | grep "default dev $IF_A" >/dev/null || { tn_log "  no $family default route in table 51820"; return 1; }
    done
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping v4 through the default route failed"; return 1; }
    tn_ping 0 "${TN_INNER6[1]}" || { tn_log "  ping v6 through the default route failed"; return 1; }
    tn_transfer 0 1 "${TN_INNER4[1]}" 10 || { tn_log "  transfer through the default route failed"; return 1; }
    tear_down || return 1
    for family in -4 -6; do
        if tn_exec 0 ip "$family" rule | grep -E "fwmark 0xca6c|suppress_prefixlength" >/dev/null; then
            tn_log "  $family policy rules left behind"
            return 1
        fi
    done
}

# Datagrams from the network that are not WireGuard, or are WireGuard with the wrong sizes, types,
# indices or counters, are dropped: our responder survives 20,000 of them (IPv4 and IPv6, sizes
# from 0 to 9,000 bytes, sent in bursts so that GRO coalesces some) and the tunnel still works.
run_garbage() {
    bring_up wggo ours no 4
    tn_ping 0 "${TN_INNER4[1]}" || return 1
    local target
    for target in "${TN_OUTER4[1]}" "${TN_OUTER6[1]}"; do
        tn_exec 0 timeout 60 python3 - "$target" "${TN_PORT[1]}" <<'PY' || { tn_log "  sender failed"; return 1; }
import os, random, socket, struct, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
rng = random.Random(7)
sizes = [0, 1, 3, 4, 16, 31, 32, 63, 64, 91, 92, 93, 147, 148, 149, 1420, 1500, 9000]
for i in range(10000):
    kind = i % 4
    size = rng.choice(sizes) if kind else rng.randrange(0, 2000)
    data = bytearray(os.urandom(size))
    if kind == 1 and size >= 4:
        data[0:4] = struct.pack("<I", rng.randrange(1, 5))  # a WireGuard type, wrong everything else
    if kind == 2 and size >= 16:
        data[0:16] = struct.pack("<IIQ", 4, rng.randrange(0, 1 << 32), rng.randrange(0, 1 << 64))
    try:
        s.sendto(bytes(data), (host, port))
    except OSError:
        pass
PY
    done
    kill -0 "${TN_PIDS[0]}" 2>/dev/null || { tn_log "  our tunnel died"; return 1; }
    tn_ping 0 "${TN_INNER4[1]}" || { tn_log "  ping after the garbage failed"; return 1; }
    tn_ping 1 "${TN_INNER6[0]}" || { tn_log "  ping back after the garbage failed"; return 1; }
    tear_down || return 1
    grep -oE "invalidMessages: [0-9]+" "$TN_WORK/$IF_B.log" | sed 's/^/  ours counted /' >&2
}

# The same wg-quick file and the same `wg set` commands, given to ours and to a wireguard-go beside
# it in one namespace, must read back the same through `wg show dump` and `wg showconf` (apart
# from the listen port, which must differ, and peer order, which wireguard-go does not keep).
run_uapi_parity() {
    tn_topology
    tn_keys
    IF_A="dva${TN_ID: -5}"
    IF_B="dvb${TN_ID: -5}"
    tn_wg_quick_conf 0 "${TN_PUB[1]}" "$TN_PSK" "$(tn_endpoint 1 6)" >"$TN_WORK/a.conf"
    sed 's/^ListenPort = .*/ListenPort = 51830/; s/^Address = .*/Address = 198.51.100.1\/32/' "$TN_WORK/a.conf" >"$TN_WORK/b.conf"
    tn_start "$OURS" 0 "$IF_A" "$TN_WORK/a.conf"
    tn_start wggo 0 "$IF_B" "$TN_WORK/b.conf"
    local extra extra2
    extra=$(wg genkey | wg pubkey)
    extra2=$(wg genkey | wg pubkey)
    local iface
    for iface in "$IF_A" "$IF_B"; do
        tn_exec 0 wg set "$iface" fwmark 0x1234 \
            peer "$extra" endpoint 192.0.2.77:1234 allowed-ips 10.77.0.0/16,fd77::/48 persistent-keepalive 33 \
            peer "$extra2" allowed-ips 10.78.0.1/32 \
            peer "${TN_PUB[1]}" allowed-ips "${TN_INNER4[1]}/32,${TN_INNER6[1]}/128,10.77.1.0/24" || return 1
        tn_exec 0 wg set "$iface" peer "$extra2" remove || return 1
        tn_exec 0 wg set "$iface" peer "$extra" preshared-key <(echo "$TN_PSK") || return 1
    done
    # Columns: interface line (private, public, port, fwmark), then per peer (public, psk,
    # endpoint, allowed ips, handshake, rx, tx, keepalive): drop the port and the live counters.
    normalize() { awk 'NR == 1 { print $1, $2, $4; next } { print $1, $2, $3, $4, $8 }' | sort; }
    local ours theirs
    ours=$(tn_dump 0 "$IF_A" | normalize)
    theirs=$(tn_dump 0 "$IF_B" | normalize)
    if [[ $ours != "$theirs" ]]; then
        tn_log "  wg show dump differs:"; diff <(echo "$ours") <(echo "$theirs") >&2
        return 1
    fi
    ours=$(tn_exec 0 wg showconf "$IF_A" | grep -v '^ListenPort' | sort)
    theirs=$(tn_exec 0 wg showconf "$IF_B" | grep -v '^ListenPort' | sort)
    if [[ $ours != "$theirs" ]]; then
        tn_log "  wg showconf differs:"; diff <(echo "$ours") <(echo "$theirs") >&2
        return 1
    fi
    tn_log "  wg show dump and wg showconf agree with wireguard-go ($(wc -l <<<"$ours") lines)"
    tear_down
}

selected=("$@")
passed=0 failed=0
for entry in "${CASES[@]}"; do
    read -r name impl_a impl_b psk family <<<"$entry"
    if ((${#selected[@]} > 0)) && [[ " ${selected[*]} " != *" $name "* ]]; then continue; fi
    tn_log "case $name"
    # Each case runs in a subshell whose trap removes what it made, however it ends.
    (
        trap tn_cleanup_case EXIT
        case $name in
        wrong-key) run_wrong_key ;;
        under-load) run_under_load wggo ;;
        under-load-ours) run_under_load ours ;;
        default-route) run_default_route ;;
        garbage) run_garbage ;;
        uapi-parity) run_uapi_parity ;;
        wg-set) run_wg_set ;;
        *) run_traffic_case "$impl_a" "$impl_b" "$psk" "$family" ;;
        esac
    )
    status=$?
    if [[ $status -eq 0 ]]; then
        tn_log "ok   $name"
        passed=$((passed + 1))
    else
        tn_log "FAIL $name"
        failed=$((failed + 1))
    fi
done
# Nothing of this run may outlive it: namespaces, processes in them, UAPI sockets.
leaks=$(
    ip netns list | grep -o "dvpn-${TN_ID}-[ab]"
    pgrep -af "wireguard-go -f dv[ab]${TN_ID: -5}|tunnel up .*--interface dv[ab]${TN_ID: -5}"
    ls /var/run/wireguard/ 2>/dev/null | grep -E "^dv[ab]${TN_ID: -5}\.sock$"
)
if [[ -n $leaks ]]; then
    tn_log "FAIL leaks after the cases: $leaks"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
