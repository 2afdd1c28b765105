import Foundation
internal import CSodium

/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Lengths are public: different lengths compare
    /// unequal at once. Uses libsodium's `sodium_memcmp`.
    public static func equals(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        _ = Sodium.ready
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                guard pa.count == pb.count else { return false }
                if pa.count == 0 { return true }
                return sodium_memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0
            }
        }
    }

    /// True when every byte of `a` is zero, in time independent of the contents.
    public static func isZero(_ a: some ContiguousBytes) -> Bool {
        _ = Sodium.ready
        return a.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return true }
            return sodium_is_zero(base.assumingMemoryBound(to: UInt8.self), p.count) == 1
        }
    }
}

/// Overwrites memory in a way the compiler will not optimise away.
public enum SecureZero {
    public static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Zeroes an array's storage in place (the array keeps its length).
    public static func zero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { zero($0) }
    }
}
