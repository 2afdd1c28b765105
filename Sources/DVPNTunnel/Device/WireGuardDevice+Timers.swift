/// The timer events and expiry handlers of whitepaper §6, after wireguard-go
/// `device/timers.go`. Event functions (`timersX`) are called where the protocol says; expiry
/// handlers run from `handleTimers(now:output:)`.
extension WireGuardDevice {
    public mutating func handleTimers<Output: TunnelOutput>(now: TunnelInstant, output: inout Output) {
        for id in peerTable.ids {
            if isDue(peerTable[id].timers.retransmitHandshake, now) {
                peerTable[id].timers.retransmitHandshake = nil
                expiredRetransmitHandshake(id, now: now, output: &output)
            }
            if isDue(peerTable[id].timers.sendKeepalive, now) {
                peerTable[id].timers.sendKeepalive = nil
                expiredSendKeepalive(id, now: now, output: &output)
            }
            if isDue(peerTable[id].timers.newHandshake, now) {
                peerTable[id].timers.newHandshake = nil
                logger.debug("retrying handshake: no reply for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT", metadata: peerMetadata(id))
                sendHandshakeInitiation(id, isRetry: false, now: now, output: &output)
            }
            if isDue(peerTable[id].timers.zeroKeyMaterial, now) {
                peerTable[id].timers.zeroKeyMaterial = nil
                logger.debug("zeroing keys after 3 × REJECT_AFTER_TIME without a handshake", metadata: peerMetadata(id))
                zeroAndFlushAll(id)
            }
            if isDue(peerTable[id].timers.persistentKeepalive, now) {
                peerTable[id].timers.persistentKeepalive = nil
                if (peerTable[id].configuration.persistentKeepaliveInterval ?? 0) > 0 {
                    sendKeepalive(id, now: now, output: &output)
                }
            }
        }
        timerHint = peerTable.ids.compactMap { peerTable[$0].timers.earliest }.min()
    }

    @inline(__always)
    private func isDue(_ deadline: TunnelInstant?, _ now: TunnelInstant) -> Bool {
        deadline.map { $0 <= now } ?? false
    }

    /// Lowers `nextTimerDeadline` to `deadline` if it is earlier.
    @inline(__always)
    mutating func arm(_ deadline: TunnelInstant) {
        if let hint = timerHint, hint <= deadline { return }
        timerHint = deadline
    }

    // MARK: Expiry handlers

    private mutating func expiredRetransmitHandshake<Output: TunnelOutput>(
        _ id: PeerID, now: TunnelInstant, output: inout Output
    ) {
        if peerTable[id].timers.handshakeAttempts > ProtocolConstants.maxTimerHandshakes {
            logger.debug("handshake did not complete after REKEY_ATTEMPT_TIME, giving up", metadata: peerMetadata(id))
            peerTable[id].timers.sendKeepalive = nil
            statistics.stagedPacketsDropped &+= UInt64(peerTable[id].staged.removeAll())
            if peerTable[id].timers.zeroKeyMaterial == nil {
                let deadline = now.advanced(byNanoseconds: 3 * ProtocolConstants.rejectAfterTime)
                peerTable[id].timers.zeroKeyMaterial = deadline
                arm(deadline)
            }
            return
        }
        peerTable[id].timers.handshakeAttempts += 1
        logger.debug(
            "handshake did not complete after REKEY_TIMEOUT, retrying",
            metadata: peerMetadata(id).merging(["attempt": "\(peerTable[id].timers.handshakeAttempts + 1)"]) { $1 })
        sendHandshakeInitiation(id, isRetry: true, now: now, output: &output)
    }

    private mutating func expiredSendKeepalive<Output: TunnelOutput>(
        _ id: PeerID, now: TunnelInstant, output: inout Output
    ) {
        sendKeepalive(id, now: now, output: &output)
        if peerTable[id].timers.needAnotherKeepalive {
            peerTable[id].timers.needAnotherKeepalive = false
            let deadline = now.advanced(byNanoseconds: ProtocolConstants.keepaliveTimeout)
            peerTable[id].timers.sendKeepalive = deadline
            arm(deadline)
        }
    }

    // MARK: Events

    /// A transport packet carrying data (not a keepalive) was sent.
    @inline(__always)
    mutating func timersDataSent(_ id: PeerID, now: TunnelInstant) {
        guard peerTable[id].timers.newHandshake == nil else { return }
        let deadline = now.advanced(
            byNanoseconds: ProtocolConstants.keepaliveTimeout + PeerTimers.rekeyTimeoutWithJitter(using: &jitterSource))
        peerTable[id].timers.newHandshake = deadline
        arm(deadline)
    }

    /// A transport packet carrying data (not a keepalive) was received.
    @inline(__always)
    mutating func timersDataReceived(_ id: PeerID, now: TunnelInstant) {
        if peerTable[id].timers.sendKeepalive == nil {
            let deadline = now.advanced(byNanoseconds: ProtocolConstants.keepaliveTimeout)
            peerTable[id].timers.sendKeepalive = deadline
            arm(deadline)
        } else {
            peerTable[id].timers.needAnotherKeepalive = true
        }
    }

    /// Any authenticated packet (handshake or transport, data or keepalive) was sent.
    @inline(__always)
    mutating func timersAnyAuthenticatedPacketSent(_ id: PeerID) {
        peerTable[id].timers.sendKeepalive = nil
    }

    /// Any authenticated packet was received.
    @inline(__always)
    mutating func timersAnyAuthenticatedPacketReceived(_ id: PeerID) {
        peerTable[id].timers.newHandshake = nil
    }

    /// An initiation was sent.
    mutating func timersHandshakeInitiated(_ id: PeerID, now: TunnelInstant) {
        let deadline = now.advanced(byNanoseconds: PeerTimers.rekeyTimeoutWithJitter(using: &jitterSource))
        peerTable[id].timers.retransmitHandshake = deadline
        arm(deadline)
    }

    /// A handshake completed: a response was consumed, or (responder) the first transport
    /// packet under the new keys arrived.
    mutating func timersHandshakeComplete(_ id: PeerID, now: TunnelInstant) {
        peerTable[id].timers.retransmitHandshake = nil
        peerTable[id].timers.handshakeAttempts = 0
        peerTable[id].timers.sentLastMinuteHandshake = false
        peerTable[id].lastHandshake = now
    }

    /// New transport keys were derived.
    mutating func timersSessionDerived(_ id: PeerID, now: TunnelInstant) {
        let deadline = now.advanced(byNanoseconds: 3 * ProtocolConstants.rejectAfterTime)
        peerTable[id].timers.zeroKeyMaterial = deadline
        arm(deadline)
    }

    /// Any authenticated packet was sent or received: restart the persistent keepalive.
    @inline(__always)
    mutating func timersAnyAuthenticatedPacketTraversal(_ id: PeerID, now: TunnelInstant) {
        guard let interval = peerTable[id].configuration.persistentKeepaliveInterval, interval > 0 else { return }
        let deadline = now.advanced(byNanoseconds: UInt64(interval) * ProtocolConstants.second)
        peerTable[id].timers.persistentKeepalive = deadline
        arm(deadline)
    }

    /// Persistent keepalive was just switched on: send one at the next `handleTimers` call, as
    /// wireguard-go does when the setting changes on a running device.
    mutating func requestImmediateKeepalive(for id: PeerID) {
        let immediately = TunnelInstant(nanoseconds: 0, unixNanoseconds: 0)
        peerTable[id].timers.persistentKeepalive = immediately
        arm(immediately)
    }
}
