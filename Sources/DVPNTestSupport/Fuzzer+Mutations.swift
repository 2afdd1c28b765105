/// The mutations `Fuzzer` applies to seeds: the byte-level operators of AFL and libFuzzer, plus one
/// aimed at length-prefixed formats, which overwrites a 4-byte window with a big-endian value a
/// length or count field could hold (0, 1, the bytes that remain, one more or less, 2^31, 2^32 − 1…).
extension Fuzzer {
    /// `input` changed by one randomly chosen mutation. `seeds` supplies the other half of a splice.
    public mutating func mutate(_ input: [UInt8], seeds: [[UInt8]]) -> [UInt8] {
        var bytes = input
        // Mutations that need bytes to work on fall back to inserting some.
        let choice = bytes.isEmpty ? 2 : next(below: 9)
        switch choice {
        case 0: flipBit(&bytes)
        case 1: bytes[next(below: bytes.count)] = interestingByte()
        case 2: bytes.insert(contentsOf: self.bytes(count: 1 + next(below: 8)), at: next(below: bytes.count + 1))
        case 3: deleteRange(&bytes)
        case 4: bytes.removeLast(1 + next(below: bytes.count))
        case 5: duplicateRange(&bytes)
        case 6: bytes = splice(bytes, with: seeds.isEmpty ? randomInput() : seeds[next(below: seeds.count)])
        case 7: bytes.append(contentsOf: self.bytes(count: 1 + next(below: 4)))
        default: setLengthWindow(&bytes)
        }
        return bytes
    }

    private mutating func flipBit(_ bytes: inout [UInt8]) {
        bytes[next(below: bytes.count)] ^= 1 << UInt8(next(below: 8))
    }

    /// A byte that tends to sit on a boundary: tags 0, 1 and 2, signed and unsigned extremes, or
    /// any byte.
    private mutating func interestingByte() -> UInt8 {
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xC0, 0xED, 0xF4, 0xFF]
        return oneIn(2) ? interesting[next(below: interesting.count)] : UInt8(truncatingIfNeeded: next())
    }

    private mutating func deleteRange(_ bytes: inout [UInt8]) {
        let start = next(below: bytes.count)
        let length = 1 + next(below: Swift.min(8, bytes.count - start))
        bytes.removeSubrange(start..<start + length)
    }

    /// Copies a range of the input and inserts the copy somewhere else in it.
    private mutating func duplicateRange(_ bytes: inout [UInt8]) {
        let start = next(below: bytes.count)
        let length = 1 + next(below: Swift.min(16, bytes.count - start))
        let copy = bytes[start..<start + length]
        bytes.insert(contentsOf: copy, at: next(below: bytes.count + 1))
    }

    /// A prefix of `first` followed by a suffix of `second`.
    private mutating func splice(_ first: [UInt8], with second: [UInt8]) -> [UInt8] {
        let head = first.prefix(next(below: first.count + 1))
        let tail = second.suffix(next(below: second.count + 1))
        return Array(head) + tail
    }

    /// Overwrites four bytes at a random position (widening the input if it is shorter) with a
    /// big-endian value that a UInt32 length or count prefix could hold.
    private mutating func setLengthWindow(_ bytes: inout [UInt8]) {
        while bytes.count < 4 { bytes.append(0) }
        let position = next(below: bytes.count - 3)
        let remaining = UInt32(truncatingIfNeeded: bytes.count - position - 4)
        let current = bytes[position..<position + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let candidates: [UInt32] = [
            0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
            remaining, remaining &- 1, remaining &+ 1, current &- 1, current &+ 1,
        ]
        let value = candidates[next(below: candidates.count)]
        for index in 0..<4 {
            bytes[position + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(index)))
        }
    }
}
