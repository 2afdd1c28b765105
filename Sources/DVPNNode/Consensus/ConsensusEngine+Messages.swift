import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import Foundation

/// The edge (docs/consensus.md, "Engine"): what peers send is decoded and verified here, before
/// anything reaches the WAL or the state machine. A bad signature, a signer outside the validator
/// set, an invalid block or a message for a height far above what the sending peer itself reported
/// is `.invalid`, which scores the peer down (and eventually bans it).
extension ConsensusEngine {
    func receive(_ envelope: GossipEnvelope, from peer: PeerID) -> GossipVerdict {
        let verdict = judge(envelope, from: peer)
        if case .invalid = verdict { statistics.invalidMessages += 1 }
        return verdict
    }

    private func judge(_ envelope: GossipEnvelope, from peer: PeerID) -> GossipVerdict {
        switch envelope.kind {
        case .proposal:
            guard let proposal = try? Proposal(canonicalBytes: envelope.payload) else { return .invalid("undecodable proposal") }
            return receive(.proposal(proposal), from: peer)
        case .vote:
            guard let vote = try? Vote(canonicalBytes: envelope.payload) else { return .invalid("undecodable vote") }
            return receive(.vote(vote), from: peer)
        case .block:
            guard let block = try? Block(canonicalBytes: envelope.payload) else { return .invalid("undecodable block") }
            return receive(block, from: peer)
        case .blockSyncRequest:
            guard let request = try? SyncRequest(canonicalBytes: envelope.payload) else { return .invalid("undecodable sync request") }
            return handle(request, from: peer)
        case .blockSyncResponse:
            guard let response = try? SyncResponse(canonicalBytes: envelope.payload) else { return .invalid("undecodable sync response") }
            return handle(response, from: peer)
        case .transaction, .commit, .pexRequest, .pexResponse:
            // Transactions are admitted by `EngineGossipDelegate` outside the actor; commits travel
            // in block sync answers; PEX is the gossip layer's.
            return .ignore
        }
    }

    /// A proposal or vote. Ours and older heights are ignored; the next height's are kept (and
    /// verified) until we get there; further ahead is invalid when the peer told us it is not
    /// there itself (an honest peer relays only what it accepted, at most its height + 1).
    func receive(_ message: SignedMessage, from peer: PeerID?) -> GossipVerdict {
        let height = message.height
        if height < state.height || current.knownSet.contains(message) { return .ignore }
        if height == state.height {
            // Rounds the state machine would drop cost nothing and are not remembered.
            let (limit, overflow) = state.round.addingReportingOverflow(state.config.maxFutureRounds)
            guard overflow || message.round <= limit else { return .ignore }
            if let problem = signatureProblem(message, validators: state.validators) { return .invalid(problem) }
            deliver(message)
            return .accept
        }
        if height == state.height + 1 {
            if nextHeightMessages.count < configuration.maxBufferedMessages, !nextHeightMessages.contains(message) {
                nextHeightMessages.append(message)
            }
            return .ignore
        }
        if let peer, let view = peers[peer], height > view.height, height - view.height > 2 {
            return .invalid("message for height \(height), far above ours (\(state.height)) and the peer's own (\(view.height))")
        }
        return .ignore
    }

    /// Signature and membership, checked before the WAL. A proposal's round must be one the state
    /// machine keeps, so that a hostile round number costs nothing.
    func signatureProblem(_ message: SignedMessage, validators: ValidatorSet) -> String? {
        switch message {
        case .vote(let vote):
            guard validators.contains(vote.validator) else { return "vote from a non-validator" }
            guard vote.hasValidSignature(chainID: chainID) else { return "vote with a bad signature" }
        case .proposal(let proposal):
            guard validators.contains(proposal.proposer) else { return "proposal from a non-validator" }
            guard proposal.hasValidSignature(chainID: chainID) else { return "proposal with a bad signature" }
        }
        return nil
    }

    /// Hands a verified message of this height to the state machine: votes at once, proposals
    /// once their block is here and executed (valid(v)).
    private func deliver(_ message: SignedMessage) {
        current.remember(message)
        switch message {
        case .vote(let vote):
            feed(.vote(vote))
        case .proposal(let proposal):
            let receivedAt = Timestamp(Date())
            if let valid = isValid(proposal, receivedAt: receivedAt) {
                feed(.proposal(proposal, blockIsValid: valid))
            } else if current.waiting.values.reduce(0, { $0 + $1.count }) < configuration.maxBufferedMessages {
                current.waiting[proposal.blockHash, default: []].append((proposal, receivedAt))
            }
        }
    }

    /// valid(v) for a proposal, nil while its block is missing: the block executed correctly and,
    /// for a fresh proposal (no valid round), its time is timely on our clock when the proposal
    /// arrived (`BlockTime.isTimely`, proposer-based time, docs/ledger.md "Block time"). A
    /// re-proposal was judged timely in its first round. The verdict is an input, so the WAL
    /// replays it as it was.
    func isValid(_ proposal: Proposal, receivedAt: Timestamp) -> Bool? {
        guard let executed = current.validity[proposal.blockHash] else { return nil }
        guard executed, proposal.validRound == nil else { return executed }
        guard let block = current.blocks[proposal.blockHash] else { return false }
        return BlockTime.isTimely(
            proposalTime: block.header.time, receiveTime: receivedAt, parent: node.ledger.position.time, round: proposal.round)
    }

    /// A proposed block: executed against the committed state to learn valid(v), then the
    /// proposals waiting for it are delivered.
    func receive(_ block: Block, from peer: PeerID?) -> GossipVerdict {
        let height = block.height
        if height == state.height + 1 {
            if nextHeightBlocks.count < 8, !nextHeightBlocks.contains(block) { nextHeightBlocks.append(block) }
            return .ignore
        }
        guard height == state.height else {
            if height > state.height, let peer, let view = peers[peer], height > view.height, height - view.height > 2 {
                return .invalid("block for height \(height), far above ours (\(state.height)) and the peer's own (\(view.height))")
            }
            return .ignore
        }
        let hash = block.hash
        guard current.validity[hash] == nil, current.validity.count < 64 else { return .ignore }
        let ledger = node.ledger
        guard ledger.height + 1 == height else { return .ignore }
        var verdict = GossipVerdict.accept
        switch ledger.executor.verify(block, after: ledger.position, state: ledger.state) {
        case .valid:
            current.blocks[hash] = block
            current.validity[hash] = true
            persistProposedBlocks()
        case .invalid(let violation):
            current.validity[hash] = false
            verdict = .invalid("invalid block \(height): \(violation)")
        }
        for (proposal, receivedAt) in current.waiting.removeValue(forKey: hash) ?? [] {
            feed(.proposal(proposal, blockIsValid: isValid(proposal, receivedAt: receivedAt) ?? false))
        }
        if let decision = decidedWithoutBlock, decision.blockHash == hash, current.validity[hash] == true {
            decidedWithoutBlock = nil
            applyMissingDecidedBlock(block, decision: decision)
        }
        return verdict
    }

    /// The block of a decision that was taken before a restart arrived: store it and move on.
    private func applyMissingDecidedBlock(_ block: Block, decision: Decision) {
        do {
            node.recordCommitted(try node.ledger.apply(block, commit: decision.commit))
        } catch {
            logger.error("cannot store decided block \(decision.height): \(error.reason)")
            return
        }
        restartAtStoreTip()
    }

    /// The next height's messages and blocks, kept while we were behind, now that we are there.
    func deliverNextHeightBuffer() {
        let blocks = nextHeightBlocks
        let messages = nextHeightMessages
        nextHeightBlocks = []
        nextHeightMessages = []
        for block in blocks where block.height == state.height { _ = receive(block, from: nil) }
        for message in messages where message.height >= state.height { _ = receive(message, from: nil) }
    }
}
