#!/usr/bin/env bash
# Real-process acceptance of the ledger network (issue 7, "Real processes on loopback").
#
# A 4-validator testnet from `dvpn-node testnet` on 127.0.0.1, every node its own process:
#   1. transfers submitted to different nodes' APIs all commit (every node reports each one
#      committed, at the same height);
#   2. SIGKILL one validator: blocks keep committing (3 of 4 = 30/40 > 2/3 of the power);
#   3. SIGSTOP a second: commits stop (2 of 4 live); the height must not move for STALL seconds,
#      several rounds of consensus timeouts;
#   4. SIGCONT: commits resume;
#   5. restart the killed one: it catches up by block sync;
#   6. SIGKILL a random validator ROUNDS times (default 20), restarting it each time, while four
#      senders keep sending transfers through all four APIs; afterwards every transaction any
#      API reported committed is committed at that height on every node;
#   7. all nodes stopped: every data directory passes `dvpn ledger verify`, and all replicas
#      have the same block hash at the highest common height (so at every lower one: each
#      verified block names its predecessor's hash), which `dvpn ledger show HEIGHT --data-dir`
#      reads offline; no block holds equivocation evidence (every validator here is honest).
# TestnetScriptTests runs it with WORK=DIR and then reads the replicas itself: the block hash at
# every common height, and every stored commit across nodes for two conflicting votes of one
# validator (those checks need the canonical types, so they are Swift, not shell).
#
# Bounded (DEADLINE seconds, default 300); every process it started is killed on exit, also on
# failure; the data is removed unless WORK was given (then the caller removes it).
#
#   Scripts/test/testnet.sh [ROUNDS]   # BIN=<dir with dvpn, dvpn-node>, else builds debug
#   env: WORK=DIR (keep the network there), STALL=SECONDS (default 12), DEADLINE=SECONDS
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=${1:-20}
stall=${STALL:-12}
deadline=$((SECONDS + ${DEADLINE:-300}))
if [ -z "${BIN:-}" ]; then
    swift build --product dvpn >/dev/null
    swift build --product dvpn-node >/dev/null
    BIN=$(swift build --show-bin-path)
fi
dvpn="$BIN/dvpn"
node="$BIN/dvpn-node"
validators=4

if [ -n "${WORK:-}" ]; then
    work=$WORK
    keep=1
    mkdir -p "$work"
else
    work=$(mktemp -d)
    keep=0
fi
net="$work/net"
pids=("" "" "" "")
senders=()
stop_process() { # pid signal
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -CONT "$pid" 2>/dev/null || true # a stopped process only acts on TERM once continued
    kill "-$2" "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    rm -f "$work/flowing"
    for pid in "${senders[@]}"; do stop_process "$pid" TERM; done
    for pid in "${pids[@]}"; do [ -n "$pid" ] && stop_process "$pid" KILL; done
    [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "testnet.sh: $*"; }
fail() {
    echo "testnet.sh: FAIL: $*" >&2
    for i in $(seq 0 $((validators - 1))); do
        echo "--- node$i.log (last 15 lines)" >&2
        tail -n 15 "$work/node$i.log" >&2 2>/dev/null || true
    done
    exit 1
}
check_deadline() { [ "$SECONDS" -lt "$deadline" ] || fail "did not finish within ${DEADLINE:-300} s"; }

# Eight consecutive free loopback ports (node i: P2P on base+2i, API on base+2i+1).
base=$(python3 - <<'EOF'
import random, socket
for _ in range(200):
    base = random.randrange(20000, 40000, 2)
    sockets = []
    try:
        for port in range(base, base + 8):
            s = socket.socket(); s.bind(("127.0.0.1", port)); sockets.append(s)
        print(base); break
    except OSError:
        pass
    finally:
        for s in sockets: s.close()
EOF
)
[ -n "$base" ] || fail "no eight consecutive free ports"
api() { echo "http://127.0.0.1:$((base + 2 * $1 + 1))"; }

height_of() { # node -> latest height, or empty when it does not answer within 2 s
    curl -sf --max-time 2 "$(api "$1")/v1/status" 2>/dev/null | jq -r '.latestHeight // empty' 2>/dev/null || true
}
max_height() { # nodes... -> the highest height any of them reports
    local best=0 h
    for i in "$@"; do h=$(height_of "$i"); [ -n "$h" ] && [ "$h" -gt "$best" ] && best=$h; done
    echo "$best"
}

start_node() { # i
    local i=$1
    "$node" serve --data-dir "$net/node$i" >>"$work/node$i.log" 2>&1 &
    pids[i]=$!
    for _ in $(seq 300); do
        [ -n "$(height_of "$i")" ] && return 0
        kill -0 "${pids[i]}" 2>/dev/null || fail "node$i exited while starting"
        sleep 0.1
    done
    fail "node$i did not serve within 30 s of starting"
}

kill_node() { # i
    kill -KILL "${pids[$1]}" 2>/dev/null || true
    wait "${pids[$1]}" 2>/dev/null || true
    pids[$1]=""
}

wait_height() { # node target seconds what
    local i=$1 target=$2 limit=$((SECONDS + $3)) h
    while [ "$SECONDS" -lt "$limit" ]; do
        h=$(height_of "$i")
        [ -n "$h" ] && [ "$h" -ge "$target" ] && return 0
        sleep 0.2
    done
    fail "$4: node$i is at height ${h:-?} after $3 s, expected at least $target"
}

address_of() { "$dvpn" keys show --key-file "$1" --json | jq -r .address; }

# transfer KEY TO NODE -> "hash height" on stdout when the API reported it committed.
transfer() {
    local out
    out=$(timeout 20 "$dvpn" transfer "$2" 0.000001 --node "$(api "$3")" --key-file "$1" --json 2>>"$work/transfer-errors") || return 1
    printf '%s' "$out" | jq -r 'select(.height != null) | "\(.hash) \(.height)"'
}

# A sender: one key, each transfer through the next node's API; logs every transfer an API
# reported committed. Failures (a node down, a nonce raced a crash) are expected: skip.
send_loop() { # key first-node log
    local i=$2 line
    while [ -f "$work/flowing" ]; do
        if line=$(transfer "$1" "$sink" "$i") && [ -n "$line" ]; then
            echo "$line" >>"$3"
        else
            sleep 0.1
        fi
        i=$(((i + 1) % validators))
    done
}

# ---------------------------------------------------------------------------------------------
say "writing a $validators-validator testnet to $net (ports $base-$((base + 7)))"
"$node" testnet --validators "$validators" --out "$net" --base-port "$base" --insecure-no-passphrase >"$work/testnet.log" 2>&1 \
    || { cat "$work/testnet.log" >&2; fail "dvpn-node testnet failed"; }
for i in $(seq 0 $((validators - 1))); do start_node "$i"; done
wait_height 0 2 60 "first blocks"
say "all $validators validators serve; height $(height_of 0)"

# 1. Transfers submitted to different nodes' APIs all commit.
"$dvpn" keys new --key-file "$work/sink.key" --insecure-no-passphrase >/dev/null
sink=$(address_of "$work/sink.key")
: >"$work/committed-setup"
for i in $(seq 0 $((validators - 1))); do
    "$dvpn" keys new --key-file "$work/sender$i.key" --insecure-no-passphrase >/dev/null
    # The dev account's next nonce, as node i sees it, must count the previous transfer: wait
    # until node i has the block that holds it.
    if [ -s "$work/committed-setup" ]; then wait_height "$i" "$(tail -n 1 "$work/committed-setup" | cut -d' ' -f2)" 30 "setup"; fi
    out=$(timeout 30 "$dvpn" transfer "$(address_of "$work/sender$i.key")" 1000 --node "$(api "$i")" \
        --key-file "$net/dev-account.key" --json) || fail "funding transfer through node$i did not commit"
    printf '%s' "$out" | jq -r '"\(.hash) \(.height)"' >>"$work/committed-setup"
done
# Four senders at once, each through another node.
setup_pids=()
for i in $(seq 0 $((validators - 1))); do
    transfer "$work/sender$i.key" "$sink" "$(((i + 1) % validators))" >"$work/committed-parallel-$i" &
    setup_pids+=($!)
done
for i in $(seq 0 $((validators - 1))); do
    wait "${setup_pids[i]}" || fail "the transfer of sender$i through node$(((i + 1) % validators)) did not commit"
    cat "$work/committed-parallel-$i" >>"$work/committed-setup"
done

# Every node reports every one of them committed, at the height the submitting API named.
check_committed() { # file -> number missing (details on stderr)
    local missing=0 hash height i out
    while read -r hash height; do
        for i in $(seq 0 $((validators - 1))); do
            out=$(curl -sf --max-time 5 "$(api "$i")/v1/transactions/$hash" || echo '{}')
            if [ "$(printf '%s' "$out" | jq -r '"\(.status) \(.height)"')" != "committed $height" ]; then
                echo "  $hash: committed at height $height, node$i says: $out" >&2
                missing=$((missing + 1))
            fi
        done
    done <"$1"
    echo "$missing"
}
top=$(max_height 0 1 2 3)
for i in $(seq 0 $((validators - 1))); do wait_height "$i" "$top" 30 "propagation"; done
[ "$(check_committed "$work/committed-setup")" -eq 0 ] || fail "a transfer submitted to one node is not committed on all"
say "step 1: $(wc -l <"$work/committed-setup") transfers submitted to 4 different APIs committed on every node"
check_deadline

# 2. SIGKILL node3: the other three keep committing.
kill_node 3
h=$(max_height 0 1 2)
wait_height 0 $((h + 3)) 40 "after killing node3"
say "step 2: node3 killed (SIGKILL); blocks keep committing (height $(height_of 0))"

# 3. SIGSTOP node2: two of four live, commits stop.
kill -STOP "${pids[2]}"
sleep 3 # a block already decided may still be applied
stopped_at=$(max_height 0 1)
sleep "$stall"
now=$(max_height 0 1)
[ "$now" -eq "$stopped_at" ] || fail "with two of four validators live the height moved from $stopped_at to $now"
say "step 3: node2 stopped (SIGSTOP); the height stayed at $stopped_at for $stall s"

# 4. SIGCONT: commits resume.
kill -CONT "${pids[2]}"
wait_height 0 $((stopped_at + 2)) 60 "after SIGCONT"
say "step 4: node2 continued (SIGCONT); commits resume (height $(height_of 0))"
check_deadline

# 5. Restart node3: it catches up by block sync.
start_node 3
target=$(max_height 0 1 2)
wait_height 3 "$target" 60 "block sync of the restarted node3"
say "step 5: node3 restarted at height $(height_of 3) (the others were at $target)"
check_deadline

# 6. Random SIGKILLs with restarts while transfers flow.
touch "$work/flowing"
for i in $(seq 0 $((validators - 1))); do
    send_loop "$work/sender$i.key" "$i" "$work/committed-flow-$i" &
    senders+=($!)
done
for round in $(seq "$rounds"); do
    check_deadline
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + (r % 120) / 100 }')"
    victim=$((RANDOM % validators))
    kill_node "$victim"
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.2 + (r % 80) / 100 }')"
    start_node "$victim"
    others=()
    for i in $(seq 0 $((validators - 1))); do [ "$i" -ne "$victim" ] && others+=("$i"); done
    wait_height "$victim" "$(max_height "${others[@]}")" 60 "round $round: catch-up"
    say "round $round/$rounds: killed and restarted node$victim; it caught up at height $(height_of "$victim")"
done
sleep 2
rm -f "$work/flowing"
for pid in "${senders[@]}"; do wait "$pid" 2>/dev/null || true; done
senders=()
check_deadline

cat "$work"/committed-* | sort -u >"$work/committed"
flowed=$(cat "$work"/committed-flow-* 2>/dev/null | wc -l)
[ "$flowed" -gt 0 ] || fail "no transfer was committed while validators were being killed"
top=$(max_height 0 1 2 3)
h=$(max_height 0 1 2 3)
wait_height 0 $((h + 1)) 30 "after the kills"
for i in $(seq 0 $((validators - 1))); do wait_height "$i" "$top" 30 "final propagation"; done
total=$(wc -l <"$work/committed")
missing=$(check_committed "$work/committed")
[ "$missing" -eq 0 ] || fail "$missing lookups of $total committed transactions failed after $rounds kills"
say "step 6: $rounds kills; all $total transactions reported committed ($flowed during the kills) are committed on every node"

# 7. Stop every node; audit and compare the replicas offline.
for i in $(seq 0 $((validators - 1))); do stop_process "${pids[i]}" TERM; pids[i]=""; done
common=""
for i in $(seq 0 $((validators - 1))); do
    report=$("$dvpn" ledger verify --data-dir "$net/node$i" --json 2>>"$work/verify-$i.log") \
        || { tail -n 5 "$work/verify-$i.log" >&2; fail "dvpn ledger verify failed on node$i"; }
    last=$(printf '%s' "$report" | jq -r .lastVerifiedHeight)
    { [ -z "$common" ] || [ "$last" -lt "$common" ]; } && common=$last
done
hashes=$(for i in $(seq 0 $((validators - 1))); do "$dvpn" ledger show "$common" --data-dir "$net/node$i" --json | jq -r .hash; done | sort -u)
[ "$(printf '%s\n' "$hashes" | wc -l)" -eq 1 ] || fail "the replicas disagree on block $common: $hashes"
evidence=0
for i in $(seq 0 $((validators - 1))); do
    for height in $(seq 1 "$common"); do
        n=$("$dvpn" ledger show "$height" --data-dir "$net/node$i" --json | jq '[.transactions[] | select(.kind == "evidence")] | length')
        evidence=$((evidence + n))
    done
    break # one replica suffices: they hold the same blocks (same hash chain)
done
[ "$evidence" -eq 0 ] || fail "$evidence evidence transactions name an honest validator"
say "step 7: all $validators data directories pass dvpn ledger verify and agree on block $common ($hashes); no evidence"
say "PASS: $total committed transactions kept through $rounds kills, replicas agree up to height $common"
