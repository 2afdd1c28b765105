import DVPNCrypto
import DVPNLedger

/// Client → node: "admit my tunnel key on this channel" (docs/session-protocol.md). Signed by the
/// channel's payer under `dvpn/session-request/v1` and the chain id. The nonce and the timestamp
/// make each request usable once (`SessionAdmission`); naming the operator keeps a request for one
/// node from being replayed at another.
///
/// Encoding: `u64 channel ‖ payer[32] ‖ operator[32] ‖ clientTunnelKey[32] ‖ nonce[16] ‖
/// u64 timestamp (Unix ms) ‖ signature[64]`, 192 bytes.
public struct SessionRequest: Hashable, Sendable {
    public var channel: UInt64
    public var payer: Schnorr.PublicKey
    public var `operator`: Schnorr.PublicKey
    public var clientTunnelKey: X25519.PublicKey
    public var nonce: [UInt8]
    public var timestamp: PaymentInstant
    public var signature: Schnorr.Signature

    /// A signed request. `nonce` must be 16 fresh random bytes (`SecureRandom.bytes(count: 16)`).
    public init(
        chainID: String, channel: UInt64, payerKey: Schnorr.PrivateKey, operator: Schnorr.PublicKey,
        clientTunnelKey: X25519.PublicKey, nonce: [UInt8], timestamp: PaymentInstant
    ) throws(PaymentError) {
        guard nonce.count == SessionWire.nonceByteCount else {
            throw PaymentError(.outOfRange, "a session request nonce is \(SessionWire.nonceByteCount) bytes, got \(nonce.count)")
        }
        self.channel = channel
        payer = payerKey.publicKey
        self.operator = `operator`
        self.clientTunnelKey = clientTunnelKey
        self.nonce = nonce
        self.timestamp = timestamp
        signature = SessionWire.placeholderSignature
        signature = try Self.sign(signedBytes(chainID: chainID), with: payerKey)
    }

    /// Parses a request (not yet checked: see `SessionAdmission.admit`).
    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
    }

    public var encoded: [UInt8] { canonicalBytes }

    /// Whether the payer named in the request signed it for `chainID`.
    public func isSigned(chainID: String) -> Bool { verify(by: payer, chainID: chainID) }
}

extension SessionRequest: SignedSessionMessage {
    static var domain: SigningDomain { SessionWire.requestDomain }

    public func encode(to encoder: inout CanonicalEncoder) { encodeWithSignature(to: &encoder) }

    func encodeSignedPart(to encoder: inout CanonicalEncoder) {
        encoder.encode(channel)
        encoder.encode(key: payer)
        encoder.encode(key: `operator`)
        encoder.encode(tunnelKey: clientTunnelKey)
        encoder.encode(fixed: nonce, count: SessionWire.nonceByteCount)
        encoder.encode(timestamp.milliseconds)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        channel = try decoder.decodeUInt64(field: "channel")
        payer = try decoder.decodeSchnorrKey(field: "payer")
        `operator` = try decoder.decodeSchnorrKey(field: "operator")
        clientTunnelKey = try decoder.decodeTunnelKey(field: "clientTunnelKey")
        nonce = try decoder.decodeFixed(count: SessionWire.nonceByteCount, field: "nonce")
        timestamp = PaymentInstant(milliseconds: try decoder.decodeUInt64(field: "timestamp"))
        signature = try decoder.decodeSchnorrSignature()
    }
}
