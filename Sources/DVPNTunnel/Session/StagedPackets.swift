/// Packets waiting for a usable session (wireguard-go `peer.queue.staged`): at most 128 per
/// peer, the oldest dropped first. Each is stored with room for the transport header in front
/// and the padding and tag behind, so it can be encrypted in place when the session arrives.
struct StagedPackets {
    struct Packet {
        var storage: [UInt8]
        let count: Int
    }

    private(set) var packets: [Packet] = []

    var isEmpty: Bool { packets.isEmpty }

    /// Queues a copy of `packet`; returns true when the queue was full and the oldest packet was
    /// dropped to make room.
    mutating func append(_ packet: UnsafeRawBufferPointer) -> Bool {
        var storage = [UInt8](
            repeating: 0,
            count: WireGuardDevice.outgoingHeadroom + packet.count + WireGuardDevice.outgoingTailroom)
        storage.withUnsafeMutableBytes { buffer in
            if let base = packet.baseAddress, packet.count > 0 {
                (buffer.baseAddress! + WireGuardDevice.outgoingHeadroom).copyMemory(from: base, byteCount: packet.count)
            }
        }
        var dropped = false
        if packets.count >= ProtocolConstants.stagedQueueSize {
            packets.removeFirst()
            dropped = true
        }
        packets.append(Packet(storage: storage, count: packet.count))
        return dropped
    }

    /// Takes every queued packet, oldest first.
    mutating func takeAll() -> [Packet] {
        defer { packets = [] }
        return packets
    }

    /// Puts packets back at the front of the queue (they could not be sent yet); returns how
    /// many of the oldest had to be dropped to stay within the limit.
    mutating func putBack(_ unsent: ArraySlice<Packet>) -> Int {
        packets = Array(unsent) + packets
        let excess = max(0, packets.count - ProtocolConstants.stagedQueueSize)
        packets.removeFirst(excess)
        return excess
    }

    /// Drops everything; returns how many packets were dropped.
    mutating func removeAll() -> Int {
        defer { packets = [] }
        return packets.count
    }
}
