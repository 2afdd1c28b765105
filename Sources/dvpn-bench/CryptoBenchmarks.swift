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
    /// The key of the reference measurement for this row (`blake2s/<size>`), if there is one.
    let referenceKey: String?
    /// Performs `n` operations and returns a witness of their outputs.
    let run: (Int) -> UInt64
}

/// The rows: BLAKE2s per buffer size (with a reference), then the libsodium-backed primitives.
/// A row is a name, a unit and a loop; Schnorr sign/verify rows go at the end of `cases` the same
/// way once `Schnorr` is in DVPNCrypto.
enum CryptoBenchmarks {
    static func cases(blake2sSizes: [Int]) -> [Benchmark] {
        blake2sSizes.map(blake2s) + [chaChaPolySeal(packetBytes: 1420), x25519SharedSecret()]
    }

    /// BLAKE2s-256 of a whole buffer per operation, through the public one-shot API (as the
    /// reference is timed through `hashlib.blake2s(buffer).digest()`).
    static func blake2s(size: Int) -> Benchmark {
        let buffer = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        return Benchmark(name: "BLAKE2s-256, \(ByteCount.text(size))", unit: .bytes(size), referenceKey: "blake2s/\(size)") { n in
            var witness: UInt64 = 0
            for _ in 0..<n { witness &+= UInt64(BLAKE2s.hash(buffer)[0]) }
            return witness
        }
    }

    /// ChaCha20-Poly1305 seal of one WireGuard data packet (a 1420-byte MTU payload), in place with
    /// a per-packet counter nonce, as the data plane does it.
    static func chaChaPolySeal(packetBytes: Int) -> Benchmark {
        Benchmark(name: "ChaCha20-Poly1305 seal, \(packetBytes) B packets", unit: .bytes(packetBytes), referenceKey: nil) { n in
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
        return Benchmark(name: "X25519 shared secret", unit: .operations, referenceKey: nil) { n in
            var witness: UInt64 = 0
            for _ in 0..<n {
                guard let shared = try? ours.sharedSecret(with: peer) else { continue }
                witness &+= UInt64(shared.withUnsafeBytes { $0[0] })
            }
            return witness
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
