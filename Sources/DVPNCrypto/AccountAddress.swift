/// A ledger account address: the bech32m string (BIP-350) with human-readable part `dvpn` of the
/// account's 32-byte x-only Schnorr public key, e.g. `dvpn1…` (63 characters).
///
/// bech32m rather than bech32 because BIP-350 fixes bech32's insertion weakness, and the checksum
/// detects any four mistyped characters, so a typo never sends funds to another valid account.
/// Parsing accepts the all-uppercase form (BIP-173 allows it, for QR codes); `string` is always
/// lowercase.
public struct AccountAddress: Hashable, Sendable, CustomStringConvertible {
    /// The prefix of every address.
    public static let humanReadablePart = "dvpn"

    public let publicKey: Schnorr.PublicKey

    public init(publicKey: Schnorr.PublicKey) {
        self.publicKey = publicKey
    }

    /// Parses `dvpn1…`. Throws `.invalidEncoding` for a malformed string, another prefix, a bech32
    /// (not bech32m) checksum or a payload that is not 32 bytes, and `.invalidKey` when the
    /// payload is not the x coordinate of a secp256k1 point.
    public init(string: String) throws(CryptoError) {
        let decoded = try Bech32.decode(string)
        guard decoded.hrp == Self.humanReadablePart else {
            throw Bech32.invalid("address prefix is '\(decoded.hrp)', expected '\(Self.humanReadablePart)'")
        }
        guard decoded.variant == .bech32m else {
            throw Bech32.invalid("address has a \(decoded.variant) checksum; dvpn addresses use bech32m (BIP-350)")
        }
        let payload = try Bech32.bytes(fromGroups: decoded.groups)
        guard payload.count == Schnorr.publicKeyByteCount else {
            throw Bech32.invalid("address carries \(payload.count) bytes, expected a \(Schnorr.publicKeyByteCount)-byte public key")
        }
        publicKey = try Schnorr.PublicKey(rawRepresentation: payload)
    }

    /// The canonical lowercase `dvpn1…` form.
    public var string: String {
        Bech32m.encode(hrp: Self.humanReadablePart, data: publicKey.rawRepresentation)
    }

    public var description: String { string }
}
