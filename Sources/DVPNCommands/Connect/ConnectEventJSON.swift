import DVPNClient
import DVPNLedger

/// A `ConnectEvent` as one `--json` line: `event` names it, amounts are DVPN decimals next to
/// udvpn integers, as every `--json` output of `dvpn`.
struct ConnectEventJSON: Encodable {
    var event: String
    var `operator`: String?
    var from: String?
    var to: String?
    var country: String?
    var price: String?
    var roundTripMs: UInt64?
    var candidates: Int?
    var channel: UInt64?
    var amount: String?
    var deposit: String?
    var height: UInt64?
    var reason: String?
    var message: String?
    var status: ConnectStatus?
    var summary: SummaryJSON?

    struct SummaryJSON: Encodable {
        let bytes: UInt64
        let paid: String
        let paidUdvpn: UInt64
        let refunded: String
        let refundedUdvpn: UInt64
        let abandonedChannels: [UInt64]
        let keptChannels: [UInt64]
        let cutOff: String?
    }

    init(_ event: ConnectEvent) {
        switch event {
        case .selected(let address, let country, let price, let rtt, let count):
            self.event = "selected"
            self.operator = address
            self.country = country
            self.price = price
            roundTripMs = rtt
            candidates = count
        case .channelOpened(let channel, let deposit, let height):
            self.event = "channelOpened"
            self.channel = channel
            self.deposit = deposit.dvpnString
            self.height = height
        case .channelReused(let channel, let left):
            self.event = "channelReused"
            self.channel = channel
            amount = left.dvpnString
        case .connected(let status):
            self.event = "connected"
            self.status = status
        case .status(let status):
            self.event = "status"
            self.status = status
        case .toppedUp(let channel, let amount, let deposit):
            self.event = "toppedUp"
            self.channel = channel
            self.amount = amount.dvpnString
            self.deposit = deposit.dvpnString
        case .switched(let from, let to, let reason):
            self.event = "switched"
            self.from = from
            self.to = to
            self.reason = reason
        case .channelSettling(let channel, let what):
            self.event = "channelSettling"
            self.channel = channel
            message = what
        case .cutOff(let reason):
            self.event = "cutOff"
            self.reason = reason
        case .warning(let text):
            self.event = "warning"
            message = text
        case .summary(let summary):
            self.event = "summary"
            self.summary = SummaryJSON(
                bytes: summary.bytes, paid: Amount(udvpn: summary.paid).dvpnString, paidUdvpn: summary.paid,
                refunded: Amount(udvpn: summary.refunded).dvpnString, refundedUdvpn: summary.refunded,
                abandonedChannels: summary.abandonedChannels, keptChannels: summary.keptChannels,
                cutOff: summary.cutOff)
        }
    }
}
