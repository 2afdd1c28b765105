import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation

/// How ledger values read on a terminal: DVPN decimals with the unit, short hashes, UTC times.
enum LedgerFormat {
    /// `1.5 DVPN` for 1,500,000 udvpn.
    static func dvpn(_ udvpn: UInt64) -> String { "\(Amount(udvpn: udvpn).dvpnString) DVPN" }

    /// The DVPN decimal alone ("1.5"), for JSON output next to the udvpn integer.
    static func decimal(_ udvpn: UInt64) -> String { Amount(udvpn: udvpn).dvpnString }

    /// A hash cut to its first 16 hex digits, enough to tell blocks and transactions apart.
    static func short(_ hash: String) -> String { hash.count > 16 ? String(hash.prefix(16)) + "…" : hash }

    /// RFC 3339 UTC of a header time.
    static func time(milliseconds: UInt64) -> String { Timestamp(millisecondsSince1970: milliseconds).rfc3339 }

    /// Parses a DVPN decimal from the command line, refusing zero when `positive`; the error is
    /// one line naming the option.
    static func parseAmount(_ text: String, what: String, positive: Bool = true) throws -> Amount {
        let amount: Amount
        do {
            amount = try Amount(dvpn: text)
        } catch {
            throw CommandFailure("\(what): \(error.reason)")
        }
        if positive, amount == .zero { throw CommandFailure("\(what) must be more than 0") }
        return amount
    }
}
