import DVPNCrypto

/// BIP340 verification for `dvpn.schnorr_verify`, through DVPNCrypto (libsecp256k1).
///
/// Malformed keys or signatures verify as false rather than failing the call: whether a voucher is
/// acceptable is the contract's decision, and "not a valid signature" is its answer.
enum SchnorrVerification {
    static func isValid(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard let key = try? Schnorr.PublicKey(rawRepresentation: publicKey),
            let signature = try? Schnorr.Signature(rawRepresentation: signature)
        else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
