/// BIP340 verification for `dvpn.schnorr_verify`.
///
/// TEMPORARY: DVPNCrypto's `Schnorr` lands with branch `schnorr`; until it is merged every
/// signature is reported invalid (fail closed). Replaced by the DVPNCrypto call when it lands.
enum SchnorrVerification {
    static func isValid(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        false
    }
}
