import DVPNCrypto

/// One row of the crypto benchmark.
struct Benchmark {
    enum Unit {
        /// Throughput: each operation processes this many bytes.
        case bytes(Int)
        /// Operations per second.
        case operations
    }

    let name: String
    let unit: Unit
    /// What the reference command is asked to measure for this row (`blake2s <size>`), if it can.
    let referenceArguments: String?
    /// Performs `n` operations and returns a witness of their outputs. Throws when a primitive
    /// fails, which ends the benchmark with that error.
    let run: (Int) throws -> UInt64
}

/// The rows: BLAKE2s per buffer size (with a reference), then the libsodium- and
/// libsecp256k1-backed primitives. A row is a name, a unit and a loop.
enum CryptoBenchmarks {
    static func cases(blake2sSizes: [Int]) throws -> [Benchmark] {
        blake2sSizes.map(blake2s)
            + [chaChaPolySeal(packetBytes: 1420), x25519SharedSecret(), schnorrSign(), try schnorrVerify()]
    }

    /// BLAKE2s-256 of a whole buffer per operation, through the public one-shot API (as the
    /// reference is timed through `hashlib.blake2s(buffer).digest()`).
    static func blake2s(size: Int) -> Benchmark {
        let buffer = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        return Benchmark(name: "BLAKE2s-256, \(ByteCount.text(size))", unit: .bytes(size), referenceArguments: "blake2s \(size)") { n in
            var witness: UInt64 = 0
            for _ in 0..<n { witness &+= UInt64(BLAKE2s.hash(buffer)[0]) }
            return witness
        }
    }

    /// ChaCha20-Poly1305 seal of one WireGuard data packet (a 1420-byte MTU payload), in place with
    /// a per-packet counter nonce, as the data plane does it.
    static func chaChaPolySeal(packetBytes: Int) -> Benchmark {
        Benchmark(name: "ChaCha20-Poly1305 seal, \(packetBytes) B packets", unit: .bytes(packetBytes), referenceArguments: nil) { n in
            let key = SecureRandom.bytes(count: ChaChaPoly.keyByteCount)
            let packet = UnsafeMutableRawBufferPointer.allocate(
                byteCount: packetBytes + ChaChaPoly.tagByteCount, alignment: 16)
            defer { packet.deallocate() }
            packet.initializeMemory(as: UInt8.self, repeating: 0x5A)
            var witness: UInt64 = 0
            key.withUnsafeBytes { key in
                for counter in 0..<UInt64(n) {
                    let sealed = ChaChaPoly.sealInPlace(packet, plaintextCount: packetBytes, key: key, counter: counter)
                    witness &+= UInt64(sealed) &+ UInt64(packet[packetBytes])
                }
            }
            return witness
        }
    }

    /// X25519 shared secret with a fixed peer (one scalar multiplication and the all-zero check).
    static func x25519SharedSecret() -> Benchmark {
        let ours = X25519.PrivateKey()
        let peer = X25519.PrivateKey().publicKey
        return Benchmark(name: "X25519 shared secret", unit: .operations, referenceArguments: nil) { n in
            var witness: UInt64 = 0
            for _ in 0..<n {
                let shared = try ours.sharedSecret(with: peer)
                witness &+= UInt64(shared.withUnsafeBytes { $0[0] })
            }
            return witness
        }
    }
}

/// What the ledger signs: a 32-byte message stands in for a transaction or voucher digest.
private let schnorrMessage = SHA256.hash(Array("dvpn benchmark message".utf8))

extension CryptoBenchmarks {
    /// BIP340 signing with fresh auxiliary randomness, as the ledger and vouchers sign (the API
    /// verifies each new signature before returning it, as BIP340 recommends).
    static func schnorrSign() -> Benchmark {
        let key = Schnorr.PrivateKey()
        return Benchmark(name: "Schnorr (BIP340) sign", unit: .operations, referenceArguments: nil) { n in
            var witness: UInt64 = 0
            for _ in 0..<n {
                witness &+= UInt64(try key.signature(for: schnorrMessage).rawRepresentation[0])
            }
            return witness
        }
    }

    /// BIP340 verification of a valid signature.
    static func schnorrVerify() throws -> Benchmark {
        let key = Schnorr.PrivateKey()
        let signature = try key.signature(for: schnorrMessage)
        return Benchmark(name: "Schnorr (BIP340) verify", unit: .operations, referenceArguments: nil) { n in
            var valid: UInt64 = 0
            for _ in 0..<n where key.publicKey.isValidSignature(signature, for: schnorrMessage) {
                valid &+= 1
            }
            return valid
        }
    }
}

/// Byte counts for people: 64 B, 1 KiB, 1 MiB.
enum ByteCount {
    static func text(_ count: Int) -> String {
        if count >= 1 << 20, count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10, count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) B"
    }
}
