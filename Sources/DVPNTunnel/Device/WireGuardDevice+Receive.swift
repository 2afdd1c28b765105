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
        let message = UnsafeRawBufferPointer(datagram)
        guard let type = MessageType.classify(message) else {
            statistics.invalidMessages &+= 1
            return
        }
        switch type {
        case .transport:
            receiveTransport(datagram, from: source, now: now, output: &output)
        case .initiation, .response:
            receiveHandshakeMessage(type, message, from: source, now: now, output: &output)
        case .cookieReply:
            receiveCookieReply(message, now: now)
        }
    }

    /// A transport message: find the key pair by receiver index, decrypt in place, check the
    /// counter against the replay window, then hand the inner packet to the TUN side if its
    /// source address belongs to the sending peer.
    @inline(__always)
    private mutating func receiveTransport<Output: TunnelOutput>(
        _ datagram: UnsafeMutableRawBufferPointer, from source: Endpoint, now: TunnelInstant, output: inout Output
    ) {
        let message = UnsafeRawBufferPointer(datagram)
        let receiver = message.loadLittleEndianUInt32(at: 4)
        guard let id = indexTable[receiver], let slot = peerTable[id].keypairs.slot(forLocalIndex: receiver) else {
            statistics.unknownReceiverIndex &+= 1
            return
        }
        guard let created = peerTable[id].keypairs.created(slot),
              now.nanoseconds(since: created) < ProtocolConstants.rejectAfterTime
        else {
            statistics.expiredKeypair &+= 1
            return
        }
        let counter = message.loadLittleEndianUInt64(at: 8)
        guard let key = peerTable[id].keypairs.receiveKey(slot) else { return }
        let content = UnsafeMutableRawBufferPointer(rebasing: datagram[TransportHeader.byteCount...])
        guard let plaintextCount = key.withUnsafeBytes({ ChaChaPoly.openInPlace(content, key: $0, counter: counter) })
        else {
            statistics.decryptionFailures &+= 1
            return
        }
        guard peerTable[id].keypairs.validateCounter(counter, in: slot) else {
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
        let plaintext = UnsafeRawBufferPointer(rebasing: content[..<plaintextCount])
        guard let packetCount = checkInnerPacket(plaintext, from: id) else { return }
        output.writeToTUN(UnsafeRawBufferPointer(rebasing: plaintext[..<packetCount]))
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
