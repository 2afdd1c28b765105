import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI

/// Checks one signed header against the verified tip before it: the core of the light client,
/// pure (no I/O, no clock), so every rule is tested on values.
///
/// Rules, in order (each failure's reason names the check; docs/light-client.md):
/// 1. the header and commit are canonical encodings;
/// 2. heights are contiguous: the header is at `tip.height + 1`;
/// 3. the chain id is the genesis chain id;
/// 4. `previousBlockHash` is the hash of the verified tip (the genesis hash at height 1);
/// 5. the validator set: the tip's set, unless the header names another `validatorSetHash`; then
///    the new set must come with a proof against the tip's state root (the set written by block
///    `tip.height`'s transactions) and hash to what the header names;
/// 6. the commit is for this header's hash and height, and carries valid precommits of that set
///    holding more than 2/3 of its power (`Commit.verify`).
public struct HeaderChainVerifier: Sendable {
    public let chainID: String

    public init(chainID: String) {
        self.chainID = chainID
    }

    /// A header that passed every rule, with what the client stores.
    public struct Accepted: Sendable, Equatable {
        public let header: BlockHeader
        public let commit: Commit
        /// The set that signed it, when it differs from the one before (a change to store).
        public let changedValidators: ValidatorSet?
        public let tip: VerifiedTip
    }

    public func verify(_ signed: NodeAPI.SignedHeader, after tip: VerifiedTip) throws(ClientError) -> Accepted {
        let expected = tip.height + 1
        guard let headerBytes = Hex.decode(signed.header), let header = try? BlockHeader(canonicalBytes: headerBytes) else {
            throw Self.lie("header \(signed.height) is not a canonical block header")
        }
        guard header.height == expected, signed.height == expected else {
            throw Self.lie("header gap: expected block \(expected) after verified block \(tip.height), got block \(header.height)")
        }
        guard header.chainID == chainID else {
            throw Self.lie("header \(expected) is for chain '\(header.chainID.prefix(64))', not the genesis chain '\(chainID)'")
        }
        guard header.previousBlockHash == tip.blockHash else {
            throw Self.lie("header \(expected) does not link to verified block \(tip.height) (previous hash \(header.previousBlockHash.hex.prefix(16))…, verified \(tip.blockHash.hex.prefix(16))…)")
        }
        let validators: ValidatorSet
        var changed: ValidatorSet?
        if header.validatorSetHash == tip.validators.hash {
            validators = tip.validators
        } else {
            validators = try provenValidatorSet(signed.validatorSet, for: header, after: tip)
            changed = validators
        }
        guard let commitBytes = Hex.decode(signed.commit), let commit = try? Commit(canonicalBytes: commitBytes) else {
            throw Self.lie("the commit of block \(expected) is not a canonical commit")
        }
        guard commit.height == expected, commit.blockHash == header.hash else {
            throw Self.lie("the commit given for block \(expected) is for block \(commit.height) \(commit.blockHash.hex.prefix(16))…, not this header")
        }
        do {
            try commit.verify(chainID: chainID, validators: validators)
        } catch {
            throw Self.lie("the \(error.reason)")
        }
        return Accepted(
            header: header, commit: commit, changedValidators: changed,
            tip: VerifiedTip(height: expected, blockHash: header.hash, stateRoot: header.stateRoot, validators: validators))
    }

    /// Rule 5: the new set, proven in the state after the tip's block.
    private func provenValidatorSet(_ proven: NodeAPI.ProvenValue?, for header: BlockHeader, after tip: VerifiedTip) throws(ClientError) -> ValidatorSet {
        let height = header.height
        guard let root = tip.stateRoot else {
            throw Self.lie("header \(height) names a validator set other than genesis's")
        }
        guard let proven else {
            throw Self.lie("header \(height) changes the validator set but comes without a proof of the new set")
        }
        let value: [UInt8]?
        do {
            value = try ProofCheck.verify(proven, key: StateKey.validatorSet.bytes, root: root)
        } catch {
            throw Self.lie("validator-set proof for block \(height) does not match the state root of verified block \(tip.height)")
        }
        guard let value, let set = try? ValidatorSet(canonicalBytes: value) else {
            throw Self.lie("the proven state of block \(tip.height) holds no readable validator set")
        }
        guard set.hash == header.validatorSetHash else {
            throw Self.lie("the validator set proven at block \(tip.height) is not the one header \(height) names")
        }
        return set
    }

    static func lie(_ reason: String, file: String = #fileID, line: UInt = #line) -> ClientError {
        ClientError(.verification, reason, file: file, line: line)
    }
}
