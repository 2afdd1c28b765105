#!/usr/bin/env bash
# The marketplace's acceptance tests on the testbed (issue 8 item 11 and "Acceptance").
#
# Usage: Scripts/test/market.sh CHECK     (root; BIN = directory of the built dvpn and dvpn-node)
#   topology  the namespaces, resolv.conf files, echo server, a 20 MiB checksum through a bare
#             exit (`dvpn-node exit up` + `dvpn tunnel up`), routes restored, nothing left behind
#   journey   `dvpn connect --country DE --max-price 5` picks op1 (DE, 2) over op2 (DE, 3) and op3
#             (FR, 1.5); 20 MiB with the right checksum; the web server sees op1; after SIGINT
#             op1 earned price × bytes within one step, the client got the rest back, the client's
#             routes, rules, interfaces and resolv.conf are as before, every replica verifies
#   failover  SIGKILL op1 mid-transfer: within 30 s traffic flows through op2 and the client
#             names the switch
#   cutoff    --deposit 0.01 --max-spend 0.01: the client is cut off with a reason, exit code
#             non-zero, and op1's loss (what it forwarded, by its TUN counters, minus what it was
#             paid) is at most one step
#   policy    through op1: a private address on its side (10.99.0.2), its own service (on its
#             IPv6 and tunnel addresses, and 127.0.0.1) and port 25 unreachable, the public web
#             server reachable over IPv4 and IPv6;
#             through op3 (started with --allow 10.99.0.0/24) the private host answers
# TB_KEEP_LOGS=1 keeps the logs of a failed run. Exit 77: skipped (not root, a tool missing, or
# the marketplace commands are not in these binaries).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/testbed-netns.sh
source "$here/lib/testbed-netns.sh"
# shellcheck source=../lib/testbed-market.sh
source "$here/lib/testbed-market.sh"

check_name=${1:-}
case $check_name in topology | journey | failover | cutoff | policy) ;; *)
    echo "usage: $0 topology|journey|failover|cutoff|policy" >&2; exit 64 ;;
esac
missing=$(tb_prerequisites)
[[ -z $missing ]] || { echo "SKIP: $missing"; exit 77; }
BIN=${BIN:-}
[[ -x $BIN/dvpn && -x $BIN/dvpn-node ]] || tb_die "BIN must name the directory of the built dvpn and dvpn-node"
tb_choose_ledger
if [[ $check_name == failover && $TB_LEDGER == dev ]]; then
    echo "SKIP: failover needs two operators on one ledger (TB_LEDGER=testnet: serve --data-dir of the consensus engine)"
    exit 77
fi
if [[ $check_name != topology ]]; then
    missing=$(tb_marketplace_missing)
    [[ -z $missing ]] || { echo "SKIP: $missing"; exit 77; }
fi

PASSED=0
FAILED=0
check() {
    local name=$1; shift
    if "$@"; then tb_log "ok   $name"; PASSED=$((PASSED + 1)); else tb_log "FAIL $name"; FAILED=$((FAILED + 1)); fi
}
# le A B: A ≤ B, both integers (for checks that print their numbers in the name).
le() { (($1 <= $2)); }
finish() {
    tb_log "$SECONDS s"
    if [[ $FAILED -ne 0 ]]; then
        local log
        for log in "$TB_WORK"/*.log; do
            tb_log "--- $(basename "$log")"
            tail -12 "$log" >&2
        done
    fi
    echo "$PASSED passed, $FAILED failed"
    [[ $FAILED -eq 0 ]]
    exit
}

host_resolv=$(sha256sum </etc/resolv.conf)
tb_init "${check_name:0:1}"
SECONDS=0
tb_topology
tb_start_servers
CLIENT_BEFORE=$(tb_net_snapshot cl)

# --- topology -------------------------------------------------------------------------------
topology() {
    check "every namespace has its own resolv.conf" eval '
        for role in "${!TB_NS[@]}"; do
            [[ $(tb_exec "$role" cat /etc/resolv.conf) == *"dvpn testbed $role "* ]] || exit 1
        done'
    check "the web server sees the client's own address without a tunnel" tb_peer_seen cl "$TB_CLIENT4"
    check "the private host is not reachable from the client's side" eval '[[ -z $(tb_fetch cl http://$TB_LAN4/ 2) ]]'
    check "an operator reaches the private host from its 10.99.0.0/24 address" eval \
        '[[ $(tb_fetch op1 http://$TB_LAN4/) == "peer=10.99.0.21" ]]'
    check "the operator's own service answers on its loopback" eval '[[ $(tb_fetch op1 http://127.0.0.1:8080/) == "peer=127.0.0.1" ]]'
    tb_bare_exit op2
    tb_bare_client op2
    check "through a bare exit on op2 the web server sees op2" tb_peer_seen cl "$(tb_addr op2)"
    local out
    check "20 MiB through the bare tunnel with the right SHA-256" eval 'out=$(tb_download cl 20) && tb_log "  $out"'
    check "DNS inside the client namespace is its own file" eval \
        '[[ $(tb_exec cl cat /etc/resolv.conf) == *"dvpn testbed cl "* ]]'
    tb_stop "$TB_BARE_CLIENT_PID" INT
    tb_stop "$TB_BARE_EXIT_PID" INT
    check "after the tunnel stops the client's routes and interfaces are as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
    tb_cleanup_all
    check "cleanup leaves no namespace, /etc/netns entry or process" eval '[[ -z $(tb_leftovers) ]]'
    check "the machine's own /etc/resolv.conf is untouched" eval '[[ $(sha256sum </etc/resolv.conf) == "$host_resolv" ]]'
}

# --- journey --------------------------------------------------------------------------------
journey() {
    tb_marketplace_up
    local op_before cl_before
    op_before=$(tb_balance "${TB_OP_ADDR[1]}")
    cl_before=$(tb_balance "$TB_CLIENT_ADDR")
    tb_connect "$TB_WORK/connect.log" --country DE --max-price 5 --deposit 1
    if [[ $TB_LEDGER == dev ]]; then
        check "connected through op1 (one-validator devnet: op1 is the only operator)" tb_connected 1 30
    else
        check "the client picks op1 (DE, 2 DVPN/GiB) over op2 (DE, 3) and op3 (FR, 1.5)" tb_connected 1 30
    fi
    local out bytes
    check "20 MiB through op1 with the right SHA-256" eval 'out=$(tb_download cl 20) && tb_log "  $out"'
    check "the web server sees op1's address" tb_peer_seen cl "$(tb_addr op1)"
    check "dvpn status shows the running session" eval \
        'tb_in "$TB_CONNECT_PID" "$BIN/dvpn" status --data-dir "$TB_WORK/client" >"$TB_WORK/status.log" 2>&1'
    local status=0
    tb_stop "$TB_CONNECT_PID" INT 30 || status=$?
    check "Ctrl-C: dvpn connect exits 0 (got $status)" le "$status" 0
    check "the client's routes, rules, interfaces and resolv.conf are as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
    sleep 1
    local op_after cl_after earned spent client_bytes cost step fees diff
    op_after=$(tb_balance "${TB_OP_ADDR[1]}")
    cl_after=$(tb_balance "$TB_CLIENT_ADDR")
    client_bytes=$(tb_json bytes "$TB_WORK/connect.log")
    check "the client's summary names its byte count (${client_bytes:-none})" eval '[[ ${client_bytes:-0} -ge $((20 << 20)) ]]'
    earned=$((op_after - op_before)) spent=$((cl_before - cl_after))
    cost=$(tb_cost "${client_bytes:-0}" "${TB_OP_PRICE[1]}")
    step=$(tb_step "$cost" "${TB_OP_PRICE[1]}")
    diff=$((earned - cost)); diff=${diff#-}
    tb_log "  op1: TUN bytes $(tb_tun_bytes op1), its own count $(tb_operator_report op1 bytes), earned $(tb_operator_report op1 earned) udvpn"
    tb_log "  client bytes ${client_bytes:-?}; cost $cost udvpn; op1 balance +$earned; client spent $spent; step $step"
    check "op1 earned price × client bytes within one step (|$earned - $cost| = $diff <= $step udvpn)" le "$diff" "$step"
    # The close charges what was used, the larger of the two counts, not the step paid ahead.
    local op_bytes used
    op_bytes=$(tb_operator_report op1 bytes)
    used=$(tb_cost "$(( client_bytes > op_bytes ? client_bytes : op_bytes ))" "${TB_OP_PRICE[1]}")
    check "the step paid ahead came back: op1 earned exactly the larger count's price ($earned = $used udvpn)" \
        eval '((earned == used))'
    fees=$((spent - earned))
    check "the client got the rest of its 1 DVPN deposit back (spent $spent = earned $earned + fees $fees, fees < 0.1 DVPN)" \
        eval '((fees >= 0 && fees < 100000))'
    reconnect
    tb_nodes_down
    check "dvpn ledger verify passes on every replica" tb_verify_replicas
}

# The reconnect leg of the journey: `--keep-channel` ends the session but leaves the channel open,
# and the next connect reuses it (no channel transaction), then settles it on a plain Ctrl-C.
reconnect() {
    local kept reused opened paid
    tb_connect "$TB_WORK/connect-keep.log" --country DE --max-price 5 --deposit 1 --keep-channel
    check "a second connect (--keep-channel) goes through op1 on a new channel" eval \
        'tb_connected 1 30 && grep -q "\"channelOpened\"" "$TB_WORK/connect-keep.log"'
    check "1 MiB through it" eval 'out=$(tb_download cl 1) && tb_log "  $out"'
    local status=0
    tb_stop "$TB_CONNECT_PID" INT 30 || status=$?
    kept=$(grep '"summary"' "$TB_WORK/connect-keep.log" | "$TB_PYTHON" -c 'import json, sys
print(" ".join(str(c) for line in sys.stdin for c in json.loads(line)["summary"]["keptChannels"]))')
    check "Ctrl-C with --keep-channel exits 0 (got $status) and keeps channel ${kept:-none} open" eval '((status == 0)) && [[ -n $kept ]]'
    check "the client's network is as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
    tb_connect "$TB_WORK/connect-reuse.log" --country DE --max-price 5 --deposit 1
    check "a third connect goes through op1" tb_connected 1 30
    reused=$(grep '"channelReused"' "$TB_WORK/connect-reuse.log" | tb_json channel)
    opened=$(grep -c '"channelOpened"' "$TB_WORK/connect-reuse.log")
    check "it reuses the kept channel (reused ${reused:-none}, kept $kept) and opens none ($opened opened)" eval \
        '[[ -n $reused && $reused == "$kept" ]] && ((opened == 0))'
    check "1 MiB through the reused channel" eval 'out=$(tb_download cl 1) && tb_log "  $out"'
    status=0
    tb_stop "$TB_CONNECT_PID" INT 30 || status=$?
    paid=$(grep '"summary"' "$TB_WORK/connect-reuse.log" | tb_json paidUdvpn)
    check "Ctrl-C settles the reused channel (exit $status, paid ${paid:-none} udvpn over both sessions)" eval \
        '((status == 0)) && [[ -n $paid ]] && ((paid > 0))'
    check "the client's network is as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
}

# --- failover -------------------------------------------------------------------------------
failover() {
    tb_marketplace_up
    tb_connect "$TB_WORK/connect.log" --country DE --max-price 5 --deposit 1
    check "connected through op1" tb_connected 1 30
    # A long download through op1, killed under it.
    tb_exec cl curl -sS --max-time 60 -o /dev/null "http://$TB_WEB4/bytes/2000" 2>/dev/null &
    local transfer=$!
    sleep 2
    local op2_addr=${TB_OP_ADDR[2]}
    kill -KILL "${TB_NODE_PID[op1]}"
    local killed=$SECONDS
    check "within 30 s of SIGKILL on op1, traffic flows through op2" tb_connected 2 30
    tb_log "  switched after $((SECONDS - killed)) s"
    check "the client names the switch (op2's address or endpoint in its output)" eval \
        'grep -qE "$op2_addr|$(tb_addr op2)" "$TB_WORK/connect.log"'
    check "still running after the switch" kill -0 "$TB_CONNECT_PID"
    kill "$transfer" 2>/dev/null
    wait "$transfer" 2>/dev/null
    local status=0
    tb_stop "$TB_CONNECT_PID" INT 30 || status=$?
    check "Ctrl-C after the failover exits 0 (got $status)" le "$status" 0
    check "the client's network is as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
}

# --- cut-off --------------------------------------------------------------------------------
cutoff() {
    tb_marketplace_up
    local op_before
    op_before=$(tb_balance "${TB_OP_ADDR[1]}")
    # 0.01 DVPN at 2 DVPN/GiB pays for 5 MiB; the download asks for 20.
    tb_connect "$TB_WORK/connect.log" --country DE --max-price 5 --deposit 0.01 --max-spend 0.01
    check "connected through op1" tb_connected 1 30
    tb_exec cl curl -sS --max-time 60 -o /dev/null "http://$TB_WEB4/bytes/20" 2>/dev/null
    local exited=0
    tb_wait 30 "the client to stop" eval '! kill -0 $TB_CONNECT_PID' || exited=1
    check "the client stopped by itself" le "$exited" 0
    local status=0
    tb_stop "$TB_CONNECT_PID" INT 5 || status=$?
    check "it exits non-zero (got $status)" eval '((status != 0))'
    local reason
    reason=$(grep -iE "deposit|spend|cut off|cut-off" "$TB_WORK/connect.log" | tail -1)
    check "it prints the reason: ${reason:-none}" eval '[[ -n $reason ]]'
    check "the client's network is as before" eval '[[ $(tb_net_snapshot cl) == "$CLIENT_BEFORE" ]]'
    local forwarded cost paid step loss op_after
    forwarded=$(tb_tun_bytes op1)
    cost=$(tb_cost "$forwarded" "${TB_OP_PRICE[1]}")
    # Paid: what op1's balance grew by once the close (or its redemption) settled.
    sleep 2
    op_after=$(tb_balance "${TB_OP_ADDR[1]}")
    paid=$((op_after - op_before))
    step=$(tb_step "$cost" "${TB_OP_PRICE[1]}")
    loss=$((cost - paid))
    tb_log "  op1 forwarded $forwarded bytes (TUN; its own count $(tb_operator_report op1 bytes)), worth $cost udvpn; paid $paid udvpn; loss $loss; step $step"
    check "op1 was paid (about the 0.01 DVPN deposit): $paid udvpn > 0" eval '((paid > 0 && paid <= 10000))'
    check "op1's loss is at most one step ($loss <= $step udvpn)" le "$loss" "$step"
}

# --- exit policy ----------------------------------------------------------------------------
# The client keeps its control traffic (the operator's session API, the ledger nodes) off the
# tunnel with host routes (docs/client.md), so op1's own IPv4 address is reached directly, not
# through the exit; its own services are tried on its IPv6 address and its tunnel address.
policy() {
    TB_OP_EXTRA[3]="--allow 10.99.0.0/24"
    tb_exec op1 "$TB_PYTHON" "$TB_LIB/echo-server.py" serve 0.0.0.0:8081 "[::]:8081" >"$TB_WORK/op1-8081.log" 2>&1 &
    TB_PIDS+=($!)
    local op1_v6
    op1_v6=$(tb_addr6 op1)
    tb_marketplace_up
    check "before connecting, port 25 on the web server answers the client" tb_peer_seen_port 25 "$TB_CLIENT4"
    check "before connecting, op1's own service answers on [$op1_v6]:8081" eval \
        '[[ -n $(tb_fetch cl "http://[$op1_v6]:8081/") ]]'
    tb_connect "$TB_WORK/connect-de.log" --country DE --max-price 5 --deposit 1
    check "connected through op1 (default policy)" tb_connected 1 30
    check "public: the web server answers, seeing op1" tb_peer_seen cl "$(tb_addr op1)"
    check "public over IPv6: the web server sees op1's IPv6 address" eval \
        '[[ $(tb_fetch cl "http://[$(tb_addr6 web)]/") == "peer=$op1_v6" ]]'
    check "port 25 on the web server is unreachable" eval '[[ -z $(tb_fetch cl http://$TB_WEB4:25/ 3) ]]'
    check "the private host 10.99.0.2 on op1's side is unreachable" eval '[[ -z $(tb_fetch cl http://$TB_LAN4/ 3) ]]'
    check "op1's own service on its IPv6 address is unreachable" eval '[[ -z $(tb_fetch cl "http://[$op1_v6]:8081/" 3) ]]'
    local gateway
    gateway=$(tb_tunnel_gateway)
    check "op1's own service on its tunnel address (${gateway:-none}) is unreachable" eval \
        '[[ -n $gateway && -z $(tb_fetch cl "http://$gateway:8081/" 3) ]]'
    check "op1's loopback service (packets to 127.0.0.1 into the tunnel) is unreachable" loopback_refused op1
    check "nothing reached the private host or op1's own service through the tunnel" eval \
        '! grep -q "peer=" "$TB_WORK/lan.log" && [[ $(grep -c "peer=" "$TB_WORK/op1-8081.log") -eq 1 ]]'
    tb_stop "$TB_CONNECT_PID" INT 30
    local allowed=3
    if [[ $TB_LEDGER == dev ]]; then
        # One operator only: op1 again, restarted with the rule (its offer is unchanged).
        allowed=1
        tb_stop "${TB_NODE_PID[op1]}" TERM 20
        tb_operator_up 1 --allow 10.99.0.0/24
        tb_ledger_ready 60
        tb_connect "$TB_WORK/connect-allow.log" --country DE --max-price 5 --deposit 1
    else
        tb_connect "$TB_WORK/connect-fr.log" --country FR --max-price 5 --deposit 1
    fi
    check "connected through op$allowed (--allow 10.99.0.0/24)" tb_connected "$allowed" 30
    check "--allow opens the private host, seen from op$allowed's 10.99.0.2$allowed" eval \
        '[[ $(tb_fetch cl http://$TB_LAN4/) == "peer=10.99.0.2$allowed" ]]'
    check "port 25 stays unreachable through op$allowed" eval '[[ -z $(tb_fetch cl http://$TB_WEB4:25/ 3) ]]'
    tb_stop "$TB_CONNECT_PID" INT 30
}

# tb_tunnel_gateway: op1's own IPv4 address on its WireGuard (TUN) interface.
tb_tunnel_gateway() {
    tb_exec op1 ip -j -d -4 addr show | "$TB_PYTHON" -c '
import json, sys
for link in json.load(sys.stdin):
    if link.get("linkinfo", {}).get("info_kind") == "tun" and link.get("addr_info"):
        print(link["addr_info"][0]["local"])
        break'
}

tb_peer_seen_port() { [[ $(tb_fetch cl "http://$TB_WEB4:$1/") == "peer=$2" ]]; }

# loopback_refused OP: TCP SYNs from the client's tunnel address to 127.0.0.1:8080 written
# straight into the client's TUN device (a socket would stay on the client's own loopback); the
# operator's loopback-only echo server must accept no connection.
loopback_refused() {
    local op=$1 tun src
    tun=$(tb_exec cl ip -j -d link show | "$TB_PYTHON" -c '
import json, sys
print(next(l["ifname"] for l in json.load(sys.stdin) if l.get("linkinfo", {}).get("info_kind") == "tun"))') || return 1
    src=$(tb_exec cl ip -j -4 addr show dev "$tun" | "$TB_PYTHON" -c '
import json, sys
print(json.load(sys.stdin)[0]["addr_info"][0]["local"])') || return 1
    local before
    before=$(tb_exec "$op" ss -Htn state established "sport = :8080" | wc -l)
    tb_exec cl "$TB_PYTHON" - "$tun" "$src" <<'EOF' || return 1
import socket, struct, sys
iface, src = sys.argv[1], sys.argv[2]
def checksum(data):
    if len(data) % 2: data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
saddr, daddr = socket.inet_aton(src), socket.inet_aton("127.0.0.1")
tcp = struct.pack("!HHIIBBHHH", 40000, 8080, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
tcp = tcp[:16] + struct.pack("!H", checksum(saddr + daddr + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, saddr, daddr)
ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM)
for _ in range(5):
    sock.sendto(ip + tcp, (iface, 0x0800))
EOF
    sleep 1
    local after
    after=$(tb_exec "$op" ss -Htn "sport = :8080" | wc -l)
    [[ $after -le $before ]]
}

"$check_name"
finish
