#!/usr/bin/env bash
# Installs the system packages dvpn builds and tests with (Debian/Ubuntu). Idempotent.
# Swift itself is expected on PATH (swift.org toolchain).
set -euo pipefail

packages=(
    # build: the C libraries behind DVPNCrypto and the ledger store
    pkg-config libsodium-dev libsecp256k1-dev libsqlite3-dev sqlite3
    # test peers and tools: a stock WireGuard, traffic, namespaces, firewall
    wireguard-go wireguard-tools iperf3 iproute2 nftables iputils-ping netcat-openbsd procps
    # scripts and the benchmark reference (CPython's hashlib.blake2s)
    python3 ca-certificates jq
    # the marketplace testbed (Scripts/testbed.sh): HTTP client, nsenter
    curl util-linux
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} system packages present"
    exit 0
fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
