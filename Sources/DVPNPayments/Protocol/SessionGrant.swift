import DVPNCrypto
import DVPNLedger

/// Node → client: the session is admitted (docs/session-protocol.md). Signed by the operator's
/// ledger key under `dvpn/session-grant/v1`; it names the request's nonce and the client's tunnel
/// key, so it answers that one request and cannot be replayed for another.
///
/// Encoding: `sessionID[16] ‖ u64 channel ‖ requestNonce[16] ‖ clientTunnelKey[32] ‖
/// operator[32] ‖ nodeTunnelKey[32] ‖ string endpoint (≤ 261) ‖ ipv4[4] ‖ ipv6[16] ‖ dnsIPv4[4] ‖
/// dnsIPv6[16] ‖ u16 mtu ‖ price (u64 perGiB ‖ u64 perHour) ‖ schedule (4 × u64 ‖ u16) ‖
/// u64 gracePeriodMilliseconds ‖ signature[64]`. The inner addresses are single hosts (/32, /128).
public struct SessionGrant: Hashable, Sendable {
    public var sessionID: [UInt8]
    public var channel: UInt64
    public var requestNonce: [UInt8]
    public var clientTunnelKey: X25519.PublicKey
    public var `operator`: Schnorr.PublicKey
    public var nodeTunnelKey: X25519.PublicKey
    /// The node's WireGuard endpoint, `host:port`.
    public var endpoint: String
    /// The client's inner addresses, network byte order.
    public var ipv4: [UInt8]
    public var ipv6: [UInt8]
    /// The DNS resolver inside the tunnel.
    public var dnsIPv4: [UInt8]
    public var dnsIPv6: [UInt8]
    /// Inner MTU, 1280–9000 (IPv6 needs at least 1280).
    public var mtu: UInt16
    public var price: Price
    public var schedule: StepSchedule
    public var gracePeriodMilliseconds: UInt64
    public private(set) var signature: Schnorr.Signature

    public static let mtuRange: ClosedRange<UInt16> = 1280...9000

    /// The unsigned grant; `sign(chainID:operatorKey:)` makes it sendable.
    public init(
        sessionID: [UInt8], channel: UInt64, requestNonce: [UInt8], clientTunnelKey: X25519.PublicKey,
        operator: Schnorr.PublicKey, nodeTunnelKey: X25519.PublicKey, endpoint: String, ipv4: [UInt8], ipv6: [UInt8],
        dnsIPv4: [UInt8], dnsIPv6: [UInt8], mtu: UInt16, price: Price, schedule: StepSchedule, gracePeriodMilliseconds: UInt64
    ) throws(PaymentError) {
        self.sessionID = sessionID
        self.channel = channel
        self.requestNonce = requestNonce
        self.clientTunnelKey = clientTunnelKey
        self.operator = `operator`
        self.nodeTunnelKey = nodeTunnelKey
        self.endpoint = endpoint
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.dnsIPv4 = dnsIPv4
        self.dnsIPv6 = dnsIPv6
        self.mtu = mtu
        self.price = price
        self.schedule = schedule
        self.gracePeriodMilliseconds = gracePeriodMilliseconds
        signature = SessionWire.placeholderSignature
        try validate()
    }

    /// Signs the grant with the operator's key (which must be `operator`).
    public mutating func sign(chainID: String, operatorKey: Schnorr.PrivateKey) throws(PaymentError) {
        guard operatorKey.publicKey == `operator` else {
            throw PaymentError(.signing, "the grant names another operator than the signing key")
        }
        signature = try Self.sign(signedBytes(chainID: chainID), with: operatorKey)
    }

    /// Parses and checks the field ranges (not the signature: `isSigned(chainID:)`).
    public init(decoding bytes: [UInt8]) throws(PaymentError) {
        self = try SessionWire.decode(Self.self, from: bytes)
        try validate()
    }

    public var encoded: [UInt8] { canonicalBytes }

    /// Whether the operator named in the grant signed it for `chainID`. The client also checks
    /// that `operator` is the offer's owner and that `requestNonce` is its request's.
    public func isSigned(chainID: String) -> Bool { verify(by: `operator`, chainID: chainID) }

    func validate() throws(PaymentError) {
        guard sessionID.count == SessionWire.sessionIDByteCount, requestNonce.count == SessionWire.nonceByteCount,
            ipv4.count == 4, ipv6.count == 16, dnsIPv4.count == 4, dnsIPv6.count == 16
        else { throw PaymentError(.outOfRange, "session grant: a field has the wrong length") }
        guard Self.mtuRange.contains(mtu) else {
            throw PaymentError(.outOfRange, "session grant: MTU \(mtu) is outside \(Self.mtuRange)")
        }
        guard !endpoint.isEmpty, endpoint.utf8.count <= SessionWire.endpointMaxLength else {
            throw PaymentError(.outOfRange, "session grant: the endpoint is empty or longer than \(SessionWire.endpointMaxLength) bytes")
        }
        try schedule.validate()
    }
}

extension SessionGrant: SignedSessionMessage {
    static var domain: SigningDomain { SessionWire.grantDomain }

    public func encode(to encoder: inout CanonicalEncoder) { encodeWithSignature(to: &encoder) }

    func encodeSignedPart(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: sessionID, count: SessionWire.sessionIDByteCount)
        encoder.encode(channel)
        encoder.encode(fixed: requestNonce, count: SessionWire.nonceByteCount)
        encoder.encode(tunnelKey: clientTunnelKey)
        encoder.encode(key: `operator`)
        encoder.encode(tunnelKey: nodeTunnelKey)
        encoder.encode(string: endpoint, maxLength: SessionWire.endpointMaxLength, field: "endpoint")
        encoder.encode(fixed: ipv4, count: 4)
        encoder.encode(fixed: ipv6, count: 16)
        encoder.encode(fixed: dnsIPv4, count: 4)
        encoder.encode(fixed: dnsIPv6, count: 16)
        encoder.encode(mtu)
        encoder.encode(price)
        encoder.encode(schedule)
        encoder.encode(gracePeriodMilliseconds)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        sessionID = try decoder.decodeFixed(count: SessionWire.sessionIDByteCount, field: "sessionID")
        channel = try decoder.decodeUInt64(field: "channel")
        requestNonce = try decoder.decodeFixed(count: SessionWire.nonceByteCount, field: "requestNonce")
        clientTunnelKey = try decoder.decodeTunnelKey(field: "clientTunnelKey")
        `operator` = try decoder.decodeSchnorrKey(field: "operator")
        nodeTunnelKey = try decoder.decodeTunnelKey(field: "nodeTunnelKey")
        endpoint = try decoder.decodeString(maxLength: SessionWire.endpointMaxLength, field: "endpoint")
        ipv4 = try decoder.decodeFixed(count: 4, field: "ipv4")
        ipv6 = try decoder.decodeFixed(count: 16, field: "ipv6")
        dnsIPv4 = try decoder.decodeFixed(count: 4, field: "dnsIPv4")
        dnsIPv6 = try decoder.decodeFixed(count: 16, field: "dnsIPv6")
        mtu = try decoder.decodeUInt16(field: "mtu")
        price = try decoder.decode(Price.self, field: "price")
        schedule = try decoder.decode(StepSchedule.self, field: "schedule")
        gracePeriodMilliseconds = try decoder.decodeUInt64(field: "gracePeriodMilliseconds")
        signature = try decoder.decodeSchnorrSignature()
    }
}
