/// The 16-byte header of a transport data message (whitepaper §5.4.6): type 4 and three zero
/// bytes, the receiver's index (little-endian), the 64-bit counter (little-endian). The
/// ciphertext (padded plaintext and the 16-byte tag) follows.
public enum TransportHeader {
    public static let byteCount = 16
    /// The smallest transport message: a header and the tag of an empty (keepalive) payload.
    public static let minimumMessageByteCount = byteCount + 16
}
