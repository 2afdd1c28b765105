/// Handshake response, message type 2, 92 bytes (whitepaper §5.4.3):
///
/// ```
/// type (1) ‖ reserved (3) ‖ sender (4) ‖ receiver (4) ‖ ephemeral (32) ‖ empty (0 + 16)
///   ‖ mac1 (16) ‖ mac2 (16)
/// ```
struct HandshakeResponse {
    static let byteCount = 92

    var sender: UInt32
    var receiver: UInt32
    var ephemeral: [UInt8]
    var encryptedNothing: [UInt8]
    var mac1 = [UInt8](repeating: 0, count: 16)
    var mac2 = [UInt8](repeating: 0, count: 16)

    init(sender: UInt32, receiver: UInt32, ephemeral: [UInt8], encryptedNothing: [UInt8]) {
        precondition(ephemeral.count == 32 && encryptedNothing.count == 16)
        self.sender = sender
        self.receiver = receiver
        self.ephemeral = ephemeral
        self.encryptedNothing = encryptedNothing
    }

    /// Parses a datagram that `MessageType.classify` found to be a response.
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Self.byteCount)
        sender = bytes.loadLittleEndianUInt32(at: 4)
        receiver = bytes.loadLittleEndianUInt32(at: 8)
        ephemeral = bytes.bytes(at: 12, count: 32)
        encryptedNothing = bytes.bytes(at: 44, count: 16)
        mac1 = bytes.bytes(at: 60, count: 16)
        mac2 = bytes.bytes(at: 76, count: 16)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(MessageType.response.rawValue), 0, 0, 0]
        out.reserveCapacity(Self.byteCount)
        out.appendLittleEndian(sender)
        out.appendLittleEndian(receiver)
        out += ephemeral
        out += encryptedNothing
        out += mac1
        out += mac2
        assert(out.count == Self.byteCount)
        return out
    }
}
