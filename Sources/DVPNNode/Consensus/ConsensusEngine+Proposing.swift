import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import Foundation

/// getValue() (Algorithm 1, line 18) and equivocation evidence.
extension ConsensusEngine {
    /// Builds this validator's block for the open request once it may: at once when transactions
    /// wait, in any round after 0, or for the first proposal after a start; otherwise after
    /// `emptyBlockWait` at this height, so an idle chain makes an empty block at most that often
    /// (the old dev producer's `--block-interval`).
    func proposalValueIfReady() -> ConsensusInput? {
        guard let request = valueRequest else { return nil }
        guard state.isAwaitingProposalValue, state.height == request.height, state.round == request.round else {
            valueRequest = nil
            return nil
        }
        let ledger = node.ledger
        guard ledger.height + 1 == request.height else { return nil }
        let waited = clock.now() - heightStartedAt
        guard ledger.mempoolCount > 0 || request.round > 0 || waited >= configuration.emptyBlockWait else { return nil }
        let now = Timestamp(Date())
        let last = ledger.position.time
        let time = now > last ? now : Timestamp(millisecondsSince1970: last.millisecondsSince1970 + 1)
        let built = ledger.buildBlock(proposer: key.publicKey, time: time)
        ledger.dropRejected(built)
        let hash = built.block.hash
        current.built[hash] = built
        current.blocks[hash] = built.block
        current.validity[hash] = true
        persistProposedBlocks()
        valueRequest = nil
        return .proposalValue(height: request.height, round: request.round, blockHash: hash)
    }

    /// Submits the state machine's evidence as a transaction signed by this node, once per
    /// offender and height (the ledger refuses a second one anyway, docs/evidence.md). The fee
    /// comes from this node's account; a node that cannot pay it logs the refusal.
    func submitEvidence(_ evidence: Evidence) {
        let key = EvidenceKey(offender: evidence.validator, height: evidence.height)
        guard evidenceSubmitted.insert(key).inserted else { return }
        let ledger = node.ledger
        let offender = Hex.encode(evidence.validator.rawRepresentation.prefix(4))
        let transaction: Transaction
        do {
            transaction = try DVPNLedger.TransactionBody(
                chainID: chainID, sender: self.key.publicKey, nonce: ledger.nextNonce(for: self.key.publicKey),
                fee: ledger.genesis.params.minFee, payload: .evidence(evidence.ledgerPayload)
            ).signed(with: self.key)
        } catch {
            logger.error("cannot sign evidence against \(offender): \(error.reason)")
            return
        }
        switch ledger.submit(transaction) {
        case .accepted:
            statistics.evidenceSubmitted += 1
            node.network.publish(transaction)
            logger.warning("equivocation detected; evidence submitted", metadata: [
                "offender": "\(offender)", "height": "\(evidence.height)", "round": "\(evidence.round)"])
        case .rejected(let rejection):
            logger.warning("equivocation detected; the evidence transaction was refused: \(rejection)", metadata: [
                "offender": "\(offender)", "height": "\(evidence.height)"])
        }
    }
}
