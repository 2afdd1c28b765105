public import DVPNLedger
public import DVPNPayments
public import DVPNTunnel

/// What `dvpn-node serve --price …` sells and how (docs/operator.md): the offer's terms, the exit,
/// and the rules of its paid sessions. Parsed and checked by `OperatorOptions`.
public struct OperatorConfiguration: Sendable {
    // MARK: The offer

    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    /// Per GiB (2^30 bytes) and per hour, in udvpn.
    public var price: Price
    /// Advertised bandwidth, Mbit/s.
    public var bandwidthMbps: UInt64
    /// Where clients reach the WireGuard interface, `host:port` (in the offer and every grant).
    public var endpoint: String
    /// The port of the node's public API on the endpoint's host, where clients run the session
    /// protocol (the offer's `api-PORT` service, `OfferTerms.sessionAPIURL`).
    public var publicAPIPort: Int

    public var publicAPIURL: String {
        let host = endpoint.lastIndex(of: ":").map { String(endpoint[..<$0]) } ?? endpoint
        return "http://\(host):\(publicAPIPort)"
    }

    // MARK: The exit

    /// The WireGuard interface's UDP port.
    public var listenPort: UInt16 = 51820
    public var interfaceName: String = "dvpn0"
    /// nil: the interface of the default route.
    public var egressInterface: String?
    public var allow: [DestinationRule] = []
    public var deny: [DestinationRule] = []
    /// The exit's crash-recovery state (`ExitHostSetup`).
    public var stateDirectory: String = "/run/dvpn"
    /// Inner MTU announced in grants and set on the interface.
    public var mtu: UInt16 = 1420
    /// The resolver clients use inside the tunnel (announced in grants; the exit forwards to it).
    public var dnsIPv4: IPv4Address = IPv4Address(1, 1, 1, 1)
    public var dnsIPv6: IPv6Address = IPv6Address(groups: [0x2606, 0x4700, 0x4700, 0, 0, 0, 0, 0x1111])

    // MARK: Sessions

    /// At most this many sessions at once (`--max-sessions`); also bounded by the address pool.
    public var maxSessions: Int = 1000
    /// A session is cut off (`bandwidthCap`) once its inner bytes reach this; nil: no cap.
    public var sessionByteCap: UInt64?
    public var schedule: StepSchedule = .standard
    /// How long the first voucher may take (cut-off `noFirstVoucher`).
    public var gracePeriodMilliseconds: UInt64 = 10_000
    /// A session held at its forwarding limit this long without a new voucher is cut off as
    /// `unpaid`: it stopped paying (with a per-GiB price only, the debt itself never passes the
    /// limit, because the exit holds the packets there).
    public var unpaidHoldMilliseconds: UInt64 = 10_000
    /// Interim redemption once this much is held and not yet redeemed.
    public var redemptionThreshold: Amount = Amount(udvpn: Amount.udvpnPerDVPN)
    /// How often the session manager reads the counters and decides (cut-offs, limits).
    public var tickInterval: Duration = .milliseconds(200)
    /// How often channel records are re-read from the ledger (top-ups, closes).
    public var channelRefreshMilliseconds: UInt64 = 1_000
    /// Fee of the operator's own transactions (offer upkeep, redemptions) as a multiple of the
    /// chain's minimum.
    public var feeMultiplier: UInt64 = 10

    public init(country: String, price: Price, bandwidthMbps: UInt64, endpoint: String, publicAPIPort: Int) {
        self.country = country
        self.price = price
        self.bandwidthMbps = bandwidthMbps
        self.endpoint = endpoint
        self.publicAPIPort = publicAPIPort
    }
}
