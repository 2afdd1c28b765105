# shellcheck shell=bash
# The marketplace testbed (issue 8 item 11): an "internet" of network namespaces on one machine.
# Sourced by Scripts/testbed.sh, Scripts/test/market.sh and Scripts/bench/market.sh. Call tb_init
# first, then tb_topology. Every namespace, link, /etc/netns directory and process it makes is
# removed by the EXIT trap, whatever happened; every wait has a bound.
#
#                              namespace "br": bridge br0 (the internet, 203.0.113.0/24)
#   ┌──────────┬───────────┬──────────┬──────────┬───────────┬──────────┬──────────┐
#   v0 … vN-1  op1          op2        op3        web         lan        rt (eth0) 203.0.113.1
#   validators DE, cheap    DE, dear   FR, cheaper echo :80,:25 10.99.0.2  │ forwards
#   .10+i      .21          .22        .23        .80 iperf3   echo :80    │ (down0) 192.0.2.1/24
#              10.99.0.21   10.99.0.22 10.99.0.23 (public)    (private,    cl (eth0) 192.0.2.2/24
#              echo 127.0.0.1:8080 (the operator's own)        operator side) the client
#
# IPv6 alongside: 2001:db8:113::/64 on the bridge (host part as in IPv4), 2001:db8:2::/64 for the
# client's subnet. Every host on the bridge routes by default via the router, so it answers the
# client directly; the client's default route is the router until `dvpn connect` replaces it with
# the tunnel. The client has its own subnet because destinations on a host's own link bypass a
# wg-quick style default route: on the bridge it would reach the web server without the tunnel.
# 203.0.113.0/24, 192.0.2.0/24 and 2001:db8::/32 are documentation ranges: "public" to the exit
# policy (not in its refuse list), and they never leave these namespaces. 10.99.0.0/24 is the
# private range on the operators' side that the exit must refuse unless `--allow`ed.
#
# Every namespace has its own /etc/netns/NAME/resolv.conf (so DNS set inside never touches the
# machine's resolver), and every process started with tb_spawn has its own /run/wireguard and
# /run/dvpn (tmpfs in its mount namespace), as if each host were a machine of its own: two
# operators may use the same interface name without their UAPI sockets or exit state colliding.

TB_NET4=203.0.113
TB_NET6=2001:db8:113:
TB_ROUTER4=$TB_NET4.1
TB_CLIENT4=192.0.2.2
TB_WEB4=$TB_NET4.80
TB_LAN4=10.99.0.2
TB_API_PORT=26657
TB_P2P_PORT=26656
TB_WG_PORT=51820
# The three operators: index 1, 2, 3 (op1 is the one the journey should choose).
TB_OP_COUNTRY=("" DE DE FR)
TB_OP_PRICE=("" 2 3 1.5)          # DVPN per GiB
TB_OP_BANDWIDTH=("" 100 100 100)  # Mbit/s
TB_OP_EXTRA=("" "" "" "")         # more `serve` flags per operator (word-split), e.g. "--allow 10.99.0.0/24"
TB_PYTHON=${TB_PYTHON:-$(command -v python3)}
TB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

tb_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tb_die() { tb_log "FAIL: $*"; exit 1; }

# tb_prerequisites: the reason the testbed cannot run here (root, tools, TUN), or nothing.
tb_prerequisites() {
    [[ $(id -u) -eq 0 ]] || { echo "the testbed needs root (network namespaces, /dev/net/tun, nftables)"; return; }
    local tool
    for tool in ip nft wg curl iperf3 ss timeout nsenter "$TB_PYTHON"; do
        command -v "$tool" >/dev/null || { echo "$tool is not installed (run Scripts/setup.sh)"; return; }
    done
    [[ -c /dev/net/tun ]] || echo "/dev/net/tun is missing"
}

# tb_init TAG: names unique to this run (parallel runs never collide), the work directory and the
# cleanup trap. TB_VALIDATORS (default 1) is the number of ledger validators.
tb_init() {
    TB_ID="tb${1}$$"
    TB_PREFIX="dvpn-${TB_ID}"
    TB_WORK=$(mktemp -d "/tmp/${TB_PREFIX}.XXXXXX")
    TB_VALIDATORS=${TB_VALIDATORS:-1}
    TB_PIDS=()
    declare -gA TB_NS=()
    local role
    for role in br rt cl web lan op1 op2 op3; do TB_NS[$role]="${TB_PREFIX}-${role}"; done
    local i
    for ((i = 0; i < TB_VALIDATORS; i++)); do TB_NS[v$i]="${TB_PREFIX}-v$i"; done
    trap tb_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# The address of a host on the bridge: v0…, op1…, web, rt.
tb_addr() {
    case $1 in
    v*) echo "$TB_NET4.$((10 + ${1#v}))" ;;
    op*) echo "$TB_NET4.$((20 + ${1#op}))" ;;
    web) echo "$TB_WEB4" ;;
    rt) echo "$TB_ROUTER4" ;;
    *) tb_die "no bridge address for $1" ;;
    esac
}
tb_addr6() { local a; a=$(tb_addr "$1"); echo "${TB_NET6}:${a##*.}"; }
tb_api() { echo "http://$(tb_addr "$1"):$TB_API_PORT"; }
# Every validator's API, comma-separated (the client's --node list).
tb_validator_apis() {
    local i list=()
    for ((i = 0; i < TB_VALIDATORS; i++)); do list+=("$(tb_api "v$i")"); done
    local IFS=,
    echo "${list[*]}"
}

tb_exec() { local role=$1; shift; ip netns exec "${TB_NS[$role]}" "$@"; }

# tb_spawn ROLE LOG CMD…: starts CMD in the background in ROLE's namespace, with a private
# /run/wireguard and /run/dvpn, output to LOG. Its pid is TB_PID (and in TB_PIDS for cleanup):
# `ip netns exec` and the shell both exec, so it is the command itself.
tb_spawn() {
    local role=$1 log=$2; shift 2
    mkdir -p /run/wireguard /run/dvpn
    # shellcheck disable=SC2016
    ip netns exec "${TB_NS[$role]}" sh -c \
        'mount -t tmpfs -o mode=0755 tmpfs /run/wireguard && mount -t tmpfs -o mode=0755 tmpfs /run/dvpn && exec "$@"' \
        sh "$@" >"$log" 2>&1 </dev/null &
    TB_PID=$!
    TB_PIDS+=("$TB_PID")
}

# tb_in PID CMD…: runs CMD in the namespaces (network and mount) of a process tb_spawn started,
# e.g. `wg show` against its private UAPI socket.
tb_in() { local pid=$1; shift; nsenter -t "$pid" -n -m "$@"; }

# tb_wait SECONDS DESCRIPTION CMD…: polls CMD every 0.1 s until it succeeds; fails after SECONDS.
tb_wait() {
    local seconds=$1 what=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { tb_log "timed out after ${seconds} s waiting for $what"; return 1; }
        sleep 0.1
    done
}

# tb_listening ROLE PORT: something listens on TCP PORT in ROLE.
tb_listening() { tb_exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN; }

# tb_stop PID SIGNAL [SECONDS]: sends SIGNAL and waits for the process (default 15 s), then
# SIGKILL. Returns the process's exit status (137 if it had to be killed).
tb_stop() {
    local pid=$1 signal=$2 seconds=${3:-15}
    kill -"$signal" "$pid" 2>/dev/null
    local deadline=$((SECONDS + seconds))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { tb_log "pid $pid still running ${seconds} s after SIG$signal: SIGKILL"; kill -KILL "$pid"; }
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    local kept=() p
    for p in "${TB_PIDS[@]}"; do [[ $p != "$pid" ]] && kept+=("$p"); done
    TB_PIDS=("${kept[@]}")
    return $status
}

# Ends every process of this run, then removes its namespaces (with their links, TUN devices
# and nft tables) and /etc/netns directories. Safe to call more than once.
tb_cleanup_all() {
    set +e
    local pid
    for pid in "${TB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${TB_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    TB_PIDS=()
    local ns
    for ns in "${TB_NS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    done
    for ns in "${TB_NS[@]}"; do
        ip netns del "$ns" 2>/dev/null
        rm -rf "/etc/netns/$ns"
    done
    return 0
}

tb_cleanup() {
    local rc=$?
    tb_cleanup_all
    if [[ $rc -ne 0 && -n "${TB_KEEP_LOGS:-}" ]]; then
        tb_log "logs kept in $TB_WORK"
    else
        rm -rf "$TB_WORK"
    fi
    return $rc
}

# tb_leftovers: what this run left on the machine (namespaces, /etc/netns entries); empty when
# clean. For the tests' "everything removed" check after tb_cleanup_all.
tb_leftovers() {
    ip netns list | grep -F "$TB_PREFIX" | tr '\n' ' '
    ls /etc/netns 2>/dev/null | grep -F "$TB_PREFIX" | tr '\n' ' '
    return 0
}

# tb_veth NS_A IF_A NS_B IF_B: a veth pair between two namespaces, both ends up (no link is ever
# created in the machine's own namespace).
tb_veth() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || tb_die "veth $2 - $4"
    ip netns exec "$1" ip link set "$2" up && ip netns exec "$3" ip link set "$4" up
}

# tb_topology: the namespaces, the bridge, every host's address and routes, resolv.conf files.
tb_topology() {
    local role ns
    for role in "${!TB_NS[@]}"; do
        ns=${TB_NS[$role]}
        ip netns add "$ns" || tb_die "ip netns add $ns"
        mkdir -p "/etc/netns/$ns"
        printf '# dvpn testbed %s (%s)\nnameserver %s\n' "$role" "$ns" "$TB_ROUTER4" >"/etc/netns/$ns/resolv.conf"
        tb_exec "$role" ip link set lo up
    done
    tb_exec br ip link add br0 type bridge && tb_exec br ip link set br0 up || tb_die "bridge"
    local hosts=(rt web lan op1 op2 op3) i=0
    for ((i = 0; i < TB_VALIDATORS; i++)); do hosts+=("v$i"); done
    i=0
    for role in "${hosts[@]}"; do
        tb_veth "${TB_NS[br]}" "p$i" "${TB_NS[$role]}" eth0
        tb_exec br ip link set "p$i" master br0
        i=$((i + 1))
    done
    for role in "${hosts[@]}"; do
        [[ $role == lan ]] && continue
        tb_exec "$role" ip addr add "$(tb_addr "$role")/24" dev eth0
        tb_exec "$role" ip -6 addr add "$(tb_addr6 "$role")/64" dev eth0 nodad
        if [[ $role != rt ]]; then
            tb_exec "$role" ip route add default via "$TB_ROUTER4"
            tb_exec "$role" ip -6 route add default via "$(tb_addr6 rt)"
        fi
    done
    for i in 1 2 3; do tb_exec "op$i" ip addr add "10.99.0.2$i/24" dev eth0; done
    tb_exec lan ip addr add "$TB_LAN4/24" dev eth0

    tb_veth "${TB_NS[rt]}" down0 "${TB_NS[cl]}" eth0
    tb_exec rt ip addr add 192.0.2.1/24 dev down0
    tb_exec rt ip -6 addr add 2001:db8:2::1/64 dev down0 nodad
    tb_exec rt sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    tb_exec cl ip addr add "$TB_CLIENT4/24" dev eth0
    tb_exec cl ip -6 addr add 2001:db8:2::2/64 dev eth0 nodad
    tb_exec cl ip route add default via 192.0.2.1
    tb_exec cl ip -6 route add default via 2001:db8:2::1
    tb_wait 10 "the client reaching the web server" tb_exec cl ping -c 1 -W 1 "$TB_WEB4" || tb_die "no route from the client to the web server"
}

# tb_start_servers: the echo server on the web host (80 and 25, IPv4 and IPv6), on the private
# host (80), on each operator's loopback (8080: "the operator's own service"), and iperf3 on the
# web host. Waits until they listen (10 s).
tb_start_servers() {
    local echo_py="$TB_LIB/echo-server.py"
    tb_spawn web "$TB_WORK/web.log" "$TB_PYTHON" "$echo_py" serve 0.0.0.0:80 0.0.0.0:25 "[::]:80"
    tb_spawn lan "$TB_WORK/lan.log" "$TB_PYTHON" "$echo_py" serve 0.0.0.0:80
    local i
    for i in 1 2 3; do tb_spawn "op$i" "$TB_WORK/op$i-own.log" "$TB_PYTHON" "$echo_py" serve 127.0.0.1:8080; done
    tb_spawn web "$TB_WORK/iperf3.log" iperf3 -s -p 5201
    tb_wait 10 "web :80" tb_listening web 80 && tb_wait 10 "web :25" tb_listening web 25 &&
        tb_wait 10 "lan :80" tb_listening lan 80 && tb_wait 10 "op3 :8080" tb_listening op3 8080 &&
        tb_wait 10 "iperf3" tb_listening web 5201 || tb_die "servers did not start: $(tail -3 "$TB_WORK"/*.log)"
}

# tb_fetch ROLE URL [SECONDS]: the body of URL fetched from ROLE (empty when nothing answers in
# SECONDS, default 5).
tb_fetch() { tb_exec "$1" curl -sS --max-time "${3:-5}" "$2" 2>/dev/null; }

# tb_peer_seen ROLE ADDRESS: the web server, asked from ROLE, sees ADDRESS as the caller.
tb_peer_seen() { [[ $(tb_fetch "$1" "http://$TB_WEB4/") == "peer=$2" ]]; }

# tb_download ROLE MIB [SECONDS]: fetches MIB MiB from the web server and checks the SHA-256
# against echo-server.py's own; prints "bytes seconds sha256" (120 s by default).
tb_download() {
    local role=$1 mib=$2 seconds=${3:-120}
    local expected got
    expected=$("$TB_PYTHON" "$TB_LIB/echo-server.py" sum "$mib")
    local start=$EPOCHREALTIME
    got=$(tb_exec "$role" curl -sS --max-time "$seconds" "http://$TB_WEB4/bytes/$mib" | sha256sum | cut -d' ' -f1)
    local end=$EPOCHREALTIME
    awk -v b="$((mib << 20))" -v s="$start" -v e="$end" -v h="${got:0:16}" 'BEGIN { printf "%d %.2f %s\n", b, e - s, h }'
    [[ $got == "$expected" ]]
}

# tb_net_snapshot ROLE: what "routes and interfaces as before" compares: links, addresses,
# routes (both families, all tables), policy rules, nft tables and resolv.conf.
tb_net_snapshot() {
    local role=$1
    tb_exec "$role" ip -o link show | awk '{print $2}' | sort | tr '\n' ' '
    tb_exec "$role" ip -o addr show | awk '{print $2, $4}' | sort | tr '\n' ' '
    tb_exec "$role" ip route show table all | grep -v '^local\|^broadcast\|^multicast\|^ff00::/8\|^fe80::/64' | sort | tr '\n' ' '
    tb_exec "$role" ip -6 route show table all | grep -v '^local\|^broadcast\|^multicast\|^ff00::/8\|^fe80::/64' | sort | tr '\n' ' '
    tb_exec "$role" ip rule show | sort | tr '\n' ' '
    tb_exec "$role" ip -6 rule show | sort | tr '\n' ' '
    tb_exec "$role" nft list tables | tr '\n' ' '
    sha256sum <"/etc/netns/${TB_NS[$role]}/resolv.conf" | cut -c1-16
}

# --- the parts that exist without the marketplace: a bare WireGuard exit and client -------------

# tb_bare_exit OP [EXTRA exit up ARGS…]: `dvpn-node exit up` on operator OP with a fixed client
# peer; then tb_bare_client connects the client to it with `dvpn tunnel up` and a default route.
# The baseline of Scripts/bench/market.sh and a check of the topology before serve exists.
tb_bare_exit() {
    local op=$1; shift
    local dir="$TB_WORK/bare-$op"
    mkdir -p "$dir"
    local exit_priv client_priv
    exit_priv=$(wg genkey) client_priv=$(wg genkey)
    cat >"$dir/exit.conf" <<EOF
[Interface]
PrivateKey = $exit_priv
Address = 10.8.0.1/24, fd00:8::1/64
ListenPort = $TB_WG_PORT
MTU = 1420

[Peer]
PublicKey = $(wg pubkey <<<"$client_priv")
AllowedIPs = 10.8.0.2/32, fd00:8::2/128
EOF
    cat >"$dir/client.conf" <<EOF
[Interface]
PrivateKey = $client_priv
Address = 10.8.0.2/24, fd00:8::2/64
MTU = 1420

[Peer]
PublicKey = $(wg pubkey <<<"$exit_priv")
Endpoint = $(tb_addr "$op"):$TB_WG_PORT
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 5
EOF
    tb_spawn "$op" "$dir/exit.log" "$BIN/dvpn-node" exit up --config "$dir/exit.conf" --interface dvpn0 "$@"
    TB_BARE_EXIT_PID=$TB_PID
    tb_wait 10 "$op's exit" grep -q "dvpn0 is up: " "$dir/exit.log" || tb_die "exit not up: $(tail -3 "$dir/exit.log")"
}

tb_bare_client() {
    local op=$1 dir="$TB_WORK/bare-$1"
    tb_spawn cl "$dir/client.log" "$BIN/dvpn" tunnel up --config "$dir/client.conf" --interface dvpn0
    TB_BARE_CLIENT_PID=$TB_PID
    tb_wait 10 "the client's tunnel" grep -q "dvpn0 is up: " "$dir/client.log" || tb_die "client tunnel not up: $(tail -3 "$dir/client.log")"
    tb_wait 15 "the first answer through $op" tb_peer_seen cl "$(tb_addr "$op")"
}
