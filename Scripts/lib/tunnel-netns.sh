# shellcheck shell=bash
# Shared by Scripts/test/tunnel-interop.sh and Scripts/bench/tunnel.sh: two network namespaces
# joined by a veth pair, a WireGuard endpoint in each (stock wireguard-go + wg, or ours), and a
# cleanup that removes every namespace, link, socket and process it made, even on failure.
# After wireguard-go's tests/netns.sh. Source it; call tn_init first.
#
# Addresses are documentation ranges and stay inside the namespaces:
#   outer (veth):  192.0.2.1/24  2001:db8:1::1/64   (A)    192.0.2.2   2001:db8:1::2   (B)
#   inner (tunnel): 203.0.113.1/24 2001:db8:2::1/64 (A)    203.0.113.2 2001:db8:2::2   (B)

TN_OUTER4=(192.0.2.1 192.0.2.2)
TN_OUTER6=(2001:db8:1::1 2001:db8:1::2)
TN_INNER4=(203.0.113.1 203.0.113.2)
TN_INNER6=(2001:db8:2::1 2001:db8:2::2)
TN_PORT=(51820 51821)

tn_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
tn_die() { tn_log "FAIL: $*"; exit 1; }

# tn_init TAG: names for this run (unique per process so parallel runs never collide), a work
# directory, and the cleanup trap.
tn_init() {
    local tag=$1
    TN_ID="${tag}$$"
    TN_NS=("dvpn-${TN_ID}-a" "dvpn-${TN_ID}-b")
    TN_WORK=$(mktemp -d "/tmp/dvpn-${TN_ID}.XXXXXX")
    TN_PIDS=()
    TN_IFACES=()
    trap tn_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Ends every process this run started, then removes its namespaces (with their links and TUN
# devices) and UAPI sockets. Safe to call more than once.
tn_cleanup_case() {
    local rc=$?
    set +e
    local pid
    for pid in "${TN_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${TN_PIDS[@]}"; do
        # Give each process 5 s to remove what it added, then force it.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    TN_PIDS=()
    local ns
    for ns in "${TN_NS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    local iface
    for iface in "${TN_IFACES[@]}"; do
        rm -f "/var/run/wireguard/${iface}.sock"
    done
    return $rc
}

tn_cleanup() {
    local rc=$?
    tn_cleanup_case
    if [[ $rc -ne 0 && -n "${TN_KEEP_LOGS:-}" ]]; then
        tn_log "logs kept in $TN_WORK"
    else
        rm -rf "$TN_WORK"
    fi
    return $rc
}

# Runs a command in namespace A (0) or B (1).
tn_exec() { local side=$1; shift; ip netns exec "${TN_NS[$side]}" "$@"; }

# tn_topology: fresh namespaces and the veth pair between them (removing the previous ones).
tn_topology() {
    local ns
    for ns in "${TN_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
    ip netns add "${TN_NS[0]}" && ip netns add "${TN_NS[1]}" || tn_die "ip netns add"
    ip link add veth0 netns "${TN_NS[0]}" type veth peer name veth0 netns "${TN_NS[1]}" || tn_die "veth"
    local side
    for side in 0 1; do
        tn_exec $side ip link set lo up
        tn_exec $side ip addr add "${TN_OUTER4[$side]}/24" dev veth0
        tn_exec $side ip -6 addr add "${TN_OUTER6[$side]}/64" dev veth0 nodad
        tn_exec $side ip link set veth0 up
    done
}

# tn_keys: a key pair per side and a preshared key, in TN_PRIV / TN_PUB / TN_PSK.
tn_keys() {
    TN_PRIV=("$(wg genkey)" "$(wg genkey)")
    TN_PUB=("$(wg pubkey <<<"${TN_PRIV[0]}")" "$(wg pubkey <<<"${TN_PRIV[1]}")")
    TN_PSK=$(wg genpsk)
}

# tn_wg_quick_conf SIDE PEER_PUB PSK ENDPOINT: prints a wg-quick file for SIDE (PSK and ENDPOINT
# may be empty). The peer's allowed IPs are its inner /32 and /128.
tn_wg_quick_conf() {
    local side=$1 peer_pub=$2 psk=$3 endpoint=$4
    local other=$((1 - side))
    cat <<EOF
# dvpn interop test, side $side
[Interface]
PrivateKey = ${TN_PRIV[$side]}
Address = ${TN_INNER4[$side]}/24, ${TN_INNER6[$side]}/64
ListenPort = ${TN_PORT[$side]}
MTU = 1420

[Peer]
PublicKey = $peer_pub
AllowedIPs = ${TN_INNER4[$other]}/32, ${TN_INNER6[$other]}/128
EOF
    [[ -n $psk ]] && echo "PresharedKey = $psk"
    [[ -n $endpoint ]] && echo "Endpoint = $endpoint"
    return 0
}

# The endpoint of SIDE seen from the other side, over outer IPv4 or IPv6.
tn_endpoint() {
    local side=$1 family=$2
    if [[ $family == 6 ]]; then echo "[${TN_OUTER6[$side]}]:${TN_PORT[$side]}"; else echo "${TN_OUTER4[$side]}:${TN_PORT[$side]}"; fi
}

# tn_wait_socket IFACE: waits (10 s at most) for the UAPI socket of IFACE.
tn_wait_socket() {
    local iface=$1
    for _ in $(seq 100); do
        [[ -S "/var/run/wireguard/${iface}.sock" ]] && return 0
        sleep 0.1
    done
    tn_die "no UAPI socket for $iface after 10 s"
}

# tn_start IMPL SIDE IFACE CONF: brings up an endpoint. IMPL is `wggo` (stock wireguard-go + wg +
# ip, as wg-quick would) or `ours` (`$DVPN_BIN tunnel up`, which does all of that itself).
# Extra environment for ours may be given in TN_OURS_ENV (e.g. "DVPN_TUNNEL_FORCE_UNDER_LOAD=1"),
# or for one side only in TN_OURS_ENV_0 / TN_OURS_ENV_1.
tn_start() {
    local impl=$1 side=$2 iface=$3 conf=$4
    TN_IFACES+=("$iface")
    local log="$TN_WORK/${iface}.log"
    case $impl in
    wggo)
        # Started directly (not through a shell function) so that $! is the daemon itself.
        LOG_LEVEL=${TN_WGGO_LOG_LEVEL:-error} ip netns exec "${TN_NS[$side]}" wireguard-go -f "$iface" >"$log" 2>&1 &
        TN_PIDS+=($!)
        tn_wait_socket "$iface"
        # wg setconf reads the wg(8) subset; strip what only wg-quick knows.
        grep -viE '^\s*(Address|MTU|DNS)\s*=' "$conf" >"$conf.wg"
        tn_exec "$side" wg setconf "$iface" "$conf.wg" || tn_die "wg setconf $iface"
        local addr
        for addr in $(sed -nE 's/^\s*Address\s*=\s*//Ip' "$conf" | tr ',' ' '); do
            tn_exec "$side" ip addr add "$addr" dev "$iface" || tn_die "ip addr add $addr"
        done
        tn_exec "$side" ip link set mtu 1420 up dev "$iface" || tn_die "ip link set $iface up"
        ;;
    ours)
        [[ -x ${DVPN_BIN:-} ]] || tn_die "DVPN_BIN is not set to the built dvpn executable"
        local side_env_name="TN_OURS_ENV_$side"
        local extra_env=${!side_env_name:-${TN_OURS_ENV:-}}
        # shellcheck disable=SC2086
        ip netns exec "${TN_NS[$side]}" env $extra_env "$DVPN_BIN" tunnel up --config "$conf" --interface "$iface" >"$log" 2>&1 &
        TN_PIDS+=($!)
        tn_wait_socket "$iface"
        # `tunnel up` logs "NAME is up" once its addresses and routes are in place (10 s at most).
        for _ in $(seq 100); do
            grep -q "$iface is up: " "$log" && return 0
            kill -0 "${TN_PIDS[-1]}" 2>/dev/null || break
            sleep 0.1
        done
        tn_die "ours: $iface not up after 10 s (log: $(tail -3 "$log"))"
        ;;
    *) tn_die "unknown implementation $impl" ;;
    esac
}

# tn_ping FROM TO_ADDR: pings until the first answer (the first packets also trigger the
# handshake), 15 s at most, then 3 more that must all be answered.
tn_ping() {
    local side=$1 addr=$2
    local deadline=$((SECONDS + 15))
    until tn_exec "$side" ping -c 1 -W 1 "$addr" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
    done
    tn_exec "$side" ping -c 3 -i 0.2 -W 2 "$addr" >/dev/null 2>&1
}

# tn_transfer FROM TO TO_ADDR MIB: sends MIB MiB of random bytes over TCP from FROM to TO_ADDR
# (in TO) with nc, and checks that the SHA-256 on both ends matches. 120 s at most.
tn_transfer() {
    local from=$1 to=$2 addr=$3 mib=$4
    local family=4
    [[ $addr == *:* ]] && family=6
    local data="$TN_WORK/send-${mib}M.bin" received="$TN_WORK/received.bin"
    [[ -f $data ]] || head -c "${mib}M" /dev/urandom >"$data"
    rm -f "$received"
    tn_exec "$to" timeout 120 nc -"$family" -l -n 5201 >"$received" &
    local listener=$!
    # Wait until the listener is bound (5 s at most).
    for _ in $(seq 50); do
        tn_exec "$to" ss -Hltn "sport = :5201" | grep LISTEN >/dev/null && break
        sleep 0.1
    done
    local start=$SECONDS
    tn_exec "$from" timeout 120 nc -"$family" -N -n "$addr" 5201 <"$data" || { kill "$listener" 2>/dev/null; return 1; }
    wait "$listener" || return 1
    local sent_sum received_sum
    sent_sum=$(sha256sum <"$data" | cut -d' ' -f1)
    received_sum=$(sha256sum <"$received" | cut -d' ' -f1)
    tn_log "  transfer ${mib} MiB ${TN_NS[$from]##*-} -> ${TN_NS[$to]##*-} $addr: $((SECONDS - start)) s, sha256 ${received_sum:0:16}"
    [[ $sent_sum == "$received_sum" ]]
}

# tn_dump SIDE IFACE: `wg show IFACE dump` (against the UAPI socket).
tn_dump() { tn_exec "$1" timeout 10 wg show "$2" dump; }
