import DVPNLedger

/// Integer arithmetic for prices, amounts and byte counts that reports overflow instead of trapping
/// (HELPERS: no unchecked arithmetic on remote values; a price comes from an offer, a byte count
/// from traffic a peer chose).
enum CheckedArithmetic {
    /// ⌈a·b / d⌉ with a 128-bit intermediate product, or nil when the result does not fit in
    /// UInt64. `d` > 0.
    static func multiplyDivideRoundingUp(_ a: UInt64, _ b: UInt64, _ d: UInt64) -> UInt64? {
        precondition(d > 0, "division by zero in a price computation")
        let product = a.multipliedFullWidth(by: b)
        // dividingFullWidth traps when the quotient does not fit: exactly when high ≥ d.
        guard product.high < d else { return nil }
        let (quotient, remainder) = d.dividingFullWidth(product)
        guard remainder > 0 else { return quotient }
        let (rounded, overflow) = quotient.addingReportingOverflow(1)
        return overflow ? nil : rounded
    }

    /// ⌊a·b / d⌋, saturating at UInt64.max. `d` > 0.
    static func multiplyDivideSaturating(_ a: UInt64, _ b: UInt64, _ d: UInt64) -> UInt64 {
        precondition(d > 0, "division by zero in a price computation")
        let product = a.multipliedFullWidth(by: b)
        guard product.high < d else { return .max }
        return d.dividingFullWidth(product).quotient
    }

    /// a + b, or a `PaymentError.outOfRange` naming `what`.
    static func add(_ a: Amount, _ b: Amount, _ what: @autoclosure () -> String) throws(PaymentError) -> Amount {
        let (sum, overflow) = a.udvpn.addingReportingOverflow(b.udvpn)
        guard !overflow else { throw PaymentError(.outOfRange, "\(what()) overflows the largest amount") }
        return Amount(udvpn: sum)
    }

    /// a + b, saturating at the largest amount (for bounds, where "more than anything" is the
    /// right answer).
    static func addSaturating(_ a: Amount, _ b: Amount) -> Amount {
        let (sum, overflow) = a.udvpn.addingReportingOverflow(b.udvpn)
        return Amount(udvpn: overflow ? .max : sum)
    }

    /// a − b, or 0 when b ≥ a.
    static func subtractClamped(_ a: Amount, _ b: Amount) -> Amount {
        Amount(udvpn: a.udvpn > b.udvpn ? a.udvpn - b.udvpn : 0)
    }
}
