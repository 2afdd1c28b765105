import DVPNConsensus
import DVPNGossip
import DVPNLedger

/// What the engine knows of a peer from its status messages.
struct PeerView: Sendable {
    /// The peer's consensus height (its store holds blocks up to height − 1) and round.
    var height: UInt64
    var round: UInt32
    /// When (height, round) last changed, and when we last sent it a catch-up.
    var since: Duration
    var lastCatchUp: Duration = .zero
}

/// A block request in flight.
struct OutstandingSync: Sendable {
    var peer: PeerID
    var range: BlockRange
    var deadline: Duration
    /// The peer's last block when we asked, for progress logs.
    var target: UInt64
}

/// Status, catch-up and block sync (docs/consensus.md, "Engine"; docs/p2p.md).
///
/// Every node tells each peer its height and round every `statusInterval`. A peer at our height
/// that stays in one round for `catchUpAfter` is sent everything we hold of the height (gossip
/// deduplicates by hash, so what it dropped is never flooded to it again). A peer whose height is
/// above ours has blocks we lack: we ask it for a range (one request at a time, bounded), apply
/// each block with its commit through `Ledger.apply` (which verifies the commit against the set in
/// force at that height), and then rejoin consensus at the new tip. A validator that falls behind
/// while in consensus gets here by itself, because status keeps arriving.
extension ConsensusEngine {
    func sendStatus() {
        guard let gossip else { return }
        let connected = Set(gossip.connectedPeers)
        peers = peers.filter { connected.contains($0.key) }
        let envelope = GossipEnvelope(
            kind: .blockSyncRequest, payload: SyncRequest.status(height: state.height, round: state.round).canonicalBytes)
        for peer in connected { gossip.send(envelope, to: peer) }
    }

    func handle(_ request: SyncRequest, from peer: PeerID) -> GossipVerdict {
        switch request {
        case let .status(height, round):
            let now = clock.now()
            if var view = peers[peer] {
                if view.height != height || view.round != round {
                    view.height = height
                    view.round = round
                    view.since = now
                }
                peers[peer] = view
            } else {
                peers[peer] = PeerView(height: height, round: round, since: now)
            }
            return .accept
        case .blocks(let range):
            serve(range, to: peer)
            return .accept
        }
    }

    func handle(_ response: SyncResponse, from peer: PeerID) -> GossipVerdict {
        switch response {
        case let .catchUp(messages, blocks):
            var verdict = GossipVerdict.accept
            for block in blocks where block.height == state.height {
                if case .invalid = receive(block, from: peer) { verdict = .invalid("catch-up block is invalid") }
            }
            for message in messages {
                if case .invalid(let reason) = receive(message, from: peer) { verdict = .invalid("catch-up: \(reason)") }
            }
            return verdict
        case .blocks(let blocks):
            guard let request = syncRequest, request.peer == peer else { return .ignore }
            syncRequest = nil
            return apply(blocks, target: request.target, from: peer)
        }
    }

    /// Applies consecutive synced blocks; stops at the first that fails (the peer is invalid).
    private func apply(_ blocks: [SyncedBlock], target: UInt64, from peer: PeerID) -> GossipVerdict {
        let ledger = node.ledger
        var applied = 0
        var verdict = GossipVerdict.accept
        for item in blocks {
            let height = item.block.height
            if height <= ledger.height { continue }
            guard height == ledger.height + 1 else { break }
            do {
                node.recordCommitted(try ledger.apply(item.block, commit: item.commit))
                applied += 1
            } catch {
                verdict = .invalid("synced block \(height): \(error.reason)")
                break
            }
        }
        if blocks.isEmpty, var view = peers[peer] {
            // It claimed blocks it does not serve: believe it no further than our own height.
            view.height = min(view.height, state.height)
            peers[peer] = view
        }
        if applied > 0 {
            statistics.blocksSynced += applied
            logger.info("synced \(ledger.height)/\(max(target, ledger.height))", metadata: ["from": "\(peer)", "blocks": "\(applied)"])
            restartAtStoreTip()
        }
        return verdict
    }

    /// Answers a block request from the store: consecutive blocks with commits from the range's
    /// start, at most `syncBatch` and about `syncResponseBytes`.
    private func serve(_ range: BlockRange, to peer: PeerID) {
        guard let gossip else { return }
        let store = node.ledger.store
        let (batchEnd, overflow) = range.from.addingReportingOverflow(configuration.syncBatch - 1)
        let last = min(range.to, node.ledger.height, overflow ? .max : batchEnd)
        var blocks: [SyncedBlock] = []
        var bytes = 0
        if range.from <= last {
            for height in range.from...last {
                guard let block = try? store.block(at: height), let commit = try? store.commit(at: height) else { break }
                let size = block.canonicalBytes.count + commit.canonicalBytes.count
                if !blocks.isEmpty, bytes + size > configuration.syncResponseBytes { break }
                blocks.append(SyncedBlock(block: block, commit: commit))
                bytes += size
            }
        }
        gossip.send(GossipEnvelope(kind: .blockSyncResponse, payload: SyncResponse.blocks(blocks).canonicalBytes), to: peer)
    }

    /// Starts a block request when a peer is ahead: at once when it is two or more blocks ahead
    /// or holds a block we decided but lack, after `syncGrace` at one height when it is one ahead
    /// (votes usually decide first).
    func manageSync(now: Duration) {
        if let request = syncRequest, now >= request.deadline {
            logger.info("block request timed out", metadata: ["peer": "\(request.peer)"])
            if var view = peers[request.peer] {
                view.height = min(view.height, state.height)
                peers[request.peer] = view
            }
            syncRequest = nil
        }
        guard syncRequest == nil, let gossip else { return }
        let tip = node.ledger.height
        guard let (peer, view) = peers.max(by: { $0.value.height < $1.value.height }), view.height > tip + 1 else { return }
        let peerTip = view.height - 1
        let behind = peerTip - tip
        guard behind >= 2 || decidedWithoutBlock != nil || now - heightStartedAt >= configuration.syncGrace else { return }
        guard let range = try? BlockRange(from: tip + 1, to: min(peerTip, tip + configuration.syncBatch)) else { return }
        syncRequest = OutstandingSync(peer: peer, range: range, deadline: now + configuration.syncRequestTimeout, target: peerTip)
        gossip.send(GossipEnvelope(kind: .blockSyncRequest, payload: SyncRequest.blocks(range).canonicalBytes), to: peer)
    }

    /// Offers what we hold of this height to peers at our height that seem stuck in one round.
    func offerCatchUp(now: Duration) {
        guard let gossip, !current.known.isEmpty else { return }
        for (peer, view) in peers where view.height == state.height
            && now - view.since >= configuration.catchUpAfter && now - view.lastCatchUp >= configuration.catchUpAfter {
            peers[peer]?.lastCatchUp = now
            var blocks: [Block] = []
            var bytes = 0
            for block in current.blocks.values where current.validity[block.hash] == true && blocks.count < 4 {
                let size = block.canonicalBytes.count
                if !blocks.isEmpty, bytes + size > configuration.syncResponseBytes { break }
                blocks.append(block)
                bytes += size
            }
            let messages = Array(current.known.suffix(SyncResponse.maxMessages))
            let payload = SyncResponse.catchUp(messages: messages, blocks: blocks).canonicalBytes
            gossip.send(GossipEnvelope(kind: .blockSyncResponse, payload: payload), to: peer)
        }
    }
}
