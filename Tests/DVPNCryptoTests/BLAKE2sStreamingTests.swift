import Testing
@testable import DVPNCrypto

/// Incremental hashing: however the input is split across `update` calls, the digest is the
/// one-shot digest, which the KAT tests tie to the official vectors.
@Suite("BLAKE2s streaming")
struct BLAKE2sStreamingTests {
    /// The longest KAT input (00 01 … fe) with its official digests, unkeyed and keyed.
    private func longestKnownAnswers() throws -> [BLAKE2sVectors.KnownAnswer] {
        let rows = try BLAKE2sVectors.knownAnswers().filter { $0.input.count == 255 }
        #expect(rows.count == 2)
        return rows
    }

    private func hasher(key: [UInt8]) throws -> BLAKE2s {
        key.isEmpty ? BLAKE2s() : try BLAKE2s(key: key)
    }

    @Test("One split at every offset 0…255 gives the official digest")
    func splitAtEveryOffset() throws {
        for row in try longestKnownAnswers() {
            for cut in 0...row.input.count {
                var h = try hasher(key: row.key)
                h.update(row.input[..<cut])
                h.update(row.input[cut...])
                #expect(h.finalize() == row.hash, "cut at \(cut), keyed: \(!row.key.isEmpty)")
            }
        }
    }

    @Test("Two splits at every pair of offsets around the block boundaries")
    func splitAtEveryPairOfOffsets() throws {
        for row in try longestKnownAnswers() {
            let input = Array(row.input[0..<140])
            let expected = try BLAKE2s.hash(input, key: row.key)
            for first in 0...input.count {
                for second in first...input.count {
                    var h = try hasher(key: row.key)
                    h.update(input[..<first])
                    h.update(input[first..<second])
                    h.update(input[second...])
                    #expect(h.finalize() == expected, "cuts at \(first), \(second)")
                }
            }
        }
    }

    @Test("Byte-at-a-time and raw-pointer updates give the official digest")
    func byteAtATime() throws {
        for row in try longestKnownAnswers() {
            var h = try hasher(key: row.key)
            for byte in row.input { h.update([byte]) }
            #expect(h.finalize() == row.hash)

            var raw = try hasher(key: row.key)
            row.input.withUnsafeBytes { raw.update($0) }
            #expect(raw.finalize() == row.hash)
        }
    }

    @Test("Empty updates change nothing")
    func emptyUpdates() throws {
        for row in try longestKnownAnswers() {
            var h = try hasher(key: row.key)
            h.update([UInt8]())
            h.update(row.input[..<64])
            h.update([UInt8]())
            h.update(UnsafeRawBufferPointer(start: nil, count: 0))
            h.update(row.input[64...])
            h.update([UInt8]())
            #expect(h.finalize() == row.hash)
        }
    }

    @Test("Random chunking of a 1 MiB + 1 input matches the one-shot digest")
    func randomChunks() throws {
        let file = try TestVectors.json("blake2s-long-inputs.json", as: BLAKE2sVectors.Cases<BLAKE2sVectors.LongInputCase>.self)
        var generator = SystemRandomNumberGenerator()
        for c in file.cases where c.length > 1_000_000 {
            let message = (0..<c.length).map { UInt8($0 % 251) }
            let key = try [UInt8](hex: c.key)
            var h = try hasher(key: key)
            var offset = 0
            while offset < message.count {
                let size = Int.random(in: 0...3 * BLAKE2s.blockByteCount, using: &generator)
                let end = min(message.count, offset + size)
                h.update(message[offset..<end])
                offset = end
            }
            #expect(h.finalize() == (try [UInt8](hex: c.hash)))
        }
    }

    @Test("A copied hasher continues independently (value semantics)")
    func copiesAreIndependent() throws {
        let a = Array("first half, ".utf8)
        let b = Array("second half".utf8)
        var h = BLAKE2s(outputByteCount: 20)
        h.update(a)
        var copy = h
        h.update(b)
        #expect(h.finalize() == BLAKE2s.hash(a + b, outputByteCount: 20))
        #expect(copy.finalize() == BLAKE2s.hash(a, outputByteCount: 20))
    }
}
