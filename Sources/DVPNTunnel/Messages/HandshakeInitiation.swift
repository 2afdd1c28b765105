/// Handshake initiation, message type 1, 148 bytes (whitepaper §5.4.2):
///
/// ```
/// type (1) ‖ reserved (3) ‖ sender (4) ‖ ephemeral (32) ‖ static (32 + 16)
///   ‖ timestamp (12 + 16) ‖ mac1 (16) ‖ mac2 (16)
/// ```
struct HandshakeInitiation {
    static let byteCount = 148

    var sender: UInt32
    var ephemeral: [UInt8]
    var encryptedStatic: [UInt8]
    var encryptedTimestamp: [UInt8]
    var mac1 = [UInt8](repeating: 0, count: 16)
    var mac2 = [UInt8](repeating: 0, count: 16)

    init(sender: UInt32, ephemeral: [UInt8], encryptedStatic: [UInt8], encryptedTimestamp: [UInt8]) {
        precondition(ephemeral.count == 32 && encryptedStatic.count == 48 && encryptedTimestamp.count == 28)
        self.sender = sender
        self.ephemeral = ephemeral
        self.encryptedStatic = encryptedStatic
        self.encryptedTimestamp = encryptedTimestamp
    }

    /// Parses a datagram that `MessageType.classify` found to be an initiation.
    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Self.byteCount)
        sender = bytes.loadLittleEndianUInt32(at: 4)
        ephemeral = bytes.bytes(at: 8, count: 32)
        encryptedStatic = bytes.bytes(at: 40, count: 48)
        encryptedTimestamp = bytes.bytes(at: 88, count: 28)
        mac1 = bytes.bytes(at: 116, count: 16)
        mac2 = bytes.bytes(at: 132, count: 16)
    }

    var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(MessageType.initiation.rawValue), 0, 0, 0]
        out.reserveCapacity(Self.byteCount)
        out.appendLittleEndian(sender)
        out += ephemeral
        out += encryptedStatic
        out += encryptedTimestamp
        out += mac1
        out += mac2
        assert(out.count == Self.byteCount)
        return out
    }
}
