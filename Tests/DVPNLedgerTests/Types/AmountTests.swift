import DVPNLedger
import Testing

@Suite("Amount")
struct AmountTests {
    @Test("DVPN decimals parse to exact udvpn", arguments: [
        ("0.05", UInt64(50_000)), ("0", 0), ("1", 1_000_000), ("1.5", 1_500_000), ("0.000001", 1),
        ("12.345678", 12_345_678), ("007.10", 7_100_000), ("18446744073709.551615", .max),
    ])
    func parses(_ text: String, _ udvpn: UInt64) throws {
        #expect(try Amount(dvpn: text).udvpn == udvpn)
    }

    @Test("malformed decimals are rejected", arguments: [
        "", ".", "1.", ".5", "-1", "+1", "1e3", "1E3", " 1", "1 ", "1,5", "0.0000001", "1.2.3", "0x10", "١", "∞",
        "18446744073709.551616", "99999999999999999999", "NaN",
    ])
    func rejects(_ text: String) {
        #expect(throws: LedgerError.self) { try Amount(dvpn: text) }
    }

    @Test("formatting drops trailing zeros and round-trips", arguments: [
        (UInt64(50_000), "0.05"), (0, "0"), (1, "0.000001"), (2_000_000, "2"), (1_234_500, "1.2345"), (.max, "18446744073709.551615"),
    ])
    func formats(_ udvpn: UInt64, _ text: String) throws {
        let amount = Amount(udvpn: udvpn)
        #expect(amount.dvpnString == text)
        #expect(try Amount(dvpn: amount.dvpnString) == amount)
    }

    @Test("arithmetic is checked")
    func checked() throws {
        #expect(try Amount(udvpn: 2).adding(Amount(udvpn: 3)) == Amount(udvpn: 5))
        #expect(try Amount(udvpn: 5).subtracting(Amount(udvpn: 5)) == .zero)
        #expect(throws: LedgerError.self) { try Amount(udvpn: .max).adding(Amount(udvpn: 1)) }
        #expect(throws: LedgerError.self) { try Amount(udvpn: 1).subtracting(Amount(udvpn: 2)) }
        #expect(throws: LedgerError.self) { try Amount.sum([Amount(udvpn: .max), Amount(udvpn: 1)]) }
    }

    @Test("every udvpn value survives format and parse")
    func roundTripsEverywhere() throws {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<10_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let amount = Amount(udvpn: x >> (x & 63))
            #expect(try Amount(dvpn: amount.dvpnString) == amount)
        }
    }
}
