import DVPNLedger
import Foundation

/// What this client remembers about its channels, in `DATA/channels.json` (mode 0600, replaced
/// atomically): the highest amount it signed on each (so a reused channel continues from there:
/// the ledger shows only what was redeemed, the node may hold more), and the channels it
/// abandoned in a failover, which must be closed unilaterally and reclaimed after the contract's
/// window (`dvpn channel reclaim`).
///
/// The signed amount is written *before* the voucher leaves the process, so a crash can make the
/// client believe it signed more than it sent (harmless: the next voucher is higher), never less
/// (which would make the node refuse its vouchers as not increasing).
public struct ChannelBook: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var channel: UInt64
        /// The operator's address.
        public var payee: String
        /// The highest cumulative voucher signed, udvpn.
        public var signed: UInt64
        /// Abandoned in a failover: close and reclaim it.
        public var abandoned: Bool
        /// Unix ms of the abandonment (for the report).
        public var abandonedAt: UInt64?

        public init(channel: UInt64, payee: String, signed: UInt64, abandoned: Bool = false, abandonedAt: UInt64? = nil) {
            self.channel = channel
            self.payee = payee
            self.signed = signed
            self.abandoned = abandoned
            self.abandonedAt = abandonedAt
        }
    }

    public private(set) var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("channels.json")
    }

    /// The book in `dataDirectory` (empty when there is none yet).
    public static func load(dataDirectory: String) throws(ClientError) -> ChannelBook {
        let path = path(dataDirectory: dataDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return ChannelBook() }
        do {
            return try JSONDecoder().decode(ChannelBook.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ClientError(.storage, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    public func save(dataDirectory: String) throws(ClientError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try PrivateFile.replace(at: Self.path(dataDirectory: dataDirectory), with: encoder.encode(self))
        } catch {
            throw ClientError(.storage, "cannot write \(Self.path(dataDirectory: dataDirectory)): \(error)")
        }
    }

    public func signed(_ channel: UInt64) -> Amount {
        Amount(udvpn: entries.first { $0.channel == channel }?.signed ?? 0)
    }

    /// Records `amount` as signed on `channel` (only ever raises it).
    public mutating func recordSigned(_ amount: Amount, channel: UInt64, payee: String) {
        if let index = entries.firstIndex(where: { $0.channel == channel }) {
            entries[index].signed = max(entries[index].signed, amount.udvpn)
        } else {
            entries.append(Entry(channel: channel, payee: payee, signed: amount.udvpn))
        }
    }

    public mutating func markAbandoned(_ channel: UInt64, payee: String, at unixMilliseconds: UInt64) {
        if let index = entries.firstIndex(where: { $0.channel == channel }) {
            entries[index].abandoned = true
            entries[index].abandonedAt = unixMilliseconds
        } else {
            entries.append(Entry(channel: channel, payee: payee, signed: 0, abandoned: true, abandonedAt: unixMilliseconds))
        }
    }

    /// Forgets a channel that is settled (closed cooperatively or reclaimed).
    public mutating func remove(_ channel: UInt64) { entries.removeAll { $0.channel == channel } }

    public var abandoned: [Entry] { entries.filter(\.abandoned) }
}
