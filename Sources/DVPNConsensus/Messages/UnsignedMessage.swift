import DVPNCrypto
import DVPNLedger

/// A message the state machine wants broadcast, before signing. The driver passes it through
/// `SignGuard`, signs it (`sign(chainID:with:)`), persists the guard, sends it to its peers and
/// delivers the signed message back to the state machine as an input, as it does with peers'
/// messages (CometBFT's internal queue): the paper's "broadcast" includes the sender.
public enum UnsignedMessage: Hashable, Sendable, CustomStringConvertible {
    /// ⟨PROPOSAL, h, r, id(v), vr⟩, vr nil for −1.
    case proposal(height: UInt64, round: UInt32, blockHash: Hash256, validRound: UInt32?)
    /// ⟨PREVOTE/PRECOMMIT, h, r, id(v) or nil⟩.
    case vote(kind: Vote.Kind, height: UInt64, round: UInt32, blockHash: Hash256?)

    public var height: UInt64 {
        switch self {
        case .proposal(let h, _, _, _), .vote(_, let h, _, _): h
        }
    }

    public var round: UInt32 {
        switch self {
        case .proposal(_, let r, _, _), .vote(_, _, let r, _): r
        }
    }

    /// The step the message is signed in: proposals in propose, votes in their own step.
    public var step: Step {
        switch self {
        case .proposal: .propose
        case .vote(let kind, _, _, _): Step(kind)
        }
    }

    public var blockHash: Hash256? {
        switch self {
        case .proposal(_, _, let hash, _): hash
        case .vote(_, _, _, let hash): hash
        }
    }

    /// The exact bytes a signature covers.
    public func signingMessage(chainID: String) -> [UInt8] {
        switch self {
        case let .proposal(h, r, hash, vr):
            Proposal.signingMessage(chainID: chainID, height: h, round: r, blockHash: hash, validRound: vr)
        case let .vote(kind, h, r, hash):
            Vote.signingMessage(chainID: chainID, kind: kind, height: h, round: r, blockHash: hash)
        }
    }

    /// Signs the message. Does not consult the sign guard: that is the caller's duty.
    public func sign(chainID: String, with key: Schnorr.PrivateKey) throws(ConsensusError) -> SignedMessage {
        switch self {
        case let .proposal(h, r, hash, vr):
            return .proposal(try Proposal.sign(chainID: chainID, height: h, round: r, blockHash: hash, validRound: vr, with: key))
        case let .vote(kind, h, r, hash):
            do {
                return .vote(try Vote.sign(chainID: chainID, kind: kind, height: h, round: r, blockHash: hash, with: key))
            } catch {
                throw ConsensusError(.invalidSignature, error.reason)
            }
        }
    }

    public var description: String {
        let hash = blockHash.map { String($0.hex.prefix(8)) } ?? "nil"
        switch self {
        case let .proposal(h, r, _, vr): return "proposal h=\(h) r=\(r) \(hash) vr=\(vr.map(String.init) ?? "-1")"
        case let .vote(kind, h, r, _): return "\(kind == .prevote ? "prevote" : "precommit") h=\(h) r=\(r) \(hash)"
        }
    }
}

/// A signed consensus message: what peers exchange and what `ConsensusInput` carries.
public enum SignedMessage: Hashable, Sendable {
    case proposal(Proposal)
    case vote(Vote)
}
