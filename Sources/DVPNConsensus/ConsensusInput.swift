import DVPNCrypto
import DVPNLedger

/// Everything that can change a validator's consensus state. The driver writes each input to the
/// WAL (`WALFrame`) before handing it to `ConsensusState.handle(_:)`, so replaying the WAL after a
/// crash reproduces the same state and the same outputs (cometbft `consensus/wal.go`).
///
/// Messages arrive already verified: the driver checks signatures at the edge (the state machine
/// only checks that the signer is the right validator).
public enum ConsensusInput: Hashable, Sendable {
    /// "upon start do StartRound(0)" (Algorithm 1, line 10): the first input after `init`.
    case start
    /// A proposal whose block the driver has received and executed: `blockIsValid` is the paper's
    /// valid(v). The driver holds a proposal back until it has the block.
    case proposal(Proposal, blockIsValid: Bool)
    /// A prevote or precommit.
    case vote(Vote)
    /// A timeout the state machine scheduled (`ConsensusOutput.scheduleTimeout`) has fired.
    case timeout(Timeout)
    /// The driver's answer to `ConsensusOutput.requestProposalValue`: getValue() (line 18), the
    /// hash of a block it built and will gossip.
    case proposalValue(height: UInt64, round: UInt32, blockHash: Hash256)
    /// The block decided at `height` is executed and stored; `nextValidators` is the set in force
    /// at `height + 1`. Lines 52-54: move to the next height and start round 0.
    case blockApplied(height: UInt64, nextValidators: ValidatorSet)
}

extension ConsensusInput: CanonicalCodable {
    private enum Tag: UInt8 {
        case start = 0, proposal = 1, vote = 2, timeout = 3, proposalValue = 4, blockApplied = 5
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        switch self {
        case .start:
            encoder.encode(Tag.start.rawValue)
        case let .proposal(proposal, valid):
            encoder.encode(Tag.proposal.rawValue)
            encoder.encode(proposal)
            encoder.encode(valid)
        case let .vote(vote):
            encoder.encode(Tag.vote.rawValue)
            encoder.encode(vote)
        case let .timeout(timeout):
            encoder.encode(Tag.timeout.rawValue)
            encoder.encode(timeout)
        case let .proposalValue(height, round, hash):
            encoder.encode(Tag.proposalValue.rawValue)
            encoder.encode(height)
            encoder.encode(round)
            encoder.encode(hash)
        case let .blockApplied(height, validators):
            encoder.encode(Tag.blockApplied.rawValue)
            encoder.encode(height)
            encoder.encode(validators)
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8(field: "input tag")
        guard let tag = Tag(rawValue: raw) else { throw LedgerError(.malformedEncoding, "unknown consensus input tag \(raw)") }
        switch tag {
        case .start:
            self = .start
        case .proposal:
            let proposal = try decoder.decode(Proposal.self, field: "proposal")
            self = .proposal(proposal, blockIsValid: try decoder.decodeBool(field: "blockIsValid"))
        case .vote:
            self = .vote(try decoder.decode(Vote.self, field: "vote"))
        case .timeout:
            self = .timeout(try decoder.decode(Timeout.self, field: "timeout"))
        case .proposalValue:
            let height = try decoder.decodeUInt64(field: "height")
            let round = try decoder.decodeUInt32(field: "round")
            self = .proposalValue(height: height, round: round, blockHash: try decoder.decode(Hash256.self, field: "blockHash"))
        case .blockApplied:
            let height = try decoder.decodeUInt64(field: "height")
            self = .blockApplied(height: height, nextValidators: try decoder.decode(ValidatorSet.self, field: "nextValidators"))
        }
    }
}
