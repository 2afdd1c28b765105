internal import CSodium

/// Cryptographically secure random bytes from the operating system (libsodium's
/// `randombytes_buf`, which uses `getrandom(2)` on Linux).
public enum SecureRandom {
    /// Returns `count` fresh random bytes.
    public static func bytes(count: Int) -> [UInt8] {
        precondition(count >= 0)
        _ = Sodium.ready
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return out
    }

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        _ = Sodium.ready
        guard let base = buffer.baseAddress else { return }
        randombytes_buf(base, buffer.count)
    }

    /// A uniformly random integer in `0..<upperBound` (no modulo bias), for jitter and sampling.
    public static func uniform(_ upperBound: UInt32) -> UInt32 {
        _ = Sodium.ready
        return randombytes_uniform(upperBound)
    }

    /// The same operating-system generator as a `RandomNumberGenerator`, for cores that take their
    /// randomness as a parameter (so that tests can pass a seeded one instead).
    public struct Generator: RandomNumberGenerator, Sendable {
        public init() {}

        public mutating func next() -> UInt64 {
            var value: UInt64 = 0
            withUnsafeMutableBytes(of: &value) { SecureRandom.fill($0) }
            return value
        }
    }
}
