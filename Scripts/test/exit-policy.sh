#!/usr/bin/env bash
# The operator's exit (`dvpn-node exit up`) in a small "internet" of network namespaces
# (issue 8 items 2 and 7; docs/exit.md).
#
# Usage: Scripts/test/exit-policy.sh        (root; BIN=directory of the built dvpn and dvpn-node)
#   TN_KEEP_LOGS=1 keeps the logs of a failed run. Exit 77: skipped (not root, a tool missing).
#
#                 bridge namespace "br" (br0)
#   ┌──────────────┬────────────┴──┬───────────────────┬─────────────────────┐
#   exit (up0)      web (eth0)       lan (eth0)           router (up0)
#   203.0.113.1/24  198.51.100.7/24  10.99.0.2/24         203.0.113.2/24
#   10.99.0.1/24    2001:db8:100::7  (private, operator   │ (down0) 192.0.2.1/24
#   2001:db8:113::1 TCP 80, 25       side) TCP 80         client (eth0) 192.0.2.2/24
#   side0 10.77.0.1 ── side (eth0) 10.77.0.2/24 TCP 80   `dvpn tunnel up`, AllowedIPs 0.0.0.0/0, ::/0
#
# The exit's tunnel is 10.8.0.1/24, fd00:8::1/64; the client's 10.8.0.2, fd00:8::2. Every server
# answers "peer=ADDRESS" with the address it sees. 198.51.100.0/24 (TEST-NET-2), 203.0.113.0/24
# (TEST-NET-3), 192.0.2.0/24 (TEST-NET-1) and 2001:db8::/32 are documentation ranges: not in the
# default refuse list, so "public" to the policy, and they never leave these namespaces.
#
# Checks: through the exit the public server is reachable over IPv4 and IPv6 and sees the exit's
# uplink address (NAT); its port 25, the private host, the exit's own addresses (uplink, tunnel)
# and a packet to the exit's 127.0.0.1 are refused and counted; `--allow 10.99.0.0/24` opens the
# private host (seen from 10.99.0.1), while an allowed range behind a non-egress interface stays
# unreachable (the forward rule); after every stop no nft table, no sysctl change, no interface
# remains; after a SIGKILL the next start cleans up the leftovers of the previous run.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib/tunnel-netns.sh
source "$here/../lib/tunnel-netns.sh"

[[ $(id -u) -eq 0 ]] || { echo "SKIP: the exit test needs root (network namespaces, /dev/net/tun, nftables)"; exit 77; }
for tool in wg ip nft nc ss python3 timeout; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[[ -c /dev/net/tun ]] || { echo "SKIP: /dev/net/tun is missing"; exit 77; }
BIN=${BIN:-}
[[ -x $BIN/dvpn && -x $BIN/dvpn-node ]] || tn_die "BIN must name the directory of the built dvpn and dvpn-node"
PYTHON=$(command -v python3)

tn_init xp
NS_BR="dvpn-${TN_ID}-br" NS_EXIT="dvpn-${TN_ID}-exit" NS_WEB="dvpn-${TN_ID}-web" NS_LAN="dvpn-${TN_ID}-lan"
NS_SIDE="dvpn-${TN_ID}-side" NS_ROUTER="dvpn-${TN_ID}-rt" NS_CLIENT="dvpn-${TN_ID}-cl"
TN_NS=("$NS_BR" "$NS_EXIT" "$NS_WEB" "$NS_LAN" "$NS_SIDE" "$NS_ROUTER" "$NS_CLIENT")
IF_EXIT="dxe${TN_ID: -5}"
IF_CLIENT="dxc${TN_ID: -5}"
TN_IFACES+=("$IF_EXIT" "$IF_CLIENT")
STATE_DIR="$TN_WORK/state"
PASSED=0
FAILED=0

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
check() {
    local name=$1; shift
    if "$@"; then tn_log "ok   $name"; PASSED=$((PASSED + 1)); else tn_log "FAIL $name"; FAILED=$((FAILED + 1)); fi
}

# veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up.
veth() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || tn_die "veth $2-$4"
    nsx "$1" ip link set "$2" up && nsx "$3" ip link set "$4" up
}

topology() {
    local ns
    for ns in "${TN_NS[@]}"; do
        ip netns add "$ns" || tn_die "ip netns add $ns"
        nsx "$ns" ip link set lo up
    done
    nsx "$NS_BR" ip link add br0 type bridge && nsx "$NS_BR" ip link set br0 up || tn_die "bridge"
    local i=0 pair
    for pair in "$NS_EXIT:up0" "$NS_WEB:eth0" "$NS_LAN:eth0" "$NS_ROUTER:up0"; do
        veth "$NS_BR" "p$i" "${pair%%:*}" "${pair##*:}"
        nsx "$NS_BR" ip link set "p$i" master br0
        i=$((i + 1))
    done
    veth "$NS_EXIT" side0 "$NS_SIDE" eth0
    veth "$NS_ROUTER" down0 "$NS_CLIENT" eth0

    nsx "$NS_EXIT" ip addr add 203.0.113.1/24 dev up0
    nsx "$NS_EXIT" ip addr add 10.99.0.1/24 dev up0
    nsx "$NS_EXIT" ip -6 addr add 2001:db8:113::1/64 dev up0 nodad
    nsx "$NS_EXIT" ip addr add 10.77.0.1/24 dev side0
    nsx "$NS_EXIT" ip route add default dev up0
    nsx "$NS_EXIT" ip -6 route add default dev up0
    nsx "$NS_EXIT" ip route add 192.0.2.0/24 via 203.0.113.2

    nsx "$NS_WEB" ip addr add 198.51.100.7/24 dev eth0
    nsx "$NS_WEB" ip -6 addr add 2001:db8:100::7/64 dev eth0 nodad
    nsx "$NS_WEB" ip route add 203.0.113.0/24 dev eth0
    nsx "$NS_WEB" ip -6 route add 2001:db8:113::/64 dev eth0
    nsx "$NS_LAN" ip addr add 10.99.0.2/24 dev eth0
    nsx "$NS_SIDE" ip addr add 10.77.0.2/24 dev eth0
    nsx "$NS_SIDE" ip route add default via 10.77.0.1

    nsx "$NS_ROUTER" ip addr add 203.0.113.2/24 dev up0
    nsx "$NS_ROUTER" ip addr add 192.0.2.1/24 dev down0
    nsx "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
    nsx "$NS_CLIENT" ip addr add 192.0.2.2/24 dev eth0
    nsx "$NS_CLIENT" ip route add default via 192.0.2.1
}

# A TCP server that answers every connection with "peer=ADDRESS" and closes (ADDR PORT…).
cat >"$TN_WORK/peer-server.py" <<'EOF'
import socket, sys, threading
def serve(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port)); s.listen(16)
    while True:
        c, peer = s.accept()
        c.sendall(("peer=%s\n" % peer[0]).encode()); c.close()
args = sys.argv[1:]
for i in range(0, len(args), 2):
    threading.Thread(target=serve, args=(args[i], int(args[i + 1])), daemon=True).start()
threading.Event().wait()
EOF

# Sends one UDP packet with source 10.8.0.2 and destination 127.0.0.1:8080 straight into the
# client's TUN interface (a normal socket would keep it on the client's own loopback).
cat >"$TN_WORK/inject.py" <<'EOF'
import socket, struct, sys
iface, count = sys.argv[1], int(sys.argv[2])
payload = b"dvpn exit test"
udp = struct.pack("!HHHH", 40000, 8080, 8 + len(payload), 0) + payload
header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton("10.8.0.2"), socket.inet_aton("127.0.0.1"))
s = sum(struct.unpack("!10H", header))
s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
header = header[:10] + struct.pack("!H", ~s & 0xFFFF) + header[12:]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM)
for _ in range(count):
    sock.sendto(header + udp, (iface, 0x0800))
EOF

start_servers() {
    ip netns exec "$NS_WEB" "$PYTHON" "$TN_WORK/peer-server.py" 0.0.0.0 80 0.0.0.0 25 :: 80 >"$TN_WORK/web.log" 2>&1 &
    TN_PIDS+=($!)
    ip netns exec "$NS_LAN" "$PYTHON" "$TN_WORK/peer-server.py" 0.0.0.0 80 >"$TN_WORK/lan.log" 2>&1 &
    TN_PIDS+=($!)
    ip netns exec "$NS_SIDE" "$PYTHON" "$TN_WORK/peer-server.py" 0.0.0.0 80 >"$TN_WORK/side.log" 2>&1 &
    TN_PIDS+=($!)
    # The operator's own services: one on every address, one on loopback only.
    ip netns exec "$NS_EXIT" "$PYTHON" "$TN_WORK/peer-server.py" 0.0.0.0 8081 127.0.0.1 8080 >"$TN_WORK/own.log" 2>&1 &
    TN_PIDS+=($!)
    local ns port
    for ns in "$NS_WEB:25" "$NS_LAN:80" "$NS_SIDE:80" "$NS_EXIT:8080"; do
        port=${ns##*:}
        for _ in $(seq 50); do
            nsx "${ns%%:*}" ss -Hltn "sport = :$port" | grep LISTEN >/dev/null && break
            sleep 0.1
        done
    done
}

keys() {
    EXIT_PRIV=$(wg genkey) CLIENT_PRIV=$(wg genkey)
    EXIT_PUB=$(wg pubkey <<<"$EXIT_PRIV") CLIENT_PUB=$(wg pubkey <<<"$CLIENT_PRIV")
    cat >"$TN_WORK/exit.conf" <<EOF
[Interface]
PrivateKey = $EXIT_PRIV
Address = 10.8.0.1/24, fd00:8::1/64
ListenPort = 51820

[Peer]
PublicKey = $CLIENT_PUB
AllowedIPs = 10.8.0.2/32, fd00:8::2/128
EOF
    cat >"$TN_WORK/client.conf" <<EOF
[Interface]
PrivateKey = $CLIENT_PRIV
Address = 10.8.0.2/24, fd00:8::2/64

[Peer]
PublicKey = $EXIT_PUB
Endpoint = 203.0.113.1:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 5
EOF
}

# start_exit LOG ARGS…: `dvpn-node exit up` in the exit namespace; waits until it is up.
start_exit() {
    local log=$1; shift
    # Started directly (not through a shell function) so that $! is the exit itself.
    ip netns exec "$NS_EXIT" "$BIN/dvpn-node" exit up --config "$TN_WORK/exit.conf" --interface "$IF_EXIT" \
        --state-dir "$STATE_DIR" "$@" >"$log" 2>&1 &
    EXIT_PID=$!
    TN_PIDS+=("$EXIT_PID")
    for _ in $(seq 100); do
        grep -q "$IF_EXIT is up: " "$log" && return 0
        kill -0 "$EXIT_PID" 2>/dev/null || break
        sleep 0.1
    done
    tn_die "exit not up after 10 s (log: $(tail -5 "$log"))"
}

# stop_exit SIGNAL: ends the exit and waits for it (10 s at most).
stop_exit() {
    kill -"$1" "$EXIT_PID" 2>/dev/null
    timeout 10 tail --pid="$EXIT_PID" -f /dev/null 2>/dev/null || kill -KILL "$EXIT_PID" 2>/dev/null
    { wait "$EXIT_PID"; } 2>/dev/null
    local pids=() pid
    for pid in "${TN_PIDS[@]}"; do [[ $pid != "$EXIT_PID" ]] && pids+=("$pid"); done
    TN_PIDS=("${pids[@]}")
}

start_client() {
    ip netns exec "$NS_CLIENT" "$BIN/dvpn" tunnel up --config "$TN_WORK/client.conf" --interface "$IF_CLIENT" >"$TN_WORK/client.log" 2>&1 &
    TN_PIDS+=($!)
    for _ in $(seq 100); do
        grep -q "$IF_CLIENT is up: " "$TN_WORK/client.log" && return 0
        sleep 0.1
    done
    tn_die "client not up after 10 s (log: $(tail -5 "$TN_WORK/client.log"))"
}

# fetch ADDR PORT: what the server at ADDR:PORT answers the client through the tunnel (empty if
# nothing answers within 3 s).
fetch() {
    local family=4
    [[ $1 == *:* ]] && family=6
    nsx "$NS_CLIENT" timeout 5 nc -"$family" -n -w 3 "$1" "$2" </dev/null 2>/dev/null
}
reaches() { [[ $(fetch "$1" "$2") == "peer=$3" ]]; }
refused() { [[ -z $(fetch "$1" "$2") ]]; }

# The handshake is done once the public server answers (15 s at most).
wait_tunnel() {
    for _ in $(seq 15); do
        [[ -n $(fetch 198.51.100.7 80) ]] && return 0
        sleep 1
    done
    return 1
}

# The total the exit logged for the client at shutdown ("N packet(s) refused").
refused_count() { sed -nE 's/.*peer [^ ]+: ([0-9]+) packet\(s\) refused.*/\1/p' "$1" | tail -1; }

# What the exit namespace looks like with no exit running: to compare after each stop.
host_snapshot() {
    nsx "$NS_EXIT" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' '
    nsx "$NS_EXIT" nft list tables | tr '\n' ' '
    nsx "$NS_EXIT" ip -o link show | awk '{print $2}' | tr '\n' ' '
}
clean_after_stop() {
    local now
    now=$(host_snapshot)
    [[ $now == "$BASELINE" ]] || { tn_log "  before: $BASELINE"; tn_log "  after:  $now"; return 1; }
    [[ ! -e $STATE_DIR/exit-$IF_EXIT.json ]]
}
forwarding_on() { [[ $(nsx "$NS_EXIT" sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr '\n' ' ') == "1 1 " ]]; }
table_present() { nsx "$NS_EXIT" nft list table inet "dvpn-exit-$IF_EXIT" >/dev/null 2>&1; }

topology
keys
start_servers
BASELINE=$(host_snapshot)
[[ $BASELINE == "0 0 "* ]] || tn_die "a new namespace should start with forwarding off: $BASELINE"
SECONDS=0

tn_log "run 1: default policy"
start_exit "$TN_WORK/exit-1.log"
start_client
check "handshake and first answer through the exit" wait_tunnel
check "nft table and forwarding are up while the exit runs" eval 'table_present && forwarding_on'
check "public server over IPv4, NAT to the uplink address" reaches 198.51.100.7 80 203.0.113.1
check "public server over IPv6, NAT to the uplink address" reaches 2001:db8:100::7 80 2001:db8:113::1
check "TCP port 25 on the public server is refused" refused 198.51.100.7 25
check "private host 10.99.0.2 is refused" refused 10.99.0.2 80
check "the exit's uplink address (own service) is refused" refused 203.0.113.1 8081
check "the exit's tunnel address (own service) is refused" refused 10.8.0.1 8081
check "host behind a non-egress interface is refused" refused 10.77.0.2 80
nsx "$NS_CLIENT" "$PYTHON" "$TN_WORK/inject.py" "$IF_CLIENT" 5 || tn_log "  inject.py failed"
sleep 1
check "nothing reached the private hosts" eval '[[ ! -s $TN_WORK/lan.log && ! -s $TN_WORK/side.log ]]'
stop_exit TERM
REFUSED_1=$(refused_count "$TN_WORK/exit-1.log")
# 5 refused connections (each at least one SYN) and 5 injected packets to 127.0.0.1.
check "refused packets are counted per peer (${REFUSED_1:-none} >= 10)" eval '[[ ${REFUSED_1:-0} -ge 10 ]]'
check "after SIGTERM: no nft table, sysctls restored, interface gone, state file gone" clean_after_stop

tn_log "run 2: --allow 10.99.0.0/24 --allow 10.77.0.0/24 --deny 2001:db8:100::/64"
start_exit "$TN_WORK/exit-2.log" --allow 10.99.0.0/24 --allow 10.77.0.0/24 --deny 2001:db8:100::/64
check "handshake again" wait_tunnel
check "--allow opens the private host, NAT to 10.99.0.1" reaches 10.99.0.2 80 10.99.0.1
check "--allow does not open a non-egress interface (forward rule)" refused 10.77.0.2 80
check "--deny closes a public range" refused 2001:db8:100::7 80
check "port 25 stays refused" refused 198.51.100.7 25
check "the public server still answers" reaches 198.51.100.7 80 203.0.113.1
stop_exit INT
REFUSED_2=$(refused_count "$TN_WORK/exit-2.log")
check "refused packets counted in run 2 (${REFUSED_2:-none} >= 2)" eval '[[ ${REFUSED_2:-0} -ge 2 ]]'
check "after SIGINT: everything removed and restored" clean_after_stop

tn_log "run 3: SIGKILL, then a new start cleans up"
start_exit "$TN_WORK/exit-3.log"
stop_exit KILL
check "a killed exit leaves its table, sysctls and state file" eval \
    'table_present && forwarding_on && [[ -e $STATE_DIR/exit-$IF_EXIT.json ]]'
start_exit "$TN_WORK/exit-4.log"
check "the next start reports the leftovers" grep -q "cleaning up after a previous run" "$TN_WORK/exit-4.log"
check "and works" wait_tunnel
# Only allowed traffic so far in this run: the refusals counted are exactly the injected ones.
nsx "$NS_CLIENT" "$PYTHON" "$TN_WORK/inject.py" "$IF_CLIENT" 7 || tn_log "  inject.py failed"
sleep 1
stop_exit TERM
REFUSED_4=$(refused_count "$TN_WORK/exit-4.log")
check "7 packets to the exit's 127.0.0.1 refused and counted (${REFUSED_4:-none})" eval '[[ ${REFUSED_4:-0} -eq 7 ]]'
check "after the restart's SIGTERM: sysctls back to the values before the killed run" clean_after_stop

tn_log "$SECONDS s"
if [[ $FAILED -ne 0 ]]; then
    for log in "$TN_WORK"/exit-*.log "$TN_WORK/client.log"; do
        tn_log "--- $(basename "$log")"
        tail -15 "$log" >&2
    done
fi
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
