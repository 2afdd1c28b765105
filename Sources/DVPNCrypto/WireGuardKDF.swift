import Foundation

/// The key derivation function of the WireGuard whitepaper §5.4 (HKDF, RFC 5869, over
/// HMAC-BLAKE2s, with an empty `info` and the chaining key as salt):
///
///     τ0 = HMAC(C, input)
///     τ1 = HMAC(τ0, 0x1)
///     τi = HMAC(τ0, τ(i-1) ‖ i)
///
/// `KDF_n` returns `(τ1, …, τn)`. Every output is a secret (chaining keys, transport keys), so each
/// comes back as `SecureBytes`, and the intermediates (`τ0` and the working copies of `τi`) live in
/// one scratch buffer on the stack that is zeroed before returning.
public enum WireGuardKDF {
    /// The length of each output, BLAKE2s-256's digest.
    public static let byteCount = HMACBLAKE2s.byteCount

    /// `KDF_1(C, input)`: the new chaining key when mixing a value in (`MixKey`).
    public static func kdf1(chainingKey: some ContiguousBytes, input: some ContiguousBytes) -> SecureBytes {
        derive(chainingKey: chainingKey, input: input, count: 1)[0]
    }

    /// `KDF_2(C, input)`: for example the chaining key and the sending/receiving keys split.
    public static func kdf2(
        chainingKey: some ContiguousBytes, input: some ContiguousBytes
    ) -> (SecureBytes, SecureBytes) {
        let out = derive(chainingKey: chainingKey, input: input, count: 2)
        return (out[0], out[1])
    }

    /// `KDF_3(C, input)`: used once per handshake to mix in the pre-shared key (`C, τ, k`).
    public static func kdf3(
        chainingKey: some ContiguousBytes, input: some ContiguousBytes
    ) -> (SecureBytes, SecureBytes, SecureBytes) {
        let out = derive(chainingKey: chainingKey, input: input, count: 3)
        return (out[0], out[1], out[2])
    }

    /// τ1…τn. The scratch buffer holds τ0 then τ1…τn, 32 bytes each.
    private static func derive(
        chainingKey: some ContiguousBytes, input: some ContiguousBytes, count: Int
    ) -> [SecureBytes] {
        precondition((1...3).contains(count))
        return withUnsafeTemporaryAllocation(byteCount: byteCount * 4, alignment: 16) { scratch in
            func tau(_ i: Int) -> UnsafeMutableRawBufferPointer {
                UnsafeMutableRawBufferPointer(rebasing: scratch[(i * byteCount)..<((i + 1) * byteCount)])
            }
            defer { SecureZero.zero(scratch) }

            var extract = chainingKey.withUnsafeBytes { HMACBLAKE2s.Context(key: $0) }
            input.withUnsafeBytes { extract.update($0) }
            extract.finalize(into: tau(0))

            for i in 1...count {
                var expand = HMACBLAKE2s.Context(key: UnsafeRawBufferPointer(tau(0)))
                if i > 1 { expand.update(UnsafeRawBufferPointer(tau(i - 1))) }
                withUnsafeBytes(of: UInt8(i)) { expand.update($0) }
                expand.finalize(into: tau(i))
            }
            return (1...count).map { i in
                SecureBytes(count: byteCount) { $0.copyMemory(from: UnsafeRawBufferPointer(tau(i))) }
            }
        }
    }
}
