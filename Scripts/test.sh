#!/usr/bin/env bash
# Builds dvpn and runs the whole test suite. Exits non-zero when the build warns in our own code,
# when the build fails, or when any test fails. Tests that need root (network namespaces, TUN)
# run when this runs as root, as on CI, and say why they skip otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== build (debug, with tests)"
if ! swift build --build-tests 2>&1 | tee "$log"; then
    echo "test.sh: build failed" >&2
    exit 1
fi
# Our code must build without warnings (dependencies' warnings are theirs).
if grep -E "^$(pwd)/(Sources|Tests)/.*: warning:" "$log" | sort -u | grep .; then
    echo "test.sh: the build has warnings in Sources/ or Tests/ (above)" >&2
    exit 1
fi

# Three runs, one after the other. Swift Testing runs a process's tests in parallel on Swift's
# cooperative pool, which has one thread per core. On a 2-core machine the CPU-bound suites (the
# consensus simulator, fuzzers, property tests) and the suites that wait synchronously for child
# processes (the CLI and script tests) would occupy both threads, and the suites that serve or
# call HTTP and P2P in process on loopback would then time out. So each kind runs in its own
# process: in-process network suites first, then the suites that run executables and scripts,
# then the pure, CPU-bound modules.
# The two whole-network script tests (a 4-validator testnet killed 20 times; the marketplace in
# namespaces with failover) are timing-bound and start many processes each, so each gets a run of
# its own instead of sharing the 2 cores with the other script tests.
in_process='DVPNGossipTests|DVPNClientTests|DVPNNodeTests'
networks=('TestnetScriptTests' 'MarketTestbedTests')
processes='DVPNCommandsTests|DVPNTunnelPosixTests'
cpu_bound='DVPNConsensusSimulatorTests|DVPNConsensusTests|DVPNLedgerTests|DVPNCryptoTests|DVPNTunnelTests\.|DVPNPaymentsTests|DVPNContractRuntimeTests'

failed=()
runs=0
run() {
    local name=$1 filter=$2 skip=${3:-}
    echo "== test: $name"
    runs=$((runs + 1))
    set +e
    swift test --skip-build --filter "$filter" ${skip:+--skip "$skip"} 2>&1 | tee "$log"
    local status=${PIPESTATUS[0]}
    set -e
    [ "$status" -eq 0 ] || failed+=("$name (exit $status)")
}
run "in-process network suites (P2P, light client, node API)" "$in_process"
run "executables and scripts (CLI, tunnel interop, exit, crash, story)" "$processes" "$(IFS='|'; echo "${networks[*]}")"
for suite in "${networks[@]}"; do
    run "whole networks: $suite" "DVPNCommandsTests.$suite"
done
run "CPU-bound suites (consensus, ledger, crypto, tunnel core, payments, contracts)" "$cpu_bound"

if [ ${#failed[@]} -ne 0 ]; then
    echo "test.sh: tests failed: ${failed[*]}" >&2
    exit 1
fi
echo "test.sh: all $runs runs passed"
