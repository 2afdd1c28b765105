import DVPNCrypto

// Canonical encodings of the DVPNCrypto types the ledger carries. Decoding validates: a public key
// must be a point on secp256k1, so a malformed key is caught at the edge, not at signature time.

extension Schnorr.PublicKey: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: rawRepresentation, count: 32)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeFixed(count: 32)
        do {
            self = try Schnorr.PublicKey(rawRepresentation: raw)
        } catch {
            throw LedgerError(.malformedEncoding, "public key \(Hex.encode(raw)) is not an x-only secp256k1 point")
        }
    }
}

extension Schnorr.Signature: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: rawRepresentation, count: 64)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeFixed(count: 64)
        do {
            self = try Schnorr.Signature(rawRepresentation: raw)
        } catch {
            throw LedgerError(.malformedEncoding, "signature is not 64 bytes")
        }
    }
}

extension AccountAddress: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(publicKey) }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        self.init(publicKey: try decoder.decode(Schnorr.PublicKey.self))
    }
}

extension AccountAddress {
    /// Parses a "dvpn1…" address, reporting a malformed one as a ledger error.
    public static func parse(_ text: String) throws(LedgerError) -> AccountAddress {
        do {
            return try AccountAddress(string: text)
        } catch {
            throw LedgerError(.malformedEncoding, "\"\(text.prefix(100))\" is not a dvpn1… address: \(error.reason)")
        }
    }
}

extension Schnorr.PublicKey {
    /// Keys order by their bytes; validator sets and commits are sorted this way.
    static func byBytes(_ lhs: Schnorr.PublicKey, _ rhs: Schnorr.PublicKey) -> Bool {
        lhs.rawRepresentation.lexicographicallyPrecedes(rhs.rawRepresentation)
    }
}

/// The signing domain the ledger adds to the ones `SigningDomain` names.
extension SigningDomain {
    /// A validator's approval of a validator-set change.
    public static let validatorUpdate = SigningDomain(tag: "dvpn/validator-update/v1")
}
