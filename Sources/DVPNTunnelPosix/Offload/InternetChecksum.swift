/// The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of
/// the data as big-endian 16-bit words.
///
/// Needed because with TUN offloads the kernel leaves TCP checksums for us to finish: it hands
/// over large segments whose pieces need their own checksums, and packets marked
/// `NEEDS_CSUM`. RFC 1071 §2(B): the sum is independent of byte order, so it is accumulated from
/// native 32-bit loads into 64 bits (no carry handling in the loop) and swapped once at the end.
enum InternetChecksum {
    /// Adds `bytes` to `sum` (a running sum in native byte order). `bytes` must start at an even
    /// offset of the checksummed data.
    @inline(__always)
    static func add(_ bytes: UnsafeRawBufferPointer, to sum: inout UInt64) {
        var i = 0
        let n = bytes.count
        var acc = sum
        while i + 16 <= n {
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt32.self))
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self))
            i += 16
        }
        while i + 4 <= n {
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            i += 4
        }
        if i + 2 <= n {
            acc &+= UInt64(bytes.loadUnaligned(fromByteOffset: i, as: UInt16.self))
            i += 2
        }
        if i < n {
            // A trailing odd byte is the high byte of a big-endian word whose low byte is zero.
            acc &+= UInt64(checksumWord: UInt16(bytes[i]) << 8)
        }
        sum = acc
    }

    /// Adds a 16-bit value given as a number (a length, a protocol number) to `sum`.
    @inline(__always)
    static func add(word: UInt16, to sum: inout UInt64) {
        sum &+= UInt64(checksumWord: word)
    }

    /// The checksum to store (as a number; write it big-endian).
    @inline(__always)
    static func finish(_ sum: UInt64) -> UInt16 {
        var s = sum
        s = (s & 0xFFFF_FFFF) &+ (s >> 32)
        s = (s & 0xFFFF_FFFF) &+ (s >> 32)
        s = (s & 0xFFFF) &+ (s >> 16)
        s = (s & 0xFFFF) &+ (s >> 16)
        let native = UInt16(truncatingIfNeeded: s)
        // The sum was taken over native-order words: bring it back to big-endian order.
        return ~UInt16(bigEndian: native)
    }

    /// The checksum of `bytes` alone.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var sum: UInt64 = 0
        add(bytes, to: &sum)
        return finish(sum)
    }
}

extension UInt64 {
    /// A 16-bit word (a number, as it would be written big-endian) as it contributes to a
    /// native-order checksum sum.
    @inline(__always)
    init(checksumWord word: UInt16) {
        self = UInt64(UInt16(bigEndian: word))
    }
}
