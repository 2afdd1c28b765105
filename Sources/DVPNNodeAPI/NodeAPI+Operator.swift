/// The operator's own view (`GET /v1/operator/sessions` on an operator's API, and what
/// `dvpn-node status` prints): its sessions, what each channel earned, and what is redeemed.
/// Amounts are udvpn; times Unix milliseconds.
extension NodeAPI {
    public struct OperatorReport: Codable, Sendable, Equatable {
        public var sessions: [OperatorSession]
        public var channels: [OperatorChannel]
        public var totals: OperatorTotals

        public init(sessions: [OperatorSession], channels: [OperatorChannel], totals: OperatorTotals) {
            self.sessions = sessions
            self.channels = channels
            self.totals = totals
        }
    }

    public struct OperatorSession: Codable, Sendable, Equatable {
        /// Hex.
        public var id: String
        public var channel: UInt64
        /// `dvpn1…`.
        public var payer: String
        /// The client's tunnel key, base64.
        public var clientKey: String
        public var ipv4: String
        public var ipv6: String
        public var startedAt: UInt64
        public var endedAt: UInt64?
        /// Inner bytes both ways (updated every few seconds while the session runs).
        public var bytes: UInt64
        /// `CutOffReason` code and summary once ended.
        public var endCode: UInt16?
        public var endReason: String?

        public init(
            id: String, channel: UInt64, payer: String, clientKey: String, ipv4: String, ipv6: String, startedAt: UInt64,
            endedAt: UInt64?, bytes: UInt64, endCode: UInt16?, endReason: String?
        ) {
            self.id = id
            self.channel = channel
            self.payer = payer
            self.clientKey = clientKey
            self.ipv4 = ipv4
            self.ipv6 = ipv6
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.bytes = bytes
            self.endCode = endCode
            self.endReason = endReason
        }
    }

    public struct OperatorChannel: Codable, Sendable, Equatable {
        public var id: UInt64
        public var payer: String
        public var deposit: UInt64
        /// The best voucher held, at most the deposit.
        public var earned: UInt64
        public var redeemed: UInt64
        public var unredeemed: UInt64
        /// "open", "closing" or "settled" as last read from the ledger.
        public var state: String

        public init(id: UInt64, payer: String, deposit: UInt64, earned: UInt64, redeemed: UInt64, unredeemed: UInt64, state: String) {
            self.id = id
            self.payer = payer
            self.deposit = deposit
            self.earned = earned
            self.redeemed = redeemed
            self.unredeemed = unredeemed
            self.state = state
        }
    }

    public struct OperatorTotals: Codable, Sendable, Equatable {
        public var sessions: Int
        public var active: Int
        public var bytes: UInt64
        public var earned: UInt64
        public var redeemed: UInt64
        /// Earned on channels that are not settled and not yet redeemed. On a settled channel the
        /// rest was paid by the cooperative close (or is lost past expiry).
        public var unredeemed: UInt64

        public init(sessions: Int, active: Int, bytes: UInt64, earned: UInt64, redeemed: UInt64, unredeemed: UInt64) {
            self.sessions = sessions
            self.active = active
            self.bytes = bytes
            self.earned = earned
            self.redeemed = redeemed
            self.unredeemed = unredeemed
        }
    }
}
