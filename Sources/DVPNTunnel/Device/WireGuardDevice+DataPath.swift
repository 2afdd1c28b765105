/// The data-path entry points. Each takes the current time and a caller-supplied output sink.
extension WireGuardDevice {
    /// Handles one UDP datagram received from `source`. The datagram is decrypted in place, so
    /// its bytes are overwritten; decrypted IP packets are passed to `output.writeToTUN` as a
    /// view into `datagram`.
    public mutating func handleDatagram<Output: TunnelOutput>(
        _ datagram: UnsafeMutableRawBufferPointer, from source: Endpoint, now: TunnelInstant,
        output: inout Output
    ) {
        statistics.invalidMessages &+= 1  // Implemented in the next commits.
    }

    /// Handles one IP packet read from the TUN device, encrypting it in place.
    ///
    /// The packet lies at `buffer[outgoingHeadroom ..< outgoingHeadroom + packetCount]`, and
    /// `buffer` must extend at least `outgoingTailroom` bytes past it: the header is written in
    /// front and the padding and tag behind, and the finished datagram is passed to
    /// `output.sendDatagram` as a view into `buffer`. No allocation happens when a session exists;
    /// otherwise the packet is copied into the peer's queue and a handshake is started.
    public mutating func handleOutgoingIPPacket<Output: TunnelOutput>(
        inPlace buffer: UnsafeMutableRawBufferPointer, packetCount: Int, now: TunnelInstant,
        output: inout Output
    ) {
        precondition(buffer.count >= Self.outgoingHeadroom + packetCount + Self.outgoingTailroom)
        statistics.noRoute &+= 1  // Implemented in the next commits.
    }

    /// Handles one IP packet read from the TUN device, for callers that do not lay out their
    /// buffers for in-place encryption: the packet is copied into stack scratch space first.
    public mutating func handleOutgoingIPPacket<Output: TunnelOutput>(
        _ packet: UnsafeRawBufferPointer, now: TunnelInstant, output: inout Output
    ) {
        let total = Self.outgoingHeadroom + packet.count + Self.outgoingTailroom
        withUnsafeTemporaryAllocation(byteCount: total, alignment: 16) { scratch in
            if let base = packet.baseAddress, packet.count > 0 {
                (scratch.baseAddress! + Self.outgoingHeadroom).copyMemory(from: base, byteCount: packet.count)
            }
            handleOutgoingIPPacket(inPlace: scratch, packetCount: packet.count, now: now, output: &output)
        }
    }

    /// Runs every timer that is due at `now` (whitepaper §6): handshake retransmission, keepalives,
    /// rekeying, and zeroing of old keys. Call it at `nextTimerDeadline` (calling it earlier or
    /// more often is harmless).
    public mutating func handleTimers<Output: TunnelOutput>(now: TunnelInstant, output: inout Output) {
        // Implemented in the next commits.
    }
}
