import DVPNLedger
import DVPNTestSupport
import NIOCore
import Testing
@testable import DVPNGossip

@Suite("Frames and envelopes")
struct WireTests {
    @Test func envelopeEncodingIsKindThenLengthPrefixedPayload() throws {
        let envelope = GossipEnvelope(kind: .vote, payload: [0xAA, 0xBB])
        #expect(envelope.canonicalBytes == [3, 0, 0, 0, 2, 0xAA, 0xBB])
        #expect(try GossipEnvelope(canonicalBytes: envelope.canonicalBytes) == envelope)
        #expect(throws: LedgerError.self) { try GossipEnvelope(canonicalBytes: [0, 0, 0, 0, 0]) }
        #expect(throws: LedgerError.self) { try GossipEnvelope(canonicalBytes: [3, 0, 0, 0, 2, 0xAA]) }
        #expect(throws: LedgerError.self) { try GossipEnvelope(canonicalBytes: envelope.canonicalBytes + [0]) }
        #expect(GossipEnvelope(kind: .vote, payload: [1]).hash != GossipEnvelope(kind: .proposal, payload: [1]).hash)
        #expect(GossipEnvelope.Kind.allCases.filter(\.isGossiped) == [.transaction, .proposal, .vote, .block, .commit])
    }

    @Test func blockRangesAndAddressListsAreBounded() throws {
        let range = try BlockRange(from: 5, to: 9)
        #expect(try BlockRange(canonicalBytes: range.canonicalBytes) == range)
        #expect(throws: GossipError.self) { try BlockRange(from: 0, to: 3) }
        #expect(throws: GossipError.self) { try BlockRange(from: 9, to: 5) }
        #expect(throws: GossipError.self) { try BlockRange(from: 1, to: 1 + BlockRange.maxCount) }
        let list = PeerAddressList([try PeerAddress(parsing: "10.0.0.1:26656"), try PeerAddress(parsing: "[::1]:7")])
        #expect(try PeerAddressList(canonicalBytes: list.canonicalBytes) == list)
        #expect(list.addresses[1].description == "[::1]:7")
        #expect(try PeerAddress.parseList("a.example:1, b.example:2,,") == [
            try PeerAddress(host: "a.example", port: 1), try PeerAddress(host: "b.example", port: 2),
        ])
        for bad in ["nohost", ":5", "h:0", "h:70000", "h:x", "[::1]5"] {
            #expect(throws: GossipError.self, "\(bad)") { try PeerAddress(parsing: bad) }
        }
    }

    @Test func framesAreCheckedOnTheirLengthBeforeTheBodyArrives() throws {
        var buffer = ByteBuffer()
        FrameCodec.writeFrame([1, 2, 3], to: &buffer)
        FrameCodec.writeFrame([], to: &buffer)
        var partial = ByteBuffer(bytes: Array(buffer.readableBytesView.prefix(5)))
        #expect(try FrameCodec.readFrame(from: &partial, maxLength: 16) == nil)
        #expect(partial.readableBytes == 5)
        #expect(try FrameCodec.readFrame(from: &buffer, maxLength: 16).map { Array(buffer: $0) } == [1, 2, 3])
        #expect(try FrameCodec.readFrame(from: &buffer, maxLength: 16).map { Array(buffer: $0) } == [])
        #expect(try FrameCodec.readFrame(from: &buffer, maxLength: 16) == nil)
        // Four bytes announcing 4 GiB − 1 are refused at once.
        var huge = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: GossipError.self) { try FrameCodec.readFrame(from: &huge, maxLength: 4 << 20) }
    }

    /// Every input either decodes to a value that encodes back to the input, or throws.
    func roundTripsOrThrows<T: CanonicalCodable & Equatable>(_ type: T.Type, seeds: [[UInt8]], seed: UInt64) {
        var fuzzer = Fuzzer(seed: seed)
        for input in fuzzer.inputs(count: 3000, seeds: seeds) {
            if let value = try? T(canonicalBytes: input) {
                #expect(value.canonicalBytes == input, "seed \(seed)")
            }
        }
    }

    @Test func fuzzEnvelopeAndPayloadDecoders() throws {
        roundTripsOrThrows(GossipEnvelope.self, seeds: GossipEnvelope.Kind.allCases.map {
            GossipEnvelope(kind: $0, payload: [1, 2, 3]).canonicalBytes
        }, seed: 1)
        roundTripsOrThrows(BlockRange.self, seeds: [try BlockRange(from: 1, to: 10).canonicalBytes], seed: 2)
        roundTripsOrThrows(PeerAddressList.self, seeds: [
            PeerAddressList([try PeerAddress(parsing: "127.0.0.1:26656"), try PeerAddress(parsing: "node.example:1")]).canonicalBytes,
        ], seed: 3)
    }

    @Test func fuzzFrameDecoderOverRandomChunks() throws {
        var fuzzer = Fuzzer(seed: 11)
        var stream = ByteBuffer()
        var bodies: [[UInt8]] = []
        for _ in 0..<200 {
            let body = fuzzer.bytes(count: fuzzer.next(below: 300))
            bodies.append(body)
            FrameCodec.writeFrame(body, to: &stream)
        }
        // The same stream cut at random points decodes to the same frames.
        let bytes = Array(buffer: stream)
        var buffer = ByteBuffer()
        var decoded: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let cut = min(bytes.count, offset + 1 + fuzzer.next(below: 200))
            buffer.writeBytes(bytes[offset..<cut])
            offset = cut
            while let frame = try FrameCodec.readFrame(from: &buffer, maxLength: 300) { decoded.append(Array(buffer: frame)) }
        }
        #expect(decoded == bodies)
        // Random garbage never traps: it yields frames, waits, or throws frameTooLarge.
        for input in fuzzer.inputs(count: 3000, seeds: [bytes.prefix(64).map { $0 }]) {
            var garbage = ByteBuffer(bytes: input)
            do {
                while let frame = try FrameCodec.readFrame(from: &garbage, maxLength: 1024) { #expect(frame.readableBytes <= 1024) }
            } catch {
                #expect(error.code == .frameTooLarge)
            }
        }
    }
}
