/// The four WireGuard message types and how a datagram is classified (whitepaper §5.4).
///
/// The type is the first byte followed by three zero bytes; like wireguard-go we read the first
/// four bytes as one little-endian integer, so a message with non-zero reserved bytes has an
/// unknown type. Handshake messages must have their exact size; a transport message needs at
/// least a header and a tag. Anything else is dropped and counted as invalid.
enum MessageType: UInt32 {
    case initiation = 1
    case response = 2
    case cookieReply = 3
    case transport = 4

    /// The type of `datagram` if its size fits that type, else nil.
    @inline(__always)
    static func classify(_ datagram: UnsafeRawBufferPointer) -> MessageType? {
        guard datagram.count >= 4, let type = MessageType(rawValue: datagram.loadLittleEndianUInt32(at: 0)) else {
            return nil
        }
        switch type {
        case .initiation: return datagram.count == HandshakeInitiation.byteCount ? type : nil
        case .response: return datagram.count == HandshakeResponse.byteCount ? type : nil
        case .cookieReply: return datagram.count == CookieReply.byteCount ? type : nil
        case .transport: return datagram.count >= TransportHeader.minimumMessageByteCount ? type : nil
        }
    }
}

/// What handshake initiations and responses share: MAC1 and MAC2 in their last 32 bytes, and
/// the sender's index at offset 4 (what a cookie reply is addressed to).
enum HandshakeMACs {
    /// Offset of MAC1 from the end: the MACs are the last 32 bytes.
    static func mac1Offset(messageCount: Int) -> Int { messageCount - 2 * WireGuardMAC.byteCount }
    static func mac2Offset(messageCount: Int) -> Int { messageCount - WireGuardMAC.byteCount }
    static let senderOffset = 4
}
