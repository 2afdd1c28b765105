import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Foundation

/// Builds `NodeAPI.OperatorReport` from the operator's store: for `GET /v1/operator/sessions`
/// and for `dvpn-node status`, which opens the store read-only (it may run beside the node).
public enum OperatorReport {
    static func make(store: OperatorStore) throws(NodeError) -> NodeAPI.OperatorReport {
        let sessions = try store.sessions().map { row in
            NodeAPI.OperatorSession(
                id: Hex.encode(row.id), channel: row.channel, payer: AccountAddress(publicKey: row.payer).string,
                clientKey: row.clientKey.base64, ipv4: row.ipv4, ipv6: row.ipv6, startedAt: row.startedAt,
                endedAt: row.endedAt, bytes: row.bytes, endCode: row.endReason?.code, endReason: row.endReason?.summary)
        }
        let channels = try store.allChannels().map { row in
            // A settled channel earned what the ledger paid (a cooperative close charges what was
            // used, below the best voucher by the step paid ahead); an open one, its best voucher.
            let earned = row.status == 2 ? row.redeemed : min(row.best?.cumulative.udvpn ?? 0, row.deposit)
            let unredeemed = row.status == 2 ? 0 : earned - min(earned, row.redeemed)
            return NodeAPI.OperatorChannel(
                id: row.channel, payer: AccountAddress(publicKey: row.payer).string, deposit: row.deposit, earned: earned,
                redeemed: row.redeemed, unredeemed: unredeemed,
                state: ["open", "closing", "settled"][Int(min(row.status, 2))])
        }
        let totals = NodeAPI.OperatorTotals(
            sessions: sessions.count, active: sessions.count { $0.endedAt == nil },
            bytes: sessions.reduce(0) { $0 &+ $1.bytes }, earned: channels.reduce(0) { $0 &+ $1.earned },
            redeemed: channels.reduce(0) { $0 &+ $1.redeemed }, unredeemed: channels.reduce(0) { $0 &+ $1.unredeemed })
        return NodeAPI.OperatorReport(sessions: sessions, channels: channels, totals: totals)
    }

    /// The report of the operator store in `dataDirectory` (`operator.sqlite`), read-only.
    public static func read(dataDirectory: String) throws(NodeError) -> NodeAPI.OperatorReport {
        let path = (dataDirectory as NSString).appendingPathComponent(OperatorStore.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw NodeError(.notFound, "\(path) does not exist: this node has not served as an operator (serve --price)")
        }
        return try make(store: OperatorStore(path: path, readOnly: true))
    }
}
