import DVPNCrypto
import DVPNLedger
import DVPNPayments
import DVPNTunnel

/// One session as the session manager holds it: the pure `PayeeSession` that decides, and what
/// the exit did for it (peer, addresses, the forwarding limit last set). Kept after a cut-off
/// until its channel is settled or redeemed, so late vouchers still count and the next receipt
/// names the reason. Lives inside the `SessionManager` actor only.
final class ActiveSession {
    let id: [UInt8]
    let channel: UInt64
    let payer: Schnorr.PublicKey
    let clientKey: X25519.PublicKey
    /// The address pool index, nil once released (or for a session restored only to redeem).
    var addressIndex: UInt32?
    let ipv4: IPAddress
    let ipv6: IPAddress
    var payee: PayeeSession
    /// The exit's inner byte count for this peer at the last tick.
    var bytes: UInt64 = 0
    /// Held packets at the last tick (a rise means the client hit its limit).
    var heldPackets: UInt64 = 0
    /// The byte limit last given to the data plane.
    var limit: UInt64?
    /// Since when the session has been held at its limit without paying further.
    var heldSince: PaymentInstant?
    /// Whether the peer was removed and the end recorded.
    var finished = false
    var finishedAt: PaymentInstant?
    /// A redemption transaction in flight, and when a failed one may be retried.
    var redemptionHash: String?
    var redemptionAmount: Amount = .zero
    var retryRedemptionAfter: PaymentInstant = .zero
    /// The amount co-signed for the cooperative close at the payer's end, once it ended.
    var closeAmount: Amount?
    /// When the byte count was last written to the store.
    var storedBytesAt: PaymentInstant = .zero

    init(
        id: [UInt8], channel: UInt64, payer: Schnorr.PublicKey, clientKey: X25519.PublicKey, addressIndex: UInt32?,
        ipv4: IPAddress, ipv6: IPAddress, payee: PayeeSession
    ) {
        self.id = id
        self.channel = channel
        self.payer = payer
        self.clientKey = clientKey
        self.addressIndex = addressIndex
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.payee = payee
    }

    var isServing: Bool { !finished && payee.cutOffReason == nil }
}
