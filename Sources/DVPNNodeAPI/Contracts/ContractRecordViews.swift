import DVPNCrypto
import DVPNLedger
import DVPNPayments

/// How the contracts' stored records read in the API: one conversion each, shared by the server
/// (which decodes committed state) and by clients that decode proven state values themselves.
extension NodeAPI.Channel {
    public init(id: UInt64, record: ChannelRecord) {
        self.init(
            id: id, payer: AccountAddress(publicKey: record.payer).string,
            payee: AccountAddress(publicKey: record.payee).string,
            deposit: record.deposit, redeemed: record.redeemed, expiryHeight: record.expiry,
            settlementHeight: record.status == 1 ? record.settleAfter : nil,
            tunnelKey: Base64.encode(record.clientTunnelKey),
            state: ["open", "closing", "settled"][Int(record.status)])
    }
}

extension NodeAPI.Offer {
    /// `stale` is judged at `height`: the heartbeat is older than the registry's lifetime.
    public init(record: OfferRecord, height: UInt64) {
        let terms = record.terms
        self.init(
            operator: AccountAddress(publicKey: record.owner).string, country: terms.country,
            pricePerGiB: terms.pricePerGiB.udvpn, pricePerHour: terms.pricePerHour?.udvpn,
            bandwidthMbps: terms.bandwidthMbps, endpoint: terms.endpoint, tunnelKey: terms.tunnelKey.base64,
            services: terms.services, heartbeatHeight: record.lastHeartbeat, stale: height > record.staleAfter)
    }
}
