import DVPNCrypto
import DVPNLedger

/// Everything `dvpn connect` was asked for (issue 8 item 8), checked by the command.
public struct ConnectConfiguration: Sendable {
    public var criteria: OfferCriteria
    /// A new channel's deposit (`--deposit`), and the size of one automatic top-up.
    public var deposit: Amount
    /// The most this connect signs in total on a channel (`--max-spend`), top-ups included.
    public var maxSpend: Amount
    /// A new channel's lifetime in blocks.
    public var expiryBlocks: UInt64
    /// The tunnel interface's name.
    public var interfaceName: String
    public var dataDirectory: String
    /// The resolver file to point at the tunnel's DNS; nil leaves DNS alone.
    public var resolvConf: String?
    /// How long the operator may stay silent before the client moves on (issue 8 item 9).
    public var failoverSilenceMilliseconds: UInt64
    /// How often the status (line, file, `--json` event) is refreshed.
    public var statusIntervalMilliseconds: UInt64
    /// On a stop, end the session but leave the channel open (`--keep-channel`), so that the next
    /// connect to the same operator reuses it without a transaction; the operator holds the final
    /// voucher, and the rest stays in the channel until a later connect settles it or it expires.
    public var keepChannel: Bool

    public init(
        criteria: OfferCriteria, deposit: Amount, maxSpend: Amount, expiryBlocks: UInt64 = 10_000,
        interfaceName: String = "dvpn0", dataDirectory: String, resolvConf: String? = "/etc/resolv.conf",
        failoverSilenceMilliseconds: UInt64 = 5_000, statusIntervalMilliseconds: UInt64 = 1_000, keepChannel: Bool = false
    ) {
        self.criteria = criteria
        self.deposit = deposit
        self.maxSpend = maxSpend
        self.expiryBlocks = expiryBlocks
        self.interfaceName = interfaceName
        self.dataDirectory = dataDirectory
        self.resolvConf = resolvConf
        self.failoverSilenceMilliseconds = failoverSilenceMilliseconds
        self.statusIntervalMilliseconds = statusIntervalMilliseconds
        self.keepChannel = keepChannel
    }
}

/// What a connect reports as it goes; the command prints each as a line for people or as one
/// JSON object for machines (`--json`).
public enum ConnectEvent: Sendable {
    /// The offer chosen, with its measured round trip, among `candidates` matching offers.
    case selected(operator: String, country: String, price: String, roundTripMilliseconds: UInt64, candidates: Int)
    case channelOpened(channel: UInt64, deposit: Amount, height: UInt64)
    case channelReused(channel: UInt64, left: Amount)
    case connected(ConnectStatus)
    case status(ConnectStatus)
    case toppedUp(channel: UInt64, amount: Amount, deposit: Amount)
    /// Failover: the old operator stopped answering; the new one serves now.
    case switched(from: String, to: String, reason: String)
    /// A channel closed unilaterally or reclaimed (failover leftovers).
    case channelSettling(channel: UInt64, what: String)
    /// The node ended the session with this reason (one line; the connect exits non-zero).
    case cutOff(reason: String)
    case summary(ConnectSummary)
    /// Something went wrong that does not stop the connect (one line).
    case warning(String)
}

/// The end of a connect: traffic and money, in udvpn.
public struct ConnectSummary: Sendable, Hashable, Codable {
    /// Inner bytes of every session of this connect, up and down.
    public var bytes: UInt64
    /// Paid to operators when this connect's channels settled (cooperative close).
    public var paid: UInt64
    /// Refunded to this client by those settlements.
    public var refunded: UInt64
    /// Channels abandoned in a failover, to reclaim after the contract's window.
    public var abandonedChannels: [UInt64]
    /// Channels left open on purpose (`--keep-channel`) for the next connect.
    public var keptChannels: [UInt64]
    /// The cut-off reason, when the node ended the session.
    public var cutOff: String?

    public init(
        bytes: UInt64 = 0, paid: UInt64 = 0, refunded: UInt64 = 0, abandonedChannels: [UInt64] = [], keptChannels: [UInt64] = [],
        cutOff: String? = nil
    ) {
        self.bytes = bytes
        self.paid = paid
        self.refunded = refunded
        self.abandonedChannels = abandonedChannels
        self.keptChannels = keptChannels
        self.cutOff = cutOff
    }
}
