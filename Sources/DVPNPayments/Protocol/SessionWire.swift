import DVPNCrypto
import DVPNLedger

/// Shared pieces of the session protocol's messages (docs/session-protocol.md): the signing
/// domains, the field readers for keys and signatures, and the one place where a decoding error
/// becomes a `PaymentError`.
public enum SessionWire {
    /// Signed by the payer: "open a session on this channel for this tunnel key".
    public static let requestDomain = SigningDomain(tag: "dvpn/session-request/v1")
    /// Signed by the operator: the addresses, price and schedule it grants.
    public static let grantDomain = SigningDomain(tag: "dvpn/session-grant/v1")
    /// Signed by the operator: what it holds of a voucher, or why it cut off.
    public static let receiptDomain = SigningDomain(tag: "dvpn/voucher-receipt/v1")
    /// Signed by the payer: "I end this session".
    public static let endDomain = SigningDomain(tag: "dvpn/session-end/v2")

    public static let nonceByteCount = 16
    public static let sessionIDByteCount = 16
    /// `host:port`, a DNS name of at most 253 bytes or a bracketed IPv6 literal, and a port.
    public static let endpointMaxLength = 261

    /// Stands in for the signature while a message's own fields are encoded for signing.
    static var placeholderSignature: Schnorr.Signature {
        // 64 bytes are always the right length, the only thing the initialiser checks.
        guard let zero = try? Schnorr.Signature(rawRepresentation: [UInt8](repeating: 0, count: Schnorr.signatureByteCount))
        else { preconditionFailure("a 64-byte signature was refused") }
        return zero
    }

    /// Throws unless `sessionID` has the protocol's length (messages built locally).
    static func checkSessionID(_ sessionID: [UInt8]) throws(PaymentError) {
        guard sessionID.count == sessionIDByteCount else {
            throw PaymentError(.outOfRange, "a session id is \(sessionIDByteCount) bytes, got \(sessionID.count)")
        }
    }

    /// Decodes one whole message, turning the encoding error into `PaymentError.malformed`.
    static func decode<T: CanonicalDecodable>(_ type: T.Type, from bytes: [UInt8]) throws(PaymentError) -> T {
        do {
            return try T(canonicalBytes: bytes)
        } catch {
            throw PaymentError(.malformed, "\(T.self): \(error.reason)")
        }
    }
}

/// A session message that one party signs: the signed part is everything but the trailing
/// 64-byte signature, under the type's domain and the chain id.
protocol SignedSessionMessage: CanonicalCodable {
    static var domain: SigningDomain { get }
    var signature: Schnorr.Signature { get }
    func encodeSignedPart(to encoder: inout CanonicalEncoder)
}

extension SignedSessionMessage {
    /// The bytes the signer signs (docs/encoding.md, "Signing domains").
    func signedBytes(chainID: String) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encodeSignedPart(to: &encoder)
        return Self.domain.message(chainID: chainID, body: encoder.bytes)
    }

    func verify(by key: Schnorr.PublicKey, chainID: String) -> Bool {
        key.isValidSignature(signature, for: signedBytes(chainID: chainID))
    }

    static func sign(_ bytes: [UInt8], with key: Schnorr.PrivateKey) throws(PaymentError) -> Schnorr.Signature {
        do {
            return try key.signature(for: bytes)
        } catch {
            throw PaymentError(.signing, "cannot sign \(Self.self): \(error.reason)")
        }
    }

    /// The whole message: the signed part, then the signature.
    func encodeWithSignature(to encoder: inout CanonicalEncoder) {
        encodeSignedPart(to: &encoder)
        encoder.encode(fixed: signature.rawRepresentation, count: Schnorr.signatureByteCount)
    }
}

extension CanonicalDecoder {
    mutating func decodeSchnorrKey(field: String) throws(LedgerError) -> Schnorr.PublicKey {
        try decodeFixed(Schnorr.publicKeyByteCount, field: field) { bytes throws(CryptoError) in
            try Schnorr.PublicKey(rawRepresentation: bytes)
        }
    }

    mutating func decodeSchnorrSignature(field: String = "signature") throws(LedgerError) -> Schnorr.Signature {
        try decodeFixed(Schnorr.signatureByteCount, field: field) { bytes throws(CryptoError) in
            try Schnorr.Signature(rawRepresentation: bytes)
        }
    }

    mutating func decodeTunnelKey(field: String) throws(LedgerError) -> X25519.PublicKey {
        try decodeFixed(X25519.keyByteCount, field: field) { bytes throws(CryptoError) in
            try X25519.PublicKey(rawRepresentation: bytes)
        }
    }

    /// `count` bytes made into a key or signature by `make`, whose error becomes a decoding error.
    private mutating func decodeFixed<T>(
        _ count: Int, field: String, as make: ([UInt8]) throws(CryptoError) -> T
    ) throws(LedgerError) -> T {
        let bytes = try decodeFixed(count: count, field: field)
        do {
            return try make(bytes)
        } catch {
            throw LedgerError(.malformedEncoding, "\(field): \(error.reason)")
        }
    }
}

extension CanonicalEncoder {
    mutating func encode(key: Schnorr.PublicKey) {
        encode(fixed: key.rawRepresentation, count: Schnorr.publicKeyByteCount)
    }

    mutating func encode(tunnelKey: X25519.PublicKey) {
        encode(fixed: tunnelKey.rawRepresentation, count: X25519.keyByteCount)
    }
}

/// A voucher inside a message: `u64 channel ‖ u64 cumulative ‖ signature[64]`, the same 80 bytes
/// as its hex form.
extension Voucher: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(channel)
        encoder.encode(cumulative)
        encoder.encode(fixed: signature.rawRepresentation, count: Schnorr.signatureByteCount)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        self.init(
            channel: try decoder.decodeUInt64(field: "channel"),
            cumulative: try decoder.decode(Amount.self, field: "cumulative"),
            signature: try decoder.decodeSchnorrSignature())
    }
}
