import DVPNCrypto
import Testing

@Suite("dvpn1… account addresses")
struct AccountAddressTests {
    /// Addresses computed outside this code base, by a separate transcription of BIP-350's
    /// reference encoder (Python), for BIP340 vector 0's public key and for G's x coordinate. The
    /// second one's data part equals that of BIP-350's `bc1p0xlxvlh…` vector after its
    /// witness-version character, as it should: the same 32 bytes.
    static let knownAnswers: [(publicKey: String, address: String)] = [
        ("F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9",
         "dvpn1lycg5qvjtrp3qjf5f7zl382j9x6nrjz9sdhenvyxq8c3808qxmus2d6d25"),
        ("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798",
         "dvpn10xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq3nj72r"),
    ]

    @Test("known answers from an independent bech32m encoder")
    func knownAnswers() throws {
        for (hex, string) in Self.knownAnswers {
            let key = try Schnorr.PublicKey(rawRepresentation: [UInt8](hex: hex))
            #expect(AccountAddress(publicKey: key).string == string)
            #expect(try AccountAddress(string: string).publicKey == key)
        }
    }

    @Test("random keys round-trip through their address, in either case")
    func roundTrip() throws {
        for _ in 0..<200 {
            let address = AccountAddress(publicKey: Schnorr.PrivateKey().publicKey)
            let string = address.string
            #expect(string.hasPrefix("dvpn1") && string.count == 63 && string == string.lowercased())
            #expect(address.description == string)
            #expect(try AccountAddress(string: string) == address)
            #expect(try AccountAddress(string: string.uppercased()) == address)
        }
    }

    @Test("wrong prefix, bech32 instead of bech32m, wrong payload length are .invalidEncoding")
    func rejectsMalformed() throws {
        let key = Schnorr.PrivateKey().publicKey.rawRepresentation
        let cases: [(String, String)] = [
            (Bech32m.encode(hrp: "dvpx", data: key), "prefix is 'dvpx', expected 'dvpn'"),
            (Bech32m.encode(hrp: "bc", data: key), "prefix is 'bc', expected 'dvpn'"),
            (Bech32.encode(hrp: "dvpn", data: key, variant: .bech32), "bech32 checksum; dvpn addresses use bech32m"),
            (Bech32m.encode(hrp: "dvpn", data: Array(key.prefix(31))), "carries 31 bytes"),
            (Bech32m.encode(hrp: "dvpn", data: key + [0]), "carries 33 bytes"),
            (Bech32m.encode(hrp: "dvpn", data: [UInt8]()), "carries 0 bytes"),
            (String(AccountAddress(publicKey: try Schnorr.PublicKey(rawRepresentation: key)).string.dropLast()), "checksum does not match"),
            ("dvpn1", "too short"),
            ("", "no separator"),
        ]
        for (string, reason) in cases {
            let error = #expect(throws: CryptoError.self, "\(string)") { try AccountAddress(string: string) }
            #expect(error?.code == .invalidEncoding, "\(string): \(String(describing: error))")
            #expect(error?.reason.contains(reason) == true, "\(string): \(String(describing: error))")
        }
    }

    @Test("a payload that is not the x coordinate of a curve point is .invalidKey")
    func rejectsPointsOffTheCurve() throws {
        // BIP340 vector 5 ("public key not on the curve") and 14 ("exceeds the field size").
        for hex in ["EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34",
                    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC30"] {
            let string = Bech32m.encode(hrp: "dvpn", data: try [UInt8](hex: hex))
            let error = #expect(throws: CryptoError.self) { try AccountAddress(string: string) }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test("every single mistyped character is caught (bech32m detects up to 4 substitutions)")
    func everySubstitutionIsRejected() {
        let address = AccountAddress(publicKey: Schnorr.PrivateKey().publicKey).string
        let characters = Array(address.utf8)
        let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
        var tried = 0
        for position in characters.indices where position != 4 {  // 4 is the separator
            for replacement in alphabet where replacement != characters[position] {
                var typo = characters
                typo[position] = replacement
                tried += 1
                let typed = String(decoding: typo, as: UTF8.self)
                #expect(throws: CryptoError.self, "\(typed)") { try AccountAddress(string: typed) }
            }
        }
        #expect(tried == 62 * 31)
    }
}
