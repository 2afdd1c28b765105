import DVPNLedger

/// Saturating and clamped amount arithmetic for the client's own budget bookkeeping (what was
/// spent, what is left of `--max-spend`): a budget never wraps, it stops at the ends.
enum AmountMath {
    static func add(_ a: Amount, _ b: Amount) -> Amount {
        let (sum, overflow) = a.udvpn.addingReportingOverflow(b.udvpn)
        return Amount(udvpn: overflow ? .max : sum)
    }

    static func subtract(_ a: Amount, _ b: Amount) -> Amount { Amount(udvpn: a.udvpn >= b.udvpn ? a.udvpn - b.udvpn : 0) }
}
