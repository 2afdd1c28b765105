import DVPNCrypto

/// The sending side: IP packets from the TUN device to encrypted datagrams (whitepaper §5.4.6,
/// wireguard-go `device/send.go`).
extension WireGuardDevice {
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
        guard let pending = prepareOutgoingIPPacket(inPlace: buffer, packetCount: packetCount, now: now, output: &output)
        else { return }
        output.sendDatagram(pending.seal(buffer), to: pending.endpoint)
    }

    /// The first half of `handleOutgoingIPPacket(inPlace:…)`, for an I/O layer that encrypts on
    /// other threads (as wireguard-go's encryption workers do): routes the packet, reserves its
    /// counter, writes the header and padding and runs the timers, but leaves the encryption to
    /// `PendingSeal.seal(_:)`, which needs no access to the device. Returns nil when the packet
    /// was dropped or queued for a handshake (handshake messages may have gone to `output`).
    ///
    /// Datagrams sealed out of order are fine: the receiver's replay window accepts them.
    public mutating func prepareOutgoingIPPacket<Output: TunnelOutput>(
        inPlace buffer: UnsafeMutableRawBufferPointer, packetCount: Int, now: TunnelInstant,
        output: inout Output
    ) -> PendingSeal? {
        precondition(packetCount >= 0 && buffer.count >= Self.outgoingHeadroom + packetCount + Self.outgoingTailroom)
        let packet = UnsafeRawBufferPointer(rebasing: buffer[Self.outgoingHeadroom..<(Self.outgoingHeadroom + packetCount)])
        guard let id = route(packet) else { return nil }
        guard peerTable[id].admitsInner(packetCount) else { return nil }
        peerTable[id].innerTxBytes &+= UInt64(packetCount)
        if peerTable[id].staged.isEmpty, canSend(id, now: now) {
            return prepareTransport(buffer, payloadCount: packetCount, peer: id, now: now, output: &output)
        }
        if peerTable[id].staged.append(packet) { statistics.stagedPacketsDropped &+= 1 }
        sendStagedPackets(id, now: now, output: &output)
        return nil
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

    /// The peer whose allowed IPs hold the packet's destination (cryptokey routing, §2).
    @inline(__always)
    private mutating func route(_ packet: UnsafeRawBufferPointer) -> PeerID? {
        guard let first = packet.first else {
            statistics.invalidOutgoingPackets &+= 1
            return nil
        }
        let id: PeerID?
        switch first >> 4 {
        case 4 where packet.count >= IPHeader.v4MinimumByteCount:
            id = routes.lookupIPv4(in: packet, at: IPHeader.v4DestinationOffset)
        case 6 where packet.count >= IPHeader.v6ByteCount:
            id = routes.lookupIPv6(in: packet, at: IPHeader.v6DestinationOffset)
        default:
            statistics.invalidOutgoingPackets &+= 1
            return nil
        }
        if id == nil { statistics.noRoute &+= 1 }
        return id
    }

    /// True when the current key pair may encrypt another packet (exists, not too old, counter
    /// below REJECT_AFTER_MESSAGES).
    @inline(__always)
    func canSend(_ id: PeerID, now: TunnelInstant) -> Bool {
        peerTable[id].keypairs.currentCanSend(at: now)
    }

    /// Queues a keepalive unless packets are already queued (they will do), then flushes.
    mutating func sendKeepalive<Output: TunnelOutput>(_ id: PeerID, now: TunnelInstant, output: inout Output) {
        if peerTable[id].staged.isEmpty {
            _ = peerTable[id].staged.append(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        sendStagedPackets(id, now: now, output: &output)
    }

    /// Sends the queued packets if the current key pair can, else starts a handshake
    /// (wireguard-go `SendStagedPackets`).
    mutating func sendStagedPackets<Output: TunnelOutput>(_ id: PeerID, now: TunnelInstant, output: inout Output) {
        guard !peerTable[id].staged.isEmpty else { return }
        guard canSend(id, now: now) else {
            sendHandshakeInitiation(id, isRetry: false, now: now, output: &output)
            return
        }
        var packets = peerTable[id].staged.takeAll()
        for i in packets.indices {
            guard canSend(id, now: now) else {
                statistics.stagedPacketsDropped &+= UInt64(peerTable[id].staged.putBack(packets[i...]))
                sendHandshakeInitiation(id, isRetry: false, now: now, output: &output)
                return
            }
            let count = packets[i].count
            packets[i].storage.withUnsafeMutableBytes { buffer in
                if let pending = prepareTransport(buffer, payloadCount: count, peer: id, now: now, output: &output) {
                    output.sendDatagram(pending.seal(buffer), to: pending.endpoint)
                }
            }
        }
    }

    /// Prepares the packet in `buffer` (laid out as for `handleOutgoingIPPacket(inPlace:)`) for
    /// sending under the current key pair: everything but the encryption. The caller has checked
    /// `canSend`.
    @inline(__always)
    private mutating func prepareTransport<Output: TunnelOutput>(
        _ buffer: UnsafeMutableRawBufferPointer, payloadCount: Int, peer id: PeerID, now: TunnelInstant,
        output: inout Output
    ) -> PendingSeal? {
        guard let endpoint = peerTable[id].configuration.endpoint else {
            statistics.noEndpoint &+= 1
            return nil
        }
        let counter = peerTable[id].keypairs.takeSendCounter()
        guard let key = peerTable[id].keypairs.current?.sendKey,
              let remoteIndex = peerTable[id].keypairs.current?.remoteIndex
        else { return nil }

        let header = Self.outgoingHeadroom
        let paddedCount = payloadCount + paddingCount(for: payloadCount)
        if paddedCount > payloadCount {
            UnsafeMutableRawBufferPointer(rebasing: buffer[(header + payloadCount)..<(header + paddedCount)])
                .initializeMemory(as: UInt8.self, repeating: 0)
        }
        buffer.storeLittleEndian(MessageType.transport.rawValue, at: 0)
        buffer.storeLittleEndian(remoteIndex, at: 4)
        buffer.storeLittleEndian(counter, at: 8)
        peerTable[id].txBytes &+= UInt64(header + paddedCount + ChaChaPoly.tagByteCount)

        timersAnyAuthenticatedPacketTraversal(id, now: now)
        timersAnyAuthenticatedPacketSent(id)
        if payloadCount > 0 { timersDataSent(id, now: now) }
        keepKeyFreshSending(id, now: now, output: &output)
        return PendingSeal(endpoint: endpoint, key: key, counter: counter, paddedCount: paddedCount)
    }

    /// Padding that brings `count` to a multiple of 16 without passing the MTU (wireguard-go
    /// `calculatePaddingSize`; whitepaper §5.4.6 pads to 16).
    @inline(__always)
    func paddingCount(for count: Int) -> Int {
        let multiple = ProtocolConstants.paddingMultiple
        guard mtu > 0 else { return (multiple - count % multiple) % multiple }
        let lastUnit = count > mtu ? count % mtu : count
        let padded = min((lastUnit + multiple - 1) / multiple * multiple, mtu)
        return max(0, padded - lastUnit)
    }

    /// Starts a handshake when the current keys are close to their limits (§6.2): after
    /// REKEY_AFTER_MESSAGES, or REKEY_AFTER_TIME for the initiator of the session.
    @inline(__always)
    private mutating func keepKeyFreshSending<Output: TunnelOutput>(
        _ id: PeerID, now: TunnelInstant, output: inout Output
    ) {
        guard let counter = peerTable[id].keypairs.current?.sendCounter,
              let created = peerTable[id].keypairs.current?.created,
              let isInitiator = peerTable[id].keypairs.current?.isInitiator
        else { return }
        if counter > ProtocolConstants.rekeyAfterMessages
            || (isInitiator && now.nanoseconds(since: created) > ProtocolConstants.rekeyAfterTime)
        {
            sendHandshakeInitiation(id, isRetry: false, now: now, output: &output)
        }
    }

    /// Sends a handshake message or cookie reply to the peer's endpoint, counting it.
    mutating func sendControlMessage<Output: TunnelOutput>(_ message: [UInt8], to id: PeerID, output: inout Output) {
        guard let endpoint = peerTable[id].configuration.endpoint else {
            statistics.noEndpoint &+= 1
            return
        }
        message.withUnsafeBytes { output.sendDatagram($0, to: endpoint) }
        peerTable[id].txBytes &+= UInt64(message.count)
    }
}

/// The few IP header fields the core reads (RFC 791, RFC 8200).
enum IPHeader {
    static let v4MinimumByteCount = 20
    static let v4TotalLengthOffset = 2
    static let v4SourceOffset = 12
    static let v4DestinationOffset = 16
    static let v6ByteCount = 40
    static let v6PayloadLengthOffset = 4
    static let v6SourceOffset = 8
    static let v6DestinationOffset = 24
}
