/// The BLAKE2s compression function F (RFC 7693 §3.2), fully unrolled.
///
/// Why scalar and not `SIMD4<UInt32>` rows: measured on x86-64 with the baseline instruction set
/// (SSE2, no vector rotate), the row-wise form is latency-bound and ran at under half the speed of
/// this one, where the four independent G chains of each half-round keep the integer units busy
/// and every rotation is a single `rol`. All arithmetic is wrapping (`&+`), the sixteen working
/// words live in a tuple the optimiser keeps in registers, and the message schedule SIGMA is
/// passed as literal arguments so each round compiles to straight-line code.
extension BLAKE2s {
    /// Compresses one 64-byte block at `block` into `h`. `byteCounter` is `t` (bytes so far,
    /// including this block); `isLast` sets the final-block flag `f0`.
    static func compress(_ h: inout SIMD8<UInt32>, block: UnsafeRawPointer, byteCounter: UInt64, isLast: Bool) {
        let m = loadMessage(block)
        // The IV is spelled out (rather than read from `BLAKE2s.iv`) so that it is an immediate
        // operand and not a lazily initialised global.
        var v: Words = (
            h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
            0x6A09_E667, 0xBB67_AE85, 0x3C6E_F372, 0xA54F_F53A,
            0x510E_527F ^ UInt32(truncatingIfNeeded: byteCounter),
            0x9B05_688C ^ UInt32(truncatingIfNeeded: byteCounter >> 32),
            0x1F83_D9AB ^ (isLast ? ~0 : 0),
            0x5BE0_CD19
        )
        // SIGMA, RFC 7693 §2.7: one line per round (BLAKE2s has ten).
        round(&v, m, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        round(&v, m, 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3)
        round(&v, m, 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4)
        round(&v, m, 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8)
        round(&v, m, 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13)
        round(&v, m, 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9)
        round(&v, m, 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11)
        round(&v, m, 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10)
        round(&v, m, 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5)
        round(&v, m, 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0)
        h[0] ^= v.0 ^ v.8
        h[1] ^= v.1 ^ v.9
        h[2] ^= v.2 ^ v.10
        h[3] ^= v.3 ^ v.11
        h[4] ^= v.4 ^ v.12
        h[5] ^= v.5 ^ v.13
        h[6] ^= v.6 ^ v.14
        h[7] ^= v.7 ^ v.15
    }

    /// The sixteen little-endian message words of a block (RFC 7693 §2.4).
    @inline(__always)
    private static func loadMessage(_ block: UnsafeRawPointer) -> SIMD16<UInt32> {
        let raw = block.loadUnaligned(as: SIMD16<UInt32>.self)
        #if _endian(little)
        return raw
        #else
        var m = raw
        for i in m.indices { m[i] = m[i].byteSwapped }
        return m
        #endif
    }

    /// The working vector `v[0..15]` of RFC 7693 §3.2.
    typealias Words = (
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
    )

    /// One round: G on the four columns, then on the four diagonals, with message words picked by
    /// this round's SIGMA row `s0…s15`.
    @inline(__always)
    private static func round(
        _ v: inout Words, _ m: SIMD16<UInt32>,
        _ s0: Int, _ s1: Int, _ s2: Int, _ s3: Int, _ s4: Int, _ s5: Int, _ s6: Int, _ s7: Int,
        _ s8: Int, _ s9: Int, _ s10: Int, _ s11: Int, _ s12: Int, _ s13: Int, _ s14: Int, _ s15: Int
    ) {
        mix(&v.0, &v.4, &v.8, &v.12, m[s0], m[s1])
        mix(&v.1, &v.5, &v.9, &v.13, m[s2], m[s3])
        mix(&v.2, &v.6, &v.10, &v.14, m[s4], m[s5])
        mix(&v.3, &v.7, &v.11, &v.15, m[s6], m[s7])
        mix(&v.0, &v.5, &v.10, &v.15, m[s8], m[s9])
        mix(&v.1, &v.6, &v.11, &v.12, m[s10], m[s11])
        mix(&v.2, &v.7, &v.8, &v.13, m[s12], m[s13])
        mix(&v.3, &v.4, &v.9, &v.14, m[s14], m[s15])
    }

    /// The mixing function G (RFC 7693 §3.1) with BLAKE2s's rotations R1…R4 = 16, 12, 8, 7.
    /// `a + x + b` rather than the RFC's `a + b + x`: the message word is ready early and `b` is
    /// the last value computed, so adding it last takes one add off the critical path.
    @inline(__always)
    private static func mix(
        _ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32, _ x: UInt32, _ y: UInt32
    ) {
        a = a &+ x &+ b
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 12)
        a = a &+ y &+ b
        d = rotateRight(d ^ a, 8)
        c = c &+ d
        b = rotateRight(b ^ c, 7)
    }

    @inline(__always)
    private static func rotateRight(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x &>> n) | (x &<< (32 &- n))
    }
}
