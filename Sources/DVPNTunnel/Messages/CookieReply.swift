/// Cookie reply, message type 3, 64 bytes (whitepaper §5.4.7):
///
/// ```
/// type (1) ‖ reserved (3) ‖ receiver (4) ‖ nonce (24) ‖ cookie (16 + 16)
/// ```
///
/// The cookie is sealed with XChaCha20-Poly1305 under `HASH(LABEL_COOKIE ‖ responder static)`,
/// with the MAC1 of the message it answers as associated data.
struct CookieReply {
    static let byteCount = 64

    var receiver: UInt32
    var nonce: [UInt8]
    var encryptedCookie: [UInt8]

    init(receiver: UInt32, nonce: [UInt8], encryptedCookie: [UInt8]) {
        precondition(nonce.count == 24 && encryptedCookie.count == 32)
        self.receiver = receiver
        self.nonce = nonce
        self.encryptedCookie = encryptedCookie
    }

    /// Parses a datagram that `MessageType.classify` found to be a cookie reply.
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Self.byteCount)
        receiver = bytes.loadLittleEndianUInt32(at: 4)
        nonce = bytes.bytes(at: 8, count: 24)
        encryptedCookie = bytes.bytes(at: 32, count: 32)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(MessageType.cookieReply.rawValue), 0, 0, 0]
        out.reserveCapacity(Self.byteCount)
        out.appendLittleEndian(receiver)
        out += nonce
        out += encryptedCookie
        assert(out.count == Self.byteCount)
        return out
    }
}
