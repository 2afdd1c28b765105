import DVPNCrypto
import Logging

/// Handshake messages in and out, and installing their keys (wireguard-go `SendHandshake*`,
/// `RoutineHandshake`, `BeginSymmetricSession`).
extension WireGuardDevice {
    /// Sends an initiation to the peer, at most once per REKEY_TIMEOUT
    /// (wireguard-go `SendHandshakeInitiation`).
    mutating func sendHandshakeInitiation<Output: TunnelOutput>(
        _ id: PeerID, isRetry: Bool, now: TunnelInstant, output: inout Output
    ) {
        if !isRetry { peerTable[id].timers.handshakeAttempts = 0 }
        if let last = peerTable[id].lastSentHandshake, now.nanoseconds(since: last) < ProtocolConstants.rekeyTimeout {
            return
        }
        peerTable[id].lastSentHandshake = now
        guard let identity else {
            logger.debug("cannot initiate a handshake without a private key", metadata: peerMetadata(id))
            return
        }
        if let stale = peerTable[id].handshake.pendingLocalIndex { indexTable.release(stale) }
        let localIndex = indexTable.allocate(for: id)
        guard let initiation = peerTable[id].handshake.createInitiation(
            identity: identity, remoteStatic: peerTable[id].configuration.publicKey,
            staticStatic: peerTable[id].staticStatic, localIndex: localIndex, now: now)
        else {
            indexTable.release(localIndex)
            logger.debug("cannot create an initiation: invalid peer public key", metadata: peerMetadata(id))
            return
        }
        var message = initiation.bytes
        peerTable[id].cookieGenerator.addMACs(to: &message, now: now)
        logger.debug("sending handshake initiation", metadata: peerMetadata(id))
        timersAnyAuthenticatedPacketTraversal(id, now: now)
        timersAnyAuthenticatedPacketSent(id)
        sendControlMessage(message, to: id, output: &output)
        timersHandshakeInitiated(id, now: now)
    }

    /// Answers an accepted initiation and installs the responder's (unconfirmed) keys
    /// (wireguard-go `SendHandshakeResponse`).
    private mutating func sendHandshakeResponse<Output: TunnelOutput>(
        _ id: PeerID, answering consumed: Handshake.ConsumedInitiation, now: TunnelInstant, output: inout Output
    ) {
        peerTable[id].lastSentHandshake = now
        let localIndex = indexTable.allocate(for: id)
        guard let (response, keys) = Handshake.createResponse(
            consumed, presharedKey: peerTable[id].configuration.presharedKey, localIndex: localIndex)
        else {
            indexTable.release(localIndex)
            return
        }
        var message = response.bytes
        peerTable[id].cookieGenerator.addMACs(to: &message, now: now)
        beginSession(id, keys: keys, now: now)
        timersSessionDerived(id, now: now)
        timersAnyAuthenticatedPacketTraversal(id, now: now)
        timersAnyAuthenticatedPacketSent(id)
        logger.debug("sending handshake response", metadata: peerMetadata(id))
        sendControlMessage(message, to: id, output: &output)
    }

    /// Installs new transport keys in the peer's key pair rotation.
    private mutating func beginSession(_ id: PeerID, keys: SessionKeys, now: TunnelInstant) {
        for dropped in peerTable[id].keypairs.install(Keypair(keys, created: now)) {
            indexTable.release(dropped)
        }
    }

    // MARK: Receiving

    /// An initiation or response: MAC1, then under load MAC2 (or a cookie reply) and the rate
    /// limit, then the Noise message itself (wireguard-go `RoutineHandshake`).
    mutating func receiveHandshakeMessage<Output: TunnelOutput>(
        _ type: MessageType, _ message: UnsafeRawBufferPointer, from source: Endpoint, now: TunnelInstant,
        output: inout Output
    ) {
        guard cookieChecker.checkMAC1(message) else {
            statistics.invalidMAC1 &+= 1
            return
        }
        if isUnderLoad {
            guard cookieChecker.checkMAC2(message, source: source, now: now) else {
                if let reply = cookieChecker.makeReply(answering: message, source: source, now: now) {
                    reply.withUnsafeBytes { output.sendDatagram($0, to: source) }
                    statistics.cookieRepliesSent &+= 1
                }
                return
            }
            guard rateLimiter.allow(source.address, now: now) else {
                statistics.rateLimitedHandshakes &+= 1
                return
            }
        }
        if type == .initiation {
            receiveInitiation(HandshakeInitiation(message), from: source, now: now, output: &output)
        } else {
            receiveResponse(HandshakeResponse(message), from: source, now: now, output: &output)
        }
    }

    private mutating func receiveInitiation<Output: TunnelOutput>(
        _ initiation: HandshakeInitiation, from source: Endpoint, now: TunnelInstant, output: inout Output
    ) {
        // The peer is looked up as soon as its static key is decrypted; an unknown key, or one
        // with no possible handshake, stops the work before the static-static DH.
        var sender: PeerID?
        guard let identity,
              let opened = Handshake.openInitiation(initiation, identity: identity, staticStatic: { key in
                  sender = peerTable.id(for: key)
                  return sender.flatMap { peerTable[$0].staticStatic }
              }),
              let id = sender, peerTable.id(for: opened.initiatorStatic) == id
        else {
            statistics.invalidInitiations &+= 1
            return
        }
        let abandoned = peerTable[id].handshake.pendingLocalIndex
        switch peerTable[id].handshake.acceptInitiation(opened, initiation, now: now) {
        case .replayed:
            statistics.replayedInitiations &+= 1
            logger.debug("dropping replayed handshake initiation", metadata: peerMetadata(id))
        case .flooded:
            statistics.floodedInitiations &+= 1
            logger.debug("dropping handshake initiation flood", metadata: peerMetadata(id))
        case .accepted(let consumed):
            if let abandoned { indexTable.release(abandoned) }
            timersAnyAuthenticatedPacketTraversal(id, now: now)
            timersAnyAuthenticatedPacketReceived(id)
            peerTable[id].configuration.endpoint = source
            peerTable[id].rxBytes &+= UInt64(HandshakeInitiation.byteCount)
            logger.debug("received handshake initiation", metadata: peerMetadata(id))
            sendHandshakeResponse(id, answering: consumed, now: now, output: &output)
        }
    }

    private mutating func receiveResponse<Output: TunnelOutput>(
        _ response: HandshakeResponse, from source: Endpoint, now: TunnelInstant, output: inout Output
    ) {
        guard identity != nil, let id = indexTable[response.receiver],
              let keys = peerTable[id].handshake.consumeResponse(
                response, presharedKey: peerTable[id].configuration.presharedKey)
        else {
            statistics.invalidResponses &+= 1
            return
        }
        peerTable[id].configuration.endpoint = source
        peerTable[id].rxBytes &+= UInt64(HandshakeResponse.byteCount)
        logger.debug("received handshake response", metadata: peerMetadata(id))
        timersAnyAuthenticatedPacketTraversal(id, now: now)
        timersAnyAuthenticatedPacketReceived(id)
        beginSession(id, keys: keys, now: now)
        timersSessionDerived(id, now: now)
        timersHandshakeComplete(id, now: now)
        sendKeepalive(id, now: now, output: &output)
    }

    /// A cookie reply to one of our handshake messages: keep the cookie for MAC2.
    mutating func receiveCookieReply(_ message: UnsafeRawBufferPointer, now: TunnelInstant) {
        let reply = CookieReply(message)
        guard let id = indexTable[reply.receiver], peerTable[id].cookieGenerator.consumeReply(reply, now: now) else {
            statistics.invalidCookieReplies &+= 1
            return
        }
        statistics.cookieRepliesReceived &+= 1
        logger.debug("received cookie reply", metadata: peerMetadata(id))
    }

    // MARK: Ending sessions

    /// Stops sending under the current keys and forgets a pending initiation, keeping the keys
    /// for packets in flight (wireguard-go `ExpireCurrentKeypairs`, after a private key change).
    mutating func expireCurrentKeypairs(of id: PeerID) {
        if let pending = peerTable[id].handshake.pendingLocalIndex { indexTable.release(pending) }
        peerTable[id].handshake.clear()
        peerTable[id].lastSentHandshake = nil
        peerTable[id].keypairs.expireForSending()
    }

    /// Drops every key pair, the pending handshake and the queued packets
    /// (wireguard-go `ZeroAndFlushAll`). The keys are wiped when their storage is freed.
    mutating func zeroAndFlushAll(_ id: PeerID) {
        for index in peerTable[id].keypairs.removeAll() { indexTable.release(index) }
        if let pending = peerTable[id].handshake.pendingLocalIndex { indexTable.release(pending) }
        peerTable[id].handshake.clear()
        statistics.stagedPacketsDropped &+= UInt64(peerTable[id].staged.removeAll())
    }

    func peerMetadata(_ id: PeerID) -> Logger.Metadata {
        ["peer": "\(peerTable[id].configuration.publicKey.base64.prefix(8))…"]
    }
}
