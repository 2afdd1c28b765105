# shellcheck shell=bash
# The marketplace on the testbed's topology (Scripts/lib/testbed-netns.sh, source it first): the
# ledger network, the three operators (`dvpn-node serve --price …`), funding, the client
# (`dvpn connect …`), balances and the settlement arithmetic. Needs BIN (the directory of the
# built dvpn and dvpn-node).
#
# Two ledgers:
#   TB_LEDGER=testnet (default)  `dvpn-node testnet --validators V+3`: validators v0…vV-1 and the
#                                three operators are the nodes of one network (operators are
#                                validators too); `serve --data-dir DIR/nodeI`.
#   TB_LEDGER=dev                one operator (op1) runs the one-validator dev chain itself
#                                (`serve --dev --price …`); the benchmark's "one-validator devnet",
#                                and what runs while `serve` has only --dev (no op2, op3).
# tb_choose_ledger sets TB_LEDGER when it is not given: testnet if `serve` takes --peers.

tb_dvpn() { "$BIN/dvpn" "$@"; }
tb_node() { "$BIN/dvpn-node" "$@"; }

# tb_marketplace_missing: why the marketplace commands cannot run with these binaries, or nothing.
tb_marketplace_missing() {
    tb_node serve --help 2>&1 | grep -q -- '--price' || { echo "dvpn-node serve has no --price (operator branch not merged)"; return; }
    tb_dvpn connect --help >/dev/null 2>&1 || { echo "dvpn has no connect command (client branch not merged)"; return; }
    if [[ ${TB_LEDGER:-testnet} == testnet ]]; then
        tb_node serve --help 2>&1 | grep -q -- '--peers' || echo "dvpn-node serve runs only --dev (engine branch not merged)"
    fi
}

tb_choose_ledger() {
    if [[ -z ${TB_LEDGER:-} ]]; then
        if tb_node serve --help 2>&1 | grep -q -- '--peers'; then TB_LEDGER=testnet; else TB_LEDGER=dev; fi
    fi
    export TB_LEDGER
}

# tb_json KEY [FILE]: the last value of KEY found anywhere in the JSON values of FILE or stdin
# (pretty-printed or one per line, with log lines between them); empty when none.
tb_json() { "$TB_PYTHON" -c "$TB_JSON_PY" "$@"; }
TB_JSON_PY=$(cat <<'EOF'
import json, re, sys
key = sys.argv[1]
text = open(sys.argv[2]).read() if len(sys.argv) > 2 else sys.stdin.read()
found = []
def walk(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and not isinstance(v, (dict, list)):
                found.append(v)
            walk(v)
    elif isinstance(value, list):
        for v in value:
            walk(v)
decoder = json.JSONDecoder()
position = 0
for match in re.finditer(r"^[ \t]*[\[{]", text, re.M):
    start = match.end() - 1
    if start < position:
        continue
    try:
        value, end = decoder.raw_decode(text, start)
    except ValueError:
        continue
    walk(value)
    position = end
if found:
    print(str(found[-1]).lower() if isinstance(found[-1], bool) else found[-1])
EOF
)

# tb_udvpn DECIMAL: a DVPN decimal as integer udvpn (string arithmetic, no floating point).
tb_udvpn() {
    local whole=${1%%.*} frac=""
    [[ $1 == *.* ]] && frac=${1#*.}
    frac=$(printf '%-6s' "$frac" | tr ' ' 0)
    echo $((10#${whole:-0} * 1000000 + 10#${frac:0:6}))
}

# tb_cost BYTES PRICE_DVPN_PER_GIB: ⌈bytes · price / 2^30⌉ udvpn (docs/session-protocol.md).
tb_cost() { "$TB_PYTHON" -c 'import sys; b, p = int(sys.argv[1]), int(sys.argv[2]); print(-(-b * p // (1 << 30)))' "$1" "$(tb_udvpn "$2")"; }

# tb_step COST PRICE: the payment step at a paid total of COST udvpn with the standard schedule
# (first 1 MiB, growth 150 %, cap 64 MiB worth; per-hour price 0): the tolerance of every check.
tb_step() {
    "$TB_PYTHON" -c '
import sys
cost, price = int(sys.argv[1]), int(sys.argv[2])
first = max(1, -(-(1 << 20) * price // (1 << 30)))
cap = max(first, -(-(64 << 20) * price // (1 << 30)))
print(min(max(cost // 2, first), cap))' "$1" "$(tb_udvpn "$2")"
}

# --- the ledger network -------------------------------------------------------------------------

# tb_ledger_generate: the network's files in $TB_WORK/net; sets TB_GENESIS, TB_DEV_KEY and
# TB_NODE_DIR[role] for every node (validators v0…, operators op1…op3).
tb_ledger_generate() {
    declare -gA TB_NODE_DIR=()
    if [[ ${TB_LEDGER:-testnet} == dev ]]; then
        TB_NODE_DIR[op1]="$TB_WORK/net/op1"
        TB_GENESIS="$TB_WORK/net/op1/genesis.json"
        TB_DEV_KEY="$TB_WORK/net/op1/dev-account.key"
        return
    fi
    local hosts=() roles=() i
    for ((i = 0; i < TB_VALIDATORS; i++)); do roles+=("v$i"); done
    roles+=(op1 op2 op3)
    for i in "${roles[@]}"; do hosts+=("$(tb_addr "$i")"); done
    local IFS=,
    tb_node testnet --validators "${#roles[@]}" --out "$TB_WORK/net" --hosts "${hosts[*]}" \
        --insecure-no-passphrase >"$TB_WORK/testnet.log" 2>&1 || tb_die "testnet: $(tail -3 "$TB_WORK/testnet.log")"
    unset IFS
    for i in "${!roles[@]}"; do TB_NODE_DIR[${roles[$i]}]="$TB_WORK/net/node$i"; done
    TB_GENESIS="$TB_WORK/net/genesis.json"
    TB_DEV_KEY="$TB_WORK/net/dev-account.key"
}

# tb_node_api ROLE: the HTTP API URL of a node (from its node.toml; dev: the --api given).
tb_node_api() {
    if [[ ${TB_LEDGER:-testnet} == dev ]]; then echo "http://$(tb_addr op1):$TB_API_PORT"; return; fi
    local api
    api=$(sed -nE "s/^api *= *[\"']([^\"']+)[\"'].*/\\1/p" "${TB_NODE_DIR[$1]}/node.toml")
    echo "http://$api"
}

# The client's --node list: the validators' APIs (dev: the operator's), comma-separated.
tb_ledger_nodes() {
    if [[ ${TB_LEDGER:-testnet} == dev ]]; then tb_node_api op1; return; fi
    local i list=()
    for ((i = 0; i < TB_VALIDATORS; i++)); do list+=("$(tb_node_api "v$i")"); done
    local IFS=,
    echo "${list[*]}"
}
tb_first_node() { local n; n=$(tb_ledger_nodes); echo "${n%%,*}"; }

# tb_validators_up: starts the validators (testnet only; the operators are started by
# tb_operator_up and count towards the quorum, so no block is made before they run).
tb_validators_up() {
    [[ ${TB_LEDGER:-testnet} == dev ]] && return 0
    local i
    for ((i = 0; i < TB_VALIDATORS; i++)); do
        tb_spawn "v$i" "$TB_WORK/v$i.log" "$BIN/dvpn-node" serve --data-dir "${TB_NODE_DIR[v$i]}" --insecure-no-passphrase
        TB_NODE_PID[v$i]=$TB_PID
    done
}

# tb_operator_args K: the `serve` flags of operator K (its offer and its exit).
tb_operator_args() {
    local k=$1 host
    host=$(tb_addr "op$k")
    TB_ARGS=(--price "${TB_OP_PRICE[$k]}" --country "${TB_OP_COUNTRY[$k]}" --bandwidth "${TB_OP_BANDWIDTH[$k]}"
        --endpoint "$host:$TB_WG_PORT" --listen "$TB_WG_PORT" --egress eth0)
    # The offer names the API by its port on the endpoint's host (services api-PORT).
    local api=$(tb_node_api "op$k")
    TB_ARGS+=(--public-api-port "${api##*:}")
}

# tb_operator_up K [EXTRA serve ARGS…]: starts operator K (`dvpn-node serve … --price …`).
tb_operator_up() {
    local k=$1; shift
    tb_operator_args "$k"
    local log="$TB_WORK/op$k.log"
    [[ -e $log ]] && mv "$log" "$log.$SECONDS"
    if [[ ${TB_LEDGER:-testnet} == dev ]]; then
        tb_spawn "op$k" "$log" "$BIN/dvpn-node" serve --dev --data-dir "${TB_NODE_DIR[op$k]}" --insecure-no-passphrase \
            --api "$(tb_addr "op$k"):$TB_API_PORT" --block-interval 0.25 "${TB_ARGS[@]}" "$@"
    else
        tb_spawn "op$k" "$log" "$BIN/dvpn-node" serve --data-dir "${TB_NODE_DIR[op$k]}" --insecure-no-passphrase \
            "${TB_ARGS[@]}" "$@"
    fi
    TB_NODE_PID[op$k]=$TB_PID
}

# tb_ledger_ready [SECONDS]: the first ledger node answers and has made a block (60 s).
tb_ledger_ready() {
    local node
    node=$(tb_first_node)
    tb_wait "${1:-60}" "the ledger at $node" tb_exec cl "$BIN/dvpn" ledger show --node "$node"
}

# tb_address KEYFILE: the dvpn1… address of a key file.
tb_address() { tb_node keys show --key-file "$1" --json | tb_json address; }

# tb_light: the client's light-client options (its own verified header chain per caller).
tb_light() { TB_LIGHT=(--node "$(tb_ledger_nodes)" --genesis "$TB_GENESIS" --data-dir "$TB_WORK/light-$1"); }

# tb_balance ADDRESS: the proven balance in udvpn (0 for an account that never held funds),
# read from the client's namespace before it connects (later: through the tunnel, which the
# ledger nodes, being public, are reachable by).
tb_balance() {
    tb_light balance
    local out
    out=$(tb_exec cl "$BIN/dvpn" balance "$1" "${TB_LIGHT[@]}" --json 2>/dev/null) || { echo 0; return; }
    local v
    v=$(tb_json balanceUdvpn <<<"$out")
    echo "${v:-0}"
}

# tb_fund ADDRESS DVPN: a transfer from the dev account, waited for.
tb_fund() {
    tb_exec cl "$BIN/dvpn" transfer "$1" "$2" --node "$(tb_first_node)" --key-file "$TB_DEV_KEY" \
        --insecure-no-passphrase >>"$TB_WORK/fund.log" 2>&1 || tb_die "transfer of $2 DVPN to $1: $(tail -2 "$TB_WORK/fund.log")"
}

# tb_offers_fresh N [SECONDS]: N fresh offers are on the ledger (90 s).
tb_offers_count() {
    tb_light offers
    tb_exec cl "$BIN/dvpn" offers "${TB_LIGHT[@]}" --json 2>/dev/null | "$TB_PYTHON" -c '
import json, sys
try:
    print(len(json.load(sys.stdin)))
except ValueError:
    print(0)'
}
tb_offers_fresh() { tb_wait "${2:-90}" "$1 fresh offers" eval '[[ $(tb_offers_count) -ge '"$1"' ]]'; }

# tb_marketplace_up: the whole marketplace: ledger, operators, funding (10 DVPN each operator,
# 50 the client), three fresh offers. Sets TB_OP_ADDR[k], TB_CLIENT_KEY, TB_CLIENT_ADDR.
tb_marketplace_up() {
    declare -gA TB_NODE_PID=() TB_OP_ADDR=()
    tb_ledger_generate
    local ops=(1 2 3)
    [[ ${TB_LEDGER:-testnet} == dev ]] && ops=(1)
    tb_validators_up
    local k
    for k in "${ops[@]}"; do tb_operator_up "$k" ${TB_OP_EXTRA[$k]:-}; done
    tb_ledger_ready 90 || tb_die "the ledger did not come up: $(tail -3 "$TB_WORK"/v0.log "$TB_WORK"/op1.log 2>/dev/null)"
    mkdir -p "$TB_WORK/client"
    TB_CLIENT_KEY="$TB_WORK/client/key.json"
    tb_dvpn keys new --key-file "$TB_CLIENT_KEY" --insecure-no-passphrase >/dev/null || tb_die "client key"
    TB_CLIENT_ADDR=$(tb_address "$TB_CLIENT_KEY")
    for k in "${ops[@]}"; do
        TB_OP_ADDR[$k]=$(tb_address "${TB_NODE_DIR[op$k]}/key.json")
        tb_fund "${TB_OP_ADDR[$k]}" 10
    done
    tb_fund "$TB_CLIENT_ADDR" 50
    tb_offers_fresh "${#ops[@]}" 90 || tb_die "the operators' offers did not appear: $(tail -3 "$TB_WORK"/op1.log)"
}

# tb_which_operator: the operator (1, 2, 3) whose address the web server sees for the client, or
# "direct" (the client's own address), or "none".
tb_which_operator() {
    local seen k
    seen=$(tb_fetch cl "http://$TB_WEB4/" 3)
    seen=${seen#peer=}
    for k in 1 2 3; do [[ $seen == "$(tb_addr "op$k")" ]] && { echo "$k"; return; }; done
    [[ $seen == "$TB_CLIENT4" ]] && { echo direct; return; }
    echo none
}

# tb_connect LOG ARGS…: `dvpn connect ARGS --json` in the client namespace, against the ledger;
# sets TB_CONNECT_PID and TB_CONNECT_START (EPOCHREALTIME).
tb_connect() {
    local log=$1; shift
    TB_CONNECT_START=$EPOCHREALTIME
    tb_spawn cl "$log" "$BIN/dvpn" connect "$@" --json --node "$(tb_ledger_nodes)" --genesis "$TB_GENESIS" \
        --data-dir "$TB_WORK/client" --key-file "$TB_CLIENT_KEY" --insecure-no-passphrase
    TB_CONNECT_PID=$TB_PID
}

# tb_connected K [SECONDS]: traffic from the client leaves through operator K (30 s).
tb_connected() { tb_wait "${2:-30}" "traffic through op$1" eval '[[ $(tb_which_operator) == '"$1"' ]]'; }

# tb_tun_bytes ROLE: inner bytes (rx + tx) on the TUN interfaces of ROLE's namespace: the
# operator's own count of what it forwarded, independent of both programs' meters.
tb_tun_bytes() {
    tb_exec "$1" ip -j -s -d link show | "$TB_PYTHON" -c '
import json, sys
total = 0
for link in json.load(sys.stdin):
    if link.get("linkinfo", {}).get("info_kind") == "tun":
        s = link.get("stats64", {})
        total += s.get("rx", {}).get("bytes", 0) + s.get("tx", {}).get("bytes", 0)
print(total)'
}

# tb_verify_replicas: `dvpn ledger verify` on every node's store (stop the nodes first).
tb_verify_replicas() {
    local role ok=0
    for role in "${!TB_NODE_DIR[@]}"; do
        if tb_dvpn ledger verify --data-dir "${TB_NODE_DIR[$role]}" --json >"$TB_WORK/verify-$role.json" 2>"$TB_WORK/verify-$role.log"; then
            tb_log "  ledger verify $role: ok up to height $(tb_json lastVerifiedHeight "$TB_WORK/verify-$role.json")"
        else
            tb_log "  ledger verify $role: FAILED: $(tail -2 "$TB_WORK/verify-$role.log")"
            ok=1
        fi
    done
    return $ok
}

# tb_nodes_down: SIGTERM to every ledger node still running (operators and validators).
tb_nodes_down() {
    local role
    for role in "${!TB_NODE_PID[@]}"; do
        kill -0 "${TB_NODE_PID[$role]}" 2>/dev/null && tb_stop "${TB_NODE_PID[$role]}" TERM 20
    done
    return 0
}

# tb_operator_report ROLE KEY: a total from the operator's own view (`dvpn-node status --json`,
# its operator.sqlite): bytes, earned, redeemed, unredeemed, sessions; "?" when unavailable.
tb_operator_report() {
    local v
    v=$(tb_node status --data-dir "${TB_NODE_DIR[$1]}" --json 2>/dev/null | tb_json "$2")
    echo "${v:-?}"
}
