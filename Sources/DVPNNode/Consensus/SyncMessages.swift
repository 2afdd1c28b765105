import DVPNConsensus
import DVPNGossip
import DVPNLedger

/// What nodes say to one peer (not flooded) inside the gossip layer's point-to-point kinds
/// (docs/p2p.md, "How the node uses gossip"): `blockSyncRequest` carries a `SyncRequest`,
/// `blockSyncResponse` a `SyncResponse`. Canonical encoding, a tag byte first.
enum SyncRequest: Hashable, Sendable {
    /// "I am at this height and round": sent to every peer every `statusInterval`. A peer ahead
    /// of us is where blocks come from; a peer at our height that stays in one round gets the
    /// messages of the height it may lack (`SyncResponse.catchUp`).
    case status(height: UInt64, round: UInt32)
    /// Blocks and their commits for `range`.
    case blocks(BlockRange)
}

/// A stored block with the commit that finalised it.
struct SyncedBlock: Hashable, Sendable {
    var block: Block
    var commit: Commit
}

enum SyncResponse: Hashable, Sendable {
    /// Consecutive blocks from the requested range's start, with their commits (possibly fewer
    /// than asked for: the answer is bounded in count and bytes).
    case blocks([SyncedBlock])
    /// Signed proposals and votes of the sender's current height, and the proposed blocks, for a
    /// peer that seems to lack them (gossip deduplicates by hash, so a message a peer dropped is
    /// never flooded to it again: this is how it is offered again).
    case catchUp(messages: [SignedMessage], blocks: [Block])
}

extension SyncRequest: CanonicalCodable {
    func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case let .status(height, round):
            encoder.encode(UInt8(1))
            encoder.encode(height)
            encoder.encode(round)
        case let .blocks(range):
            encoder.encode(UInt8(2))
            encoder.encode(range)
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8(field: "sync request tag") {
        case 1:
            let height = try decoder.decodeUInt64(field: "height")
            self = .status(height: height, round: try decoder.decodeUInt32(field: "round"))
        case 2:
            self = .blocks(try decoder.decode(BlockRange.self, field: "range"))
        case let tag:
            throw LedgerError(.malformedEncoding, "unknown sync request tag \(tag)")
        }
    }
}

extension SyncedBlock: CanonicalCodable {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(block)
        encoder.encode(commit)
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        block = try decoder.decode(Block.self, field: "block")
        commit = try decoder.decode(Commit.self, field: "commit")
    }
}

/// A consensus message on the wire: tag 1 a proposal, tag 2 a vote.
struct WireMessage: Hashable, Sendable, CanonicalCodable {
    var message: SignedMessage

    init(_ message: SignedMessage) { self.message = message }

    func encode(to encoder: inout CanonicalEncoder) {
        switch message {
        case .proposal(let proposal):
            encoder.encode(UInt8(1))
            encoder.encode(proposal)
        case .vote(let vote):
            encoder.encode(UInt8(2))
            encoder.encode(vote)
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8(field: "message tag") {
        case 1: message = .proposal(try decoder.decode(Proposal.self, field: "proposal"))
        case 2: message = .vote(try decoder.decode(Vote.self, field: "vote"))
        case let tag: throw LedgerError(.malformedEncoding, "unknown consensus message tag \(tag)")
        }
    }
}

extension SyncResponse: CanonicalCodable {
    /// Bounds for decoding: a response never holds more than this many items.
    static let maxBlocks = 100
    static let maxMessages = 4096

    func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .blocks(let blocks):
            encoder.encode(UInt8(1))
            encoder.encode(array: blocks, maxCount: Self.maxBlocks)
        case let .catchUp(messages, blocks):
            encoder.encode(UInt8(2))
            encoder.encode(array: messages.map(WireMessage.init), maxCount: Self.maxMessages)
            encoder.encode(array: blocks, maxCount: Self.maxBlocks)
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        switch try decoder.decodeUInt8(field: "sync response tag") {
        case 1:
            self = .blocks(try decoder.decodeArray(of: SyncedBlock.self, maxCount: Self.maxBlocks, field: "blocks"))
        case 2:
            let messages = try decoder.decodeArray(of: WireMessage.self, maxCount: Self.maxMessages, field: "messages").map(\.message)
            self = .catchUp(messages: messages, blocks: try decoder.decodeArray(of: Block.self, maxCount: Self.maxBlocks, field: "blocks"))
        case let tag:
            throw LedgerError(.malformedEncoding, "unknown sync response tag \(tag)")
        }
    }
}
