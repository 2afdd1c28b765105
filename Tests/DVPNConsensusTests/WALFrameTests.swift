@testable import DVPNConsensus
import DVPNLedger
import Testing

@Suite struct WALFrameTests {
    @Test func crc32cCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    func sampleInputs() throws -> [ConsensusInput] {
        [
            .start,
            .proposal(try Fixtures.proposal(by: 1, round: 2, Fixtures.hash(1), validRound: 1), blockIsValid: true),
            .vote(try Fixtures.vote(.prevote, 2, Fixtures.hash(1))),
            .vote(try Fixtures.vote(.precommit, 3, nil)),
            .timeout(Timeout(height: 1, round: 2, step: .prevote)),
            .proposalValue(height: 1, round: 3, blockHash: Fixtures.hash(9)),
            .blockApplied(height: 1, nextValidators: try Fixtures.validators()),
        ]
    }

    @Test func roundTrip() throws {
        let inputs = try sampleInputs()
        let bytes = inputs.flatMap(WALFrame.encode)
        let decoded = WALFrame.decode(bytes)
        #expect(decoded.inputs == inputs)
        #expect(decoded.validByteCount == bytes.count)
        #expect(decoded.tail == .clean)
    }

    /// Every truncation (a torn last write) keeps exactly the frames written in full.
    @Test func everyTornTailIsTruncated() throws {
        let inputs = try sampleInputs()
        let frames = inputs.map(WALFrame.encode)
        let bytes = frames.flatMap { $0 }
        var boundaries = [0]
        for frame in frames { boundaries.append(boundaries.last! + frame.count) }
        for length in 0...bytes.count {
            let decoded = WALFrame.decode(Array(bytes.prefix(length)))
            let complete = boundaries.lastIndex { $0 <= length }!
            #expect(decoded.inputs == Array(inputs.prefix(complete)))
            #expect(decoded.validByteCount == boundaries[complete])
            #expect(decoded.tail == (boundaries.contains(length) ? .clean : .torn))
        }
    }

    /// A flipped bit anywhere stops decoding at its frame, never traps.
    @Test func corruptionStopsAtTheDamagedFrame() throws {
        let inputs = try sampleInputs()
        let frames = inputs.map(WALFrame.encode)
        let bytes = frames.flatMap { $0 }
        var start = 0
        for (index, frame) in frames.enumerated() {
            for offset in stride(from: 0, to: frame.count, by: 3) {
                var damaged = bytes
                damaged[start + offset] ^= 0x40
                let decoded = WALFrame.decode(damaged)
                #expect(decoded.inputs == Array(inputs.prefix(index)))
                #expect(decoded.validByteCount == start)
                #expect(decoded.tail != .clean)
            }
            start += frame.count
        }
    }

    @Test func checksummedGarbageIsCorrupt() {
        let frame = WALFrame.encode(payload: [0xEE, 1, 2])
        let decoded = WALFrame.decode(frame)
        #expect(decoded.inputs.isEmpty)
        #expect(decoded.validByteCount == 0)
        if case .corrupt = decoded.tail {} else { Issue.record("expected a corrupt tail, got \(decoded.tail)") }
    }
}
