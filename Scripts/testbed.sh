#!/usr/bin/env bash
# The main job: the dvpn marketplace on one machine, in network namespaces (issue 8 item 11).
#
#   sudo Scripts/testbed.sh                     builds debug binaries, runs the demo, cleans up
#   BIN=.build/release sudo Scripts/testbed.sh  uses binaries already built there
#   TB_VALIDATORS=N (default 1) ledger validators besides the operators; TB_KEEP_LOGS=1 keeps
#   the logs of a failed run; TB_TOPOLOGY_ONLY=1 stops after the bare-tunnel check.
#
# An "internet" (a bridge in its own namespace) joins a ledger network, three operators (two in
# Germany at 2 and 3 DVPN/GiB, one in France at 1.5), a web server that answers with the caller's
# address, and a router with the client behind it (Scripts/lib/testbed-netns.sh draws it). The
# dev account funds the operators and the client; the operators run `dvpn-node serve --price …`;
# the client runs `dvpn connect --country DE --max-price 5`, fetches through the tunnel, and the
# web server names the cheaper German operator. Ctrl-C (SIGINT) ends the session: the settlement
# is printed from the ledger, and `dvpn ledger verify` audits every replica. Everything is removed
# when the script ends, also on failure or Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)/Scripts
# shellcheck source=lib/testbed-netns.sh
source "$here/lib/testbed-netns.sh"
# shellcheck source=lib/testbed-market.sh
source "$here/lib/testbed-market.sh"

missing=$(tb_prerequisites)
[[ -z $missing ]] || { echo "testbed: $missing" >&2; exit 1; }
if [[ -z ${BIN:-} ]]; then
    echo "== building dvpn and dvpn-node (debug)"
    swift build --product dvpn >/dev/null && swift build --product dvpn-node >/dev/null || exit 1
    BIN=$(swift build --show-bin-path)
fi
[[ -x $BIN/dvpn && -x $BIN/dvpn-node ]] || { echo "testbed: no dvpn and dvpn-node in $BIN" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

tb_init demo
step "The internet: $(( ${#TB_NS[@]} )) network namespaces ($TB_PREFIX-*), a bridge, a router, the client behind it"
tb_topology
tb_start_servers
echo "web server $TB_WEB4 answers the client directly: $(tb_fetch cl "http://$TB_WEB4/")"
client_before=$(tb_net_snapshot cl)

step "A bare WireGuard exit on op1 (dvpn-node exit up) and the client's tunnel (dvpn tunnel up)"
tb_bare_exit op1
tb_bare_client op1
echo "through the bare tunnel the web server sees: $(tb_fetch cl "http://$TB_WEB4/")"
tb_stop "$TB_BARE_CLIENT_PID" INT && tb_stop "$TB_BARE_EXIT_PID" INT
[[ $(tb_net_snapshot cl) == "$client_before" ]] || tb_die "the bare tunnel left routes or interfaces behind"
echo "stopped; the client's routes and interfaces are as before"
if [[ -n ${TB_TOPOLOGY_ONLY:-} ]]; then step "Topology only: done"; exit 0; fi

tb_choose_ledger
missing=$(tb_marketplace_missing)
[[ -z $missing ]] || tb_die "the marketplace cannot run with these binaries: $missing"

if [[ $TB_LEDGER == testnet ]]; then
    step "The ledger: $TB_VALIDATORS validator(s) and the three operators' nodes (dvpn-node testnet), operators serving"
    for k in 1 2 3; do echo "op$k $(tb_addr "op$k"): ${TB_OP_COUNTRY[$k]}, ${TB_OP_PRICE[$k]} DVPN/GiB"; done
else
    step "The ledger: these binaries run only a one-validator dev chain, so op1 alone runs it and sells (op2, op3 idle)"
    echo "op1 $(tb_addr op1): ${TB_OP_COUNTRY[1]}, ${TB_OP_PRICE[1]} DVPN/GiB"
fi
tb_marketplace_up
echo "operators: ${TB_OP_ADDR[*]}"
echo "client:    $TB_CLIENT_ADDR (funded with 50 DVPN by the dev account)"
tb_light offers
tb_exec cl "$BIN/dvpn" offers "${TB_LIGHT[@]}"

step "The client: dvpn connect --country DE --max-price 5 --deposit 1"
op_before=$(tb_balance "${TB_OP_ADDR[1]}")
cl_before=$(tb_balance "$TB_CLIENT_ADDR")
tb_connect "$TB_WORK/connect.log" --country DE --max-price 5 --deposit 1
tb_connected 1 30 || tb_die "no traffic through op1: $(tail -5 "$TB_WORK/connect.log")"
echo "the web server now sees: $(tb_fetch cl "http://$TB_WEB4/")  = op1, the cheaper DE operator"
grep '"selected"' "$TB_WORK/connect.log" | head -1
download=$(tb_download cl 20) || tb_die "the 20 MiB download through the tunnel failed: $download"
read -r bytes seconds sum <<<"$download"
echo "downloaded $bytes bytes in $seconds s through op1, sha256 $sum… (matches)"
tb_in "$TB_CONNECT_PID" "$BIN/dvpn" status --data-dir "$TB_WORK/client" 2>&1 | tail -3

step "Ctrl-C: the client sends its last voucher, the operator co-signs the close"
tb_stop "$TB_CONNECT_PID" INT 30
status=$?
tail -4 "$TB_WORK/connect.log"
[[ $status -eq 0 ]] || tb_die "dvpn connect exited $status"
[[ $(tb_net_snapshot cl) == "$client_before" ]] && echo "the client's routes, rules, interfaces and resolv.conf are as before" ||
    tb_die "the client's network differs after disconnect"

step "Settlement on the ledger"
sleep 1
op_after=$(tb_balance "${TB_OP_ADDR[1]}")
cl_after=$(tb_balance "$TB_CLIENT_ADDR")
client_bytes=$(tb_json bytes "$TB_WORK/connect.log")
client_bytes=${client_bytes:-$bytes}
earned=$((op_after - op_before))
spent=$((cl_before - cl_after))
cost=$(tb_cost "$client_bytes" "${TB_OP_PRICE[1]}")
step_udvpn=$(tb_step "$cost" "${TB_OP_PRICE[1]}")
echo "client counted $client_bytes bytes; at ${TB_OP_PRICE[1]} DVPN/GiB that is $cost udvpn (one step: $step_udvpn udvpn)"
tb_node status --data-dir "${TB_NODE_DIR[op1]}" | head -6
echo "op1 earned $earned udvpn; the client spent $spent udvpn (fees: $((spent - earned)) udvpn), the rest of its 1 DVPN deposit came back"
diff=$((earned - cost)); diff=${diff#-}
((diff <= step_udvpn)) && echo "op1's earnings are within one step of price × bytes" || tb_die "earnings off by $diff udvpn"

step "Audit: dvpn ledger verify on every replica"
tb_nodes_down
tb_verify_replicas || tb_die "a replica failed the audit"

step "Done: cleaning up the namespaces"
