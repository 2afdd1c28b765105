import DVPNCrypto

/// The receiving side: datagrams from the network (wireguard-go `device/receive.go`).
extension WireGuardDevice {
    /// Handles one UDP datagram received from `source`. The datagram is decrypted in place, so
    /// its bytes are overwritten; decrypted IP packets are passed to `output.writeToTUN` as a
    /// view into `datagram`. Anything malformed, unauthenticated or replayed is dropped and
    /// counted in `statistics`.
    public mutating func handleDatagram<Output: TunnelOutput>(
        _ datagram: UnsafeMutableRawBufferPointer, from source: Endpoint, now: TunnelInstant,
        output: inout Output
    ) {
        guard let pending = prepareDatagram(datagram, from: source, now: now, output: &output) else { return }
        let plaintextCount = pending.open(datagram)
        completeDatagram(pending, plaintextCount: plaintextCount, datagram: datagram, from: source, now: now, output: &output)
    }

    /// The first half of `handleDatagram`, for an I/O layer that decrypts on other threads (as
    /// wireguard-go's decryption workers do). Handshake messages and cookie replies are handled
    /// completely and nil is returned; so is anything dropped. For a transport message whose key
    /// pair is known and current, the returned `PendingOpen` decrypts it without access to the
    /// device; then `completeDatagram` must be called with the result, in the order the
    /// datagrams arrived per peer if packet order matters to the caller.
    public mutating func prepareDatagram<Output: TunnelOutput>(
        _ datagram: UnsafeMutableRawBufferPointer, from source: Endpoint, now: TunnelInstant,
        output: inout Output
    ) -> PendingOpen? {
        let message = UnsafeRawBufferPointer(datagram)
        guard let type = MessageType.classify(message) else {
            statistics.invalidMessages &+= 1
            return nil
        }
        switch type {
        case .transport:
            return prepareTransport(message, now: now)
        case .initiation, .response:
            receiveHandshakeMessage(type, message, from: source, now: now, output: &output)
        case .cookieReply:
            receiveCookieReply(message, now: now)
        }
        return nil
    }

    /// A transport message: find the key pair by receiver index and check its age.
    @inline(__always)
    private mutating func prepareTransport(_ message: UnsafeRawBufferPointer, now: TunnelInstant) -> PendingOpen? {
        let receiver = message.loadLittleEndianUInt32(at: 4)
        guard let id = indexTable[receiver], let slot = peerTable[id].keypairs.slot(forLocalIndex: receiver) else {
            statistics.unknownReceiverIndex &+= 1
            return nil
        }
        guard let created = peerTable[id].keypairs.created(slot),
              now.nanoseconds(since: created) < ProtocolConstants.rejectAfterTime,
              let key = peerTable[id].keypairs.receiveKey(slot)
        else {
            statistics.expiredKeypair &+= 1
            return nil
        }
        return PendingOpen(key: key, counter: message.loadLittleEndianUInt64(at: 8), receiverIndex: receiver)
    }

    /// The second half of `handleDatagram` for a transport message that `prepareDatagram`
    /// returned: `plaintextCount` is what `PendingOpen.open` returned for `datagram`. Checks the
    /// counter against the replay window, then hands the inner packet to the TUN side if its
    /// source address belongs to the sending peer.
    public mutating func completeDatagram<Output: TunnelOutput>(
        _ pending: PendingOpen, plaintextCount: Int?, datagram: UnsafeMutableRawBufferPointer, from source: Endpoint,
        now: TunnelInstant, output: inout Output
    ) {
        guard let plaintextCount else {
            statistics.decryptionFailures &+= 1
            return
        }
        // The key pair may have been rotated out between the two halves.
        guard let id = indexTable[pending.receiverIndex],
              let slot = peerTable[id].keypairs.slot(forLocalIndex: pending.receiverIndex)
        else {
            statistics.unknownReceiverIndex &+= 1
            return
        }
        guard peerTable[id].keypairs.validateCounter(pending.counter, in: slot) else {
            statistics.replayedPackets &+= 1
            return
        }

        // Authenticated: roam to where it came from, and confirm a responder's new keys.
        if peerTable[id].configuration.endpoint != source { peerTable[id].configuration.endpoint = source }
        if slot == .next {
            if let dropped = peerTable[id].keypairs.confirmNext() { indexTable.release(dropped) }
            timersHandshakeComplete(id, now: now)
            sendStagedPackets(id, now: now, output: &output)
        }
        keepKeyFreshReceiving(id, now: now, output: &output)
        timersAnyAuthenticatedPacketTraversal(id, now: now)
        timersAnyAuthenticatedPacketReceived(id)
        peerTable[id].rxBytes &+= UInt64(plaintextCount + TransportHeader.minimumMessageByteCount)

        guard plaintextCount > 0 else {
            statistics.keepalivesReceived &+= 1
            return
        }
        timersDataReceived(id, now: now)
        let plaintext = UnsafeRawBufferPointer(
            rebasing: datagram[TransportHeader.byteCount..<(TransportHeader.byteCount + plaintextCount)])
        guard let packetCount = checkInnerPacket(plaintext, from: id) else { return }
        let packet = UnsafeRawBufferPointer(rebasing: plaintext[..<packetCount])
        guard peerTable[id].admitsInner(packetCount) else { return }
        peerTable[id].innerRxBytes &+= UInt64(packetCount)
        // An exit's policy: decided on the inner packet, before the kernel can forward it.
        if destinationFilter?.permits(packet: packet) == false {
            statistics.refusedDestinations &+= 1
            peerTable[id].refusedPackets &+= 1
            return
        }
        output.writeToTUN(packet)
    }

    /// The length of the IP packet at the start of `plaintext` (the rest is padding), or nil
    /// when it is not a well-formed IPv4/IPv6 packet or its source address is not one of the
    /// peer's allowed IPs.
    @inline(__always)
    private mutating func checkInnerPacket(_ plaintext: UnsafeRawBufferPointer, from id: PeerID) -> Int? {
        let owner: PeerID?
        let length: Int
        switch plaintext[0] >> 4 {
        case 4 where plaintext.count >= IPHeader.v4MinimumByteCount:
            length = Int(plaintext.loadBigEndianUInt16(at: IPHeader.v4TotalLengthOffset))
            guard length >= IPHeader.v4MinimumByteCount, length <= plaintext.count else {
                statistics.invalidInnerPackets &+= 1
                return nil
            }
            owner = routes.lookupIPv4(in: plaintext, at: IPHeader.v4SourceOffset)
        case 6 where plaintext.count >= IPHeader.v6ByteCount:
            length = Int(plaintext.loadBigEndianUInt16(at: IPHeader.v6PayloadLengthOffset)) + IPHeader.v6ByteCount
            guard length <= plaintext.count else {
                statistics.invalidInnerPackets &+= 1
                return nil
            }
            owner = routes.lookupIPv6(in: plaintext, at: IPHeader.v6SourceOffset)
        default:
            statistics.invalidInnerPackets &+= 1
            return nil
        }
        guard owner == id else {
            statistics.disallowedSourceAddress &+= 1
            return nil
        }
        return length
    }

    /// The initiator of the current session starts a new handshake shortly before its keys
    /// expire, once (REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT), so that a peer that
    /// only receives still rekeys in time (wireguard-go `keepKeyFreshReceiving`).
    @inline(__always)
    private mutating func keepKeyFreshReceiving<Output: TunnelOutput>(
        _ id: PeerID, now: TunnelInstant, output: inout Output
    ) {
        guard !peerTable[id].timers.sentLastMinuteHandshake,
              peerTable[id].keypairs.current?.isInitiator == true,
              let created = peerTable[id].keypairs.current?.created,
              now.nanoseconds(since: created)
                > ProtocolConstants.rejectAfterTime - ProtocolConstants.keepaliveTimeout - ProtocolConstants.rekeyTimeout
        else { return }
        peerTable[id].timers.sentLastMinuteHandshake = true
        sendHandshakeInitiation(id, isRetry: false, now: now, output: &output)
    }
}
