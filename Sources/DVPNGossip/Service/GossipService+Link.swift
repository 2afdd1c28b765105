import DVPNCrypto
import DVPNLedger
import NIOCore

/// One link's life: handshake under a deadline, admission by the `PeerBook`, then a writer that
/// drains the peer's bounded queue and a reader that handles one frame at a time.
extension GossipService {
    /// `handshakeHost` is the inbound slot taken at accept (`HandshakeSlots`), released as soon as
    /// the handshake ends either way.
    func runLink(
        _ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, direction: PeerBook.Direction, address: PeerAddress?,
        handshakeHost: String? = nil
    ) async {
        var admitted: PeerID?
        // Released once, by whichever path ends the handshake first.
        var heldSlot = handshakeHost
        func releaseSlot() {
            guard let host = heldSlot else { return }
            heldSlot = nil
            state.withLock { $0.handshakes.release(host: host) }
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                let raw = channel.channel
                let deadline = raw.eventLoop.scheduleTask(in: .nanoseconds(Int64(clamping: configuration.handshakeTimeout.nanosecondCount))) {
                    raw.close(promise: nil)
                }
                let session: LinkSession
                do {
                    session = try await handshake(direction: direction, frames: &frames, outbound: outbound)
                } catch {
                    releaseSlot()
                    throw error
                }
                releaseSlot()
                deadline.cancel()

                let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                let peer = session.remote
                let now = currentInstant()
                let admission = state.withLock { state in
                    let verdict = state.book.admit(peer, direction: direction, address: address, now: now)
                    if verdict == .accepted {
                        state.links[peer] = Outbox(
                            queue: OutboundQueue(maxCount: configuration.outboundQueueLimit, maxBytes: configuration.outboundQueueByteLimit),
                            wake: wake)
                    } else {
                        state.statistics.linksRefused += 1
                    }
                    return verdict
                }
                guard admission == .accepted else {
                    logger.debug("link refused", metadata: ["peer": "\(peer)", "reason": "\(admission)"])
                    return
                }
                admitted = peer
                logger.debug("link up", metadata: ["peer": "\(peer)", "direction": "\(direction)"])
                // The first PEX request goes out on the dialler's next tick (`PeerBook.takePexDue`).

                await withTaskGroup(of: Void.self) { group in
                    // The writer drains the queue on every wake-up; it ends when the wake-ups are
                    // finished or a write fails (the link is gone, and the reader sees it too).
                    group.addTask {
                        var sealer = session
                        for await _ in wakeups {
                            while let plaintext = self.state.withLock({ $0.links[peer]?.queue.pop() }) {
                                guard let ciphertext = try? sealer.seal(plaintext),
                                      (try? await outbound.write(ByteBuffer(bytes: ciphertext))) != nil
                                else { return }
                            }
                        }
                    }
                    var opener = session
                    await readLoop(peer: peer, frames: &frames, session: &opener)
                    wake.finish()
                    group.cancelAll()
                }
            }
        } catch {
            if admitted == nil {
                logger.debug("handshake failed", metadata: ["address": "\(address.map(\.description) ?? "inbound")", "error": "\(error)"])
                state.withLock { $0.statistics.handshakesFailed += 1 }
            }
        }
        releaseSlot()
        let now = currentInstant()
        state.withLock { state in
            if let peer = admitted {
                state.links[peer] = nil
                state.book.disconnected(peer, now: now)
            } else if let address {
                state.book.dialFailed(address, now: now, random: state.nextRandom())
            }
        }
    }

    /// Runs XX to the end; throws on anything but a complete, proven handshake.
    private func handshake(
        direction: PeerBook.Direction, frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws -> LinkSession {
        var handshake = try LinkHandshake(
            role: direction == .outbound ? .initiator : .responder, identity: configuration.identity, chainID: configuration.chainID)
        if direction == .outbound {
            try await outbound.write(ByteBuffer(bytes: try handshake.start()))
        }
        while true {
            guard let frame = try await frames.next() else {
                throw GossipError(.handshakeFailed, "the peer closed the link during the handshake")
            }
            guard frame.readableBytes <= LinkHandshake.maxMessageByteCount else {
                throw GossipError(.handshakeFailed, "handshake message of \(frame.readableBytes) bytes")
            }
            switch try handshake.receive(Array(buffer: frame)) {
            case .reply(let message):
                try await outbound.write(ByteBuffer(bytes: message))
            case .established(let session, let reply):
                if let reply { try await outbound.write(ByteBuffer(bytes: reply)) }
                return session
            }
        }
    }

    /// Reads frames until the peer closes, misbehaves past the ban threshold, or the stream
    /// breaks (oversized frame, a frame that does not decrypt).
    private func readLoop(
        peer: PeerID, frames: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, session: inout LinkSession
    ) async {
        while true {
            let frame: ByteBuffer
            do {
                guard let next = try await frames.next() else { return }
                frame = next
            } catch {
                // An oversized frame (FrameDecoder) or a broken socket: only the first is the peer's fault.
                if let error = error as? GossipError, error.code == .frameTooLarge { penalize(peer, .corruptStream) }
                return
            }
            let plaintext: [UInt8]
            do {
                plaintext = try session.open(Array(buffer: frame))
            } catch {
                penalize(peer, .corruptStream)
                return
            }
            let now = currentInstant()
            let withinRate = state.withLock { state in
                state.statistics.envelopesReceived += 1
                return state.book.admitMessage(from: peer, now: now)
            }
            guard withinRate else {
                if mustDisconnect(peer) { return }
                continue
            }
            guard let envelope = try? GossipEnvelope(canonicalBytes: plaintext) else {
                if penalize(peer, .undecodable) { return }
                continue
            }
            if await !handle(envelope, from: peer) { return }
        }
    }

    /// One decoded envelope. Returns false when the peer must be disconnected.
    private func handle(_ envelope: GossipEnvelope, from peer: PeerID) async -> Bool {
        switch envelope.kind {
        case .pexRequest:
            let addresses = state.withLock { $0.book.shareableAddresses(limit: PeerAddressList.maxCount) }
            send(GossipEnvelope(kind: .pexResponse, payload: PeerAddressList(addresses).canonicalBytes), to: peer)
            return true
        case .pexResponse:
            guard let list = try? PeerAddressList(canonicalBytes: envelope.payload) else {
                return !penalize(peer, .undecodable)
            }
            // Only an answer to our request is taken; an unsolicited one is ignored.
            state.withLock { state in
                if state.book.takePexResponse(from: peer) { state.book.learn(list.addresses) }
            }
            return true
        default:
            break
        }
        if envelope.kind.isGossiped {
            let hash = envelope.hash
            let isNew = state.withLock { state in
                let isNew = state.seen.insert(hash)
                if !isNew { state.statistics.duplicatesDropped += 1 }
                return isNew
            }
            guard isNew else { return true }
        }
        switch await delegate.gossipReceived(envelope, from: peer) {
        case .accept:
            let bytes = envelope.canonicalBytes
            state.withLock { state in
                state.book.reward(peer)
                guard envelope.kind.isGossiped else { return }
                let others = state.links.keys.filter { $0 != peer }
                state.statistics.envelopesRelayed += Self.enqueue(bytes, to: others, in: &state)
            }
            return true
        case .ignore:
            return true
        case .invalid(let reason):
            logger.debug("invalid envelope", metadata: ["peer": "\(peer)", "kind": "\(envelope.kind)", "reason": "\(reason)"])
            return !penalize(peer, .invalid)
        }
    }

    /// Returns true when the peer fell below the threshold (it is now banned).
    @discardableResult
    func penalize(_ peer: PeerID, _ what: Misbehaviour) -> Bool {
        let now = currentInstant()
        return state.withLock { state in
            state.statistics.penalties += 1
            let banned = state.book.penalize(peer, what, now: now)
            if banned {
                state.statistics.bans += 1
                logger.info("peer banned", metadata: ["peer": "\(peer)", "for": "\(what)"])
            }
            return banned
        }
    }

    private func mustDisconnect(_ peer: PeerID) -> Bool {
        state.withLock { state in
            state.statistics.penalties += 1
            let must = state.book.mustDisconnect(peer)
            if must { state.statistics.bans += 1 }
            return must
        }
    }
}

