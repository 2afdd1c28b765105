import DVPNCrypto
import DVPNLedger

/// One message on a link, inside one encrypted frame: a kind and an opaque payload, in the
/// canonical encoding (docs/encoding.md): `UInt8 kind ‖ UInt32 length ‖ payload`.
///
/// The gossip layer does not interpret consensus payloads (their types belong to
/// DVPNConsensus): it deduplicates them by hash, hands them to the node's `GossipDelegate`, and
/// relays what the node accepts. Only PEX is understood here.
public struct GossipEnvelope: Hashable, Sendable {
    /// What the payload is. Unknown kinds do not decode (the peer is penalised), so adding a kind
    /// is a protocol version change.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// A signed ledger transaction, canonical bytes (mempool gossip).
        case transaction = 1
        /// A consensus block proposal.
        case proposal = 2
        /// A consensus vote (prevote or precommit).
        case vote = 3
        /// A whole block, or a part of one.
        case block = 4
        /// A block's commit (the precommits that finalise it).
        case commit = 5
        /// A request for blocks and commits in a height range (`BlockRange`).
        case blockSyncRequest = 6
        /// The answer to a `blockSyncRequest`: blocks with their commits, as the node encodes them.
        case blockSyncResponse = 7
        /// A request for addresses of other peers (empty payload).
        case pexRequest = 8
        /// Addresses of other peers (`PeerAddressList`).
        case pexResponse = 9

        /// Kinds that are flooded: deduplicated by hash and relayed to every other peer once the
        /// node accepts them. The others are point to point.
        public var isGossiped: Bool {
            switch self {
            case .transaction, .proposal, .vote, .block, .commit: true
            case .blockSyncRequest, .blockSyncResponse, .pexRequest, .pexResponse: false
            }
        }
    }

    /// The largest payload any envelope may carry; a link's frame limit is usually lower.
    public static let maxPayloadByteCount = 64 << 20

    public let kind: Kind
    public let payload: [UInt8]

    public init(kind: Kind, payload: [UInt8]) {
        precondition(payload.count <= Self.maxPayloadByteCount, "envelope payload above the maximum")
        self.kind = kind
        self.payload = payload
    }

    /// The dedup key: tagged SHA-256 of the encoding, so the same payload under two kinds is two
    /// items.
    public var hash: Hash256 { Hash256.tagged("dvpn/gossip/v1", canonicalBytes) }
}

extension GossipEnvelope: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(kind.rawValue)
        encoder.encode(bytes: payload, maxLength: Self.maxPayloadByteCount, field: "payload")
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8(field: "kind")
        guard let kind = Kind(rawValue: raw) else {
            throw LedgerError(.malformedEncoding, "kind: unknown envelope kind \(raw)")
        }
        self.kind = kind
        payload = try decoder.decodeBytes(maxLength: Self.maxPayloadByteCount, field: "payload")
    }
}

/// The payload of a `blockSyncRequest`: heights `from...to`, at most `maxCount` of them.
public struct BlockRange: Hashable, Sendable, CanonicalCodable {
    /// The most blocks one request may ask for.
    public static let maxCount: UInt64 = 1000

    public let from: UInt64
    public let to: UInt64

    public init(from: UInt64, to: UInt64) throws(GossipError) {
        guard from >= 1, from <= to, to - from < Self.maxCount else {
            throw GossipError(.malformedMessage, "block range \(from)...\(to) is empty, starts at 0 or spans more than \(Self.maxCount)")
        }
        self.from = from
        self.to = to
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(from)
        encoder.encode(to)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let from = try decoder.decodeUInt64(field: "from")
        let to = try decoder.decodeUInt64(field: "to")
        do {
            try self.init(from: from, to: to)
        } catch {
            throw LedgerError(.outOfRange, error.reason)
        }
    }
}
