#!/usr/bin/env bash
# Builds the ledger's contracts (Contracts/registry, Contracts/channels) to wasm32 with the Swift
# toolchain's own Embedded Swift WebAssembly support, reproducibly.
#
#   Scripts/build-contracts.sh [OUTPUT_DIR]     (default: Contracts/build)
#
# Writes OUTPUT_DIR/{registry,channels}.wasm, OUTPUT_DIR/SHA256SUMS and OUTPUT_DIR/TOOLCHAIN (the
# compiler that produced them). The same sources and the same toolchain give the same bytes:
# sources are passed by relative path, no debug info is emitted, and wasm-ld strips names, so no
# path, time or host detail reaches the output. An auditor reruns this script and compares the
# hashes with the ones genesis pins.
#
# Exit status: 0 built; 1 a step failed; 77 this toolchain cannot target wasm32 (callers skip).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/Contracts/build}"
mkdir -p "$output"
output="$(cd "$output" && pwd)"

swiftc="$(command -v swiftc || true)"
if [[ -z "$swiftc" ]]; then
    echo "build-contracts: swiftc not found" >&2
    exit 77
fi
bin="$(dirname "$(readlink -f "$swiftc")")"
clang="$bin/clang"
wasm_ld="$bin/wasm-ld"
objdump="$bin/llvm-objdump"
embedded_stdlib="$bin/../lib/swift/embedded/wasm32-unknown-none-wasm"
for tool in "$clang" "$wasm_ld" "$objdump"; do
    if [[ ! -x "$tool" ]]; then
        echo "build-contracts: $tool is missing from the toolchain" >&2
        exit 77
    fi
done
if [[ ! -d "$embedded_stdlib" ]]; then
    echo "build-contracts: the toolchain has no Embedded Swift standard library for wasm32" >&2
    exit 77
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Build in the scratch directory from copies, with relative paths only: the Swift frontend stores
# a hash of the module and its options (including the output path) in a `.swift_modhash` data
# segment, so the paths must be the same on every run for the bytes to be.
cp -R "$root/Contracts/shared" "$root/Contracts/registry" "$root/Contracts/channels" "$scratch/"
cd "$scratch"

swift_flags=(
    -target wasm32-unknown-none-wasm
    -enable-experimental-feature Embedded
    -enable-experimental-feature Extern
    -Xfrontend -disable-stack-protector
    -wmo -Osize -parse-as-library
    -gnone
)
# 16 pages (1 MiB) of memory at most, 64 KiB of stack placed first so an overflow traps instead of
# running into data; no names in the output.
link_flags=(
    --no-entry --strip-all --stack-first
    -z stack-size=65536
    --max-memory=1048576
)

"$clang" --target=wasm32-unknown-unknown -Os -ffreestanding -nostdlib -g0 \
    -c shared/memory.c -o memory.o

for contract in registry channels; do
    "$swiftc" "${swift_flags[@]}" -module-name "$contract" \
        shared/ABI.swift "$contract"/*.swift -c -o "$contract.o"
    "$wasm_ld" "${link_flags[@]}" "$contract.o" memory.o -o "$contract.wasm"
    # No floating point may reach the ledger (the runtime rejects it at load; fail here first).
    # llvm-objdump labels the untyped `select` (0x1b) "f32.select"; that one is not a float operation.
    if "$objdump" -d "$contract.wasm" | grep -E '\bf(32|64)\.' | grep -v 'f32\.select' >&2; then
        echo "build-contracts: $contract.wasm contains floating-point instructions" >&2
        exit 1
    fi
    cp "$contract.wasm" "$output/$contract.wasm"
done

cd "$output"
sha256sum registry.wasm channels.wasm > SHA256SUMS
"$swiftc" --version 2>/dev/null | head -n 1 > TOOLCHAIN
cat SHA256SUMS
