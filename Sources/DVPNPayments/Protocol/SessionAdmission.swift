import DVPNCrypto
import DVPNLedger

/// Whether a `SessionRequest` opens a session (issue 8 item 3, docs/session-protocol.md
/// "Admission"): a pure check over the request, the channel record as the ledger has it, the node's
/// own key, the time and the height, plus the cache of nonces already used.
///
/// A request is admitted only if, in this order:
/// 1. it names this operator;
/// 2. its timestamp is within `timestampWindow` of the node's clock (Unix time);
/// 3. it is signed by the payer it names, for this chain (a forged request stops here, before it
///    can touch the nonce cache);
/// 4. its nonce was not admitted before within the window (a replay);
/// 5. the channel exists, its payer is the request's payer, its payee is this operator, and it names
///    the request's tunnel key (a client lying about its key, or a channel for another key, stops
///    here);
/// 6. the channel is open, expires more than `expiryMarginBlocks` after `height`, and has deposit
///    left above what the node already holds;
/// 7. the node has room (`activeSessions < maxSessions`).
/// Only an admitted request's nonce is recorded.
public struct SessionAdmission: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var chainID: String
        /// This node's operator key (the payee of the channels it serves).
        public var operatorKey: Schnorr.PublicKey
        public var timestampWindowMilliseconds: UInt64
        public var expiryMarginBlocks: UInt64
        public var maxSessions: Int

        public init(
            chainID: String, operatorKey: Schnorr.PublicKey, timestampWindowMilliseconds: UInt64 = 30_000,
            expiryMarginBlocks: UInt64 = 30, maxSessions: Int = .max
        ) {
            self.chainID = chainID
            self.operatorKey = operatorKey
            self.timestampWindowMilliseconds = timestampWindowMilliseconds
            self.expiryMarginBlocks = expiryMarginBlocks
            self.maxSessions = maxSessions
        }
    }

    public enum Decision: Hashable, Sendable {
        case admitted(channel: ChannelRecord)
        case refused(AdmissionRefusal)
    }

    public let configuration: Configuration
    public private(set) var nonces: NonceCache

    public init(configuration: Configuration, nonceCapacity: Int = 65_536) {
        self.configuration = configuration
        nonces = NonceCache(windowMilliseconds: configuration.timestampWindowMilliseconds, capacity: nonceCapacity)
    }

    /// Forgets nonces whose window is over (also done by itself when the cache fills).
    public mutating func prune(now: PaymentInstant) { nonces.prune(now: now) }

    /// Checks `request` against `channel` (nil when the ledger has no such channel).
    ///
    /// - Parameters:
    ///   - held: the best voucher's worth the node already holds for this channel.
    ///   - now: the node's clock in Unix milliseconds.
    ///   - height: the ledger height the channel record was read at.
    public mutating func admit(
        _ request: SessionRequest, channel: ChannelRecord?, held: Amount = .zero, activeSessions: Int = 0,
        now: PaymentInstant, height: UInt64
    ) -> Decision {
        guard request.operator == configuration.operatorKey else { return .refused(.wrongOperator) }
        let window = configuration.timestampWindowMilliseconds
        guard request.timestamp.milliseconds(since: now) <= window, now.milliseconds(since: request.timestamp) <= window else {
            return .refused(.staleTimestamp)
        }
        guard request.isSigned(chainID: configuration.chainID) else { return .refused(.badSignature) }
        guard !nonces.contains(payer: request.payer, nonce: request.nonce, now: now) else { return .refused(.replayed) }
        guard let channel else { return .refused(.unknownChannel) }
        guard channel.payer == request.payer else { return .refused(.notChannelPayer) }
        guard channel.payee == configuration.operatorKey else { return .refused(.otherPayee) }
        guard channel.clientTunnelKey == request.clientTunnelKey.rawRepresentation else { return .refused(.tunnelKeyMismatch) }
        guard channel.status == 0 else { return .refused(.channelNotOpen) }
        let (margin, overflow) = height.addingReportingOverflow(configuration.expiryMarginBlocks)
        guard !overflow, margin < channel.expiry else { return .refused(.channelExpiring) }
        guard channel.deposit > max(channel.redeemed, held.udvpn) else { return .refused(.depositUsedUp) }
        guard activeSessions < configuration.maxSessions else { return .refused(.maxSessions) }
        guard nonces.insert(payer: request.payer, nonce: request.nonce, timestamp: request.timestamp, now: now) else {
            return .refused(.busy)
        }
        return .admitted(channel: channel)
    }
}

/// Why a session request was refused (sent back to the client). Stable codes.
public enum AdmissionRefusal: UInt16, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case wrongOperator = 1
    case staleTimestamp = 2
    case badSignature = 3
    case replayed = 4
    case unknownChannel = 5
    case notChannelPayer = 6
    case otherPayee = 7
    case tunnelKeyMismatch = 8
    case channelNotOpen = 9
    case channelExpiring = 10
    case depositUsedUp = 11
    case maxSessions = 12
    case busy = 13

    public var code: UInt16 { rawValue }

    public var description: String {
        switch self {
        case .wrongOperator: "the request is addressed to another operator"
        case .staleTimestamp: "the request's timestamp is outside the accepted window (check the clock)"
        case .badSignature: "the request is not signed by the payer it names"
        case .replayed: "the request was already used"
        case .unknownChannel: "no such channel on the ledger"
        case .notChannelPayer: "the request's payer is not the channel's payer"
        case .otherPayee: "the channel pays another operator"
        case .tunnelKeyMismatch: "the channel names another tunnel key"
        case .channelNotOpen: "the channel is closing or settled"
        case .channelExpiring: "the channel expires too soon"
        case .depositUsedUp: "the channel has no deposit left"
        case .maxSessions: "the node serves its maximum number of sessions"
        case .busy: "the node is busy; try again"
        }
    }
}
