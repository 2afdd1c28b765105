import NIOCore

/// Length-prefixed frames (docs/p2p.md, "Framing"): `UInt32 big-endian length ‖ bytes`. The
/// bytes are one Noise handshake message or one transport ciphertext.
///
/// The length is checked against the limit as soon as its four bytes have arrived, before a
/// single byte of the body is buffered: a peer that announces 4 GiB costs four bytes of memory
/// and loses its link.
public enum FrameCodec {
    public static let lengthByteCount = 4

    /// Takes one complete frame's body off the front of `buffer`, or returns nil (and leaves the
    /// buffer alone) when more bytes are needed. Throws `.frameTooLarge` for a length above
    /// `maxLength`.
    public static func readFrame(from buffer: inout ByteBuffer, maxLength: Int) throws(GossipError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        guard UInt64(length) <= UInt64(max(0, maxLength)) else {
            throw GossipError(.frameTooLarge, "frame of \(length) bytes exceeds the limit of \(maxLength)")
        }
        guard buffer.readableBytes - lengthByteCount >= Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: lengthByteCount)
        return buffer.readSlice(length: Int(length))
    }

    /// Appends one frame.
    public static func writeFrame(_ body: some Collection<UInt8>, to buffer: inout ByteBuffer) {
        precondition(body.count <= UInt32.max, "a frame body fits a UInt32 length")
        buffer.writeInteger(UInt32(body.count), endianness: .big)
        buffer.writeBytes(body)
    }
}

/// The NIO decoder around `FrameCodec.readFrame`: bytes in, frame bodies out. A frame above the
/// limit fails the channel's pipeline with the `GossipError`, which closes the link.
struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maxLength: Int

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        try FrameCodec.readFrame(from: &buffer, maxLength: maxLength)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}

/// Frame bodies out, length-prefixed bytes on the wire.
struct FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeInteger(UInt32(data.readableBytes), endianness: .big)
        out.writeImmutableBuffer(data)
    }
}
