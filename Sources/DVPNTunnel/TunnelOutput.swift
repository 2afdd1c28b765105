/// Where the core puts what it produces. The I/O layer implements it (a batch of UDP datagrams, a
/// batch of TUN writes); tests implement it with arrays.
///
/// The buffers passed in are only valid during the call. For transport packets they point into
/// the caller's own buffer (the core encrypts and decrypts in place), so an implementation that
/// batches may remember the position instead of copying, as long as it flushes before it reuses
/// that buffer. Methods are called synchronously from the entry point that produced the output.
public protocol TunnelOutput {
    /// A UDP datagram to send to `endpoint` (a handshake message, a cookie reply or a transport
    /// packet).
    mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint)
    /// A decrypted IP packet (IPv4 or IPv6, already checked against the sender's allowed IPs) to
    /// write to the TUN device.
    mutating func writeToTUN(_ packet: UnsafeRawBufferPointer)
}
