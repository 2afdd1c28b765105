import Foundation
internal import CSodium

/// SHA-256 (FIPS 180-4) from libsodium. The ledger hashes blocks, transactions and state with it,
/// and BIP340 builds its tagged hashes on it.
public struct SHA256: Sendable {
    public static let byteCount = 32

    private var state = crypto_hash_sha256_state()

    public init() {
        _ = Sodium.ready
        crypto_hash_sha256_init(&state)
    }

    public mutating func update(_ data: some ContiguousBytes) {
        data.withUnsafeBytes { d in
            _ = crypto_hash_sha256_update(&state, d.bytes, UInt64(d.count))
        }
    }

    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: SHA256.byteCount)
        out.withUnsafeMutableBytes { _ = crypto_hash_sha256_final(&state, $0.bytes) }
        return out
    }

    /// SHA-256 of `data` in one call.
    public static func hash(_ data: some ContiguousBytes) -> [UInt8] {
        var h = SHA256()
        h.update(data)
        return h.finalize()
    }

    /// BIP340's tagged hash: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ parts…). Domain-separates every
    /// hash the ledger computes so that a hash of one kind can never be taken for another.
    public static func tagged(_ tag: String, _ parts: [UInt8]...) -> [UInt8] {
        let tagHash = hash(Array(tag.utf8))
        var h = SHA256()
        h.update(tagHash)
        h.update(tagHash)
        for part in parts { h.update(part) }
        return h.finalize()
    }
}
