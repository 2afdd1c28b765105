import DVPNCrypto
import DVPNLedger
import Foundation

/// Cross-replica checks on the data directories a multi-validator run leaves (issue 7,
/// "Real processes on loopback"), reading each store read-only as `dvpn ledger verify` does:
///
/// - every replica has the same block hash at every height they all hold;
/// - no validator signed two conflicting precommits: across every commit stored on any replica
///   (a node's own commit of each height, and the `lastCommit` inside the next block), one
///   validator's signed precommits for one (height, round) all name the same block;
/// - every stored commit verifies against the validator set in force at its height, so each
///   signature counted above is a real one;
/// - no block holds equivocation evidence: every validator of the run is honest, so evidence
///   would name an honest node.
enum ReplicaAudit {
    struct Report {
        var commonHeight: UInt64 = 0
        var commitsChecked = 0
        var problems: [String] = []
    }

    private struct VoteSlot: Hashable {
        var validator: [UInt8]
        var height: UInt64
        var round: UInt32
    }

    static func check(directories: [String]) throws -> Report {
        var report = Report()
        let stores = try directories.map { try LedgerStore(directory: $0, readOnly: true) }
        defer { for store in stores { try? store.close() } }
        guard let genesis = try stores.first?.genesis() else {
            report.problems.append("no replica holds a ledger")
            return report
        }
        let tips = try stores.map { try $0.tipHeight() }
        report.commonHeight = tips.min() ?? 0

        // One block hash per common height.
        if report.commonHeight >= 1 {
            for height in 1...report.commonHeight {
                let hashes = try Set(stores.map { try $0.block(at: height)?.hash })
                if hashes.count != 1 || hashes.contains(nil) {
                    report.problems.append("replicas disagree on block \(height): \(hashes.map { $0.map(\.description) ?? "missing" })")
                }
            }
        }

        // Every precommit signed by one validator for one (height, round) names one block.
        var signed: [VoteSlot: (block: Hash256, replica: Int)] = [:]
        for (replica, store) in stores.enumerated() {
            guard tips[replica] >= 1 else { continue }
            for height in 1...tips[replica] {
                var commits: [Commit] = []
                if let own = try store.commit(at: height) { commits.append(own) }
                if height < tips[replica], let next = try store.block(at: height + 1), let last = next.lastCommit { commits.append(last) }
                if let block = try store.block(at: height) {
                    for transaction in block.transactions {
                        if case .evidence(let evidence) = transaction.body.payload {
                            report.problems.append(
                                "block \(height) of \(directories[replica]) holds evidence against \(Hex.encode(evidence.voteA.validator.rawRepresentation))")
                        }
                    }
                }
                let validators = try store.validatorSet(inForceAt: height)
                for commit in commits {
                    report.commitsChecked += 1
                    do {
                        try commit.verify(chainID: genesis.chainID, validators: validators)
                    } catch {
                        report.problems.append("a commit for height \(height) in \(directories[replica]) does not verify: \(error.reason)")
                    }
                    for signature in commit.signatures {
                        let slot = VoteSlot(validator: signature.validator.rawRepresentation, height: commit.height, round: commit.round)
                        if let earlier = signed[slot], earlier.block != commit.blockHash {
                            report.problems.append(
                                "validator \(Hex.encode(slot.validator)) precommitted \(earlier.block) (in \(directories[earlier.replica])) and \(commit.blockHash) (in \(directories[replica])) at height \(slot.height), round \(slot.round)")
                        } else if signed[slot] == nil {
                            signed[slot] = (commit.blockHash, replica)
                        }
                    }
                }
            }
        }
        return report
    }
}
