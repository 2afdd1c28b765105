import DVPNCrypto
import DVPNLedger
import DVPNPayments

/// Whether a channel already on the ledger can pay for a new session, so that a reconnect needs
/// no transaction (issue 8 item 6). Pure: the proven channels, what this client remembers having
/// signed on each (`ChannelBook`), and the verified height in; the channel to reuse, if any.
public enum ChannelReuse {
    /// A channel this close to expiry is not reused: the node refuses sessions when
    /// `height + 30 ≥ expiry` (`SessionAdmission`, `channelExpiring`), and a session should have
    /// room to run; this many blocks beyond the node's margin.
    public static let expiryMargin: UInt64 = 120

    public struct Choice: Sendable, Hashable {
        public let channel: UInt64
        public let record: ChannelRecord
        /// The highest amount already signed on it: the session's `PayerSession` baseline.
        public let baseline: Amount

        /// Deposit not yet promised to the operator.
        public var left: Amount { Amount(udvpn: record.deposit - min(record.deposit, baseline.udvpn)) }
    }

    /// The reusable channel paid by `payer` to `payee` naming `tunnelKey`, open, not near expiry,
    /// with deposit beyond what was signed or redeemed; the one with most left (then the lowest
    /// id). `signed` gives the client's own high-water mark per channel (it may be above
    /// `redeemed`: the node can hold vouchers it has not redeemed yet).
    public static func choose(
        channels: [(id: UInt64, record: ChannelRecord)], payer: Schnorr.PublicKey, payee: Schnorr.PublicKey,
        tunnelKey: X25519.PublicKey, height: UInt64, signed: (UInt64) -> Amount, excluding: Set<UInt64> = []
    ) -> Choice? {
        let choices = channels.compactMap { entry -> Choice? in
            let record = entry.record
            let (lastUsable, overflow) = height.addingReportingOverflow(expiryMargin)
            guard !excluding.contains(entry.id), record.payer == payer, record.payee == payee,
                record.clientTunnelKey == tunnelKey.rawRepresentation, record.status == 0, !overflow, lastUsable < record.expiry
            else { return nil }
            let baseline = max(signed(entry.id), Amount(udvpn: record.redeemed))
            guard baseline.udvpn < record.deposit else { return nil }
            return Choice(channel: entry.id, record: record, baseline: baseline)
        }
        return choices.min { ($1.left, $0.channel) < ($0.left, $1.channel) }
    }
}
