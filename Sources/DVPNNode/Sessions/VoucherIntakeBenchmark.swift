import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation

/// How many vouchers per second the operator verifies and persists (issue 8's marketplace
/// benchmark; BENCHMARKS.md, "Marketplace"), measured on the operator's own intake path without
/// HTTP or a tunnel: `VoucherIntake.take`, which `SessionManager` runs for every voucher
/// (`PayeeSession.receive` with its BIP340 check, then `OperatorStore.storeBest`, an SQLite
/// transaction in WAL mode with `synchronous = FULL`, so one fsync per voucher).
///
/// Public only so that `dvpn-bench vouchers` can run it; nothing in the node calls it.
public enum VoucherIntakeBenchmark {
    /// Signs `count` increasing vouchers spread over `channels` channels (not timed), then times
    /// their intake in submission order, one after the other, into a fresh `operator.sqlite` in
    /// `directory`; the wall time they took. Throws when any voucher is refused or not stored: a
    /// benchmark of a path that failed measures nothing.
    public static func run(vouchers count: Int, channels: Int, directory: String) throws -> Duration {
        precondition(count > 0 && channels > 0, "the benchmark needs vouchers and channels")
        let chainID = "dvpn-bench-1"
        let store = try OperatorStore(path: (directory as NSString).appendingPathComponent(OperatorStore.fileName))
        let payers = (0..<channels).map { _ in Schnorr.PrivateKey() }
        let payee = Schnorr.PrivateKey().publicKey
        let price = Price(perGiB: Amount(udvpn: 2_000_000))
        var sessions: [PayeeSession] = []
        for (index, payer) in payers.enumerated() {
            let channel = UInt64(index + 1)
            let record = ChannelRecord(
                payer: payer.publicKey, payee: payee, clientTunnelKey: X25519.PrivateKey().publicKey.rawRepresentation,
                deposit: UInt64.max / 2, expiry: 1_000_000, openedAt: 1)
            try store.updateChannel(channel, record: record, now: 0)
            sessions.append(PayeeSession(
                configuration: PayeeSession.Configuration(
                    chainID: chainID, channel: channel, payer: payer.publicKey, price: price,
                    redemptionThreshold: Amount(udvpn: UInt64.max / 2)),
                channel: record, best: nil, startedAt: .zero))
        }
        var vouchers: [(session: Int, voucher: Voucher)] = []
        vouchers.reserveCapacity(count)
        for index in 0..<count {
            let session = index % channels
            let round = UInt64(index / channels + 1)
            vouchers.append((session, try Voucher(
                chainID: chainID, channel: UInt64(session + 1), cumulative: Amount(udvpn: round * 1_000),
                payerKey: payers[session])))
        }

        let clock = ContinuousClock()
        let start = clock.now
        for (index, voucher) in vouchers {
            guard case .held = VoucherIntake.take(voucher, into: &sessions[index], store: store, now: 0) else {
                throw NodeError(.refused, "the benchmark's voucher for channel \(voucher.channel) was not taken")
            }
        }
        return clock.now - start
    }
}
