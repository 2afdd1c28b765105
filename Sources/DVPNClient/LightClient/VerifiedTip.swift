import DVPNLedger

/// Where the client's verified header chain ends: the last header it accepted (or genesis) and
/// the validator set in force at that height.
///
/// The set that must sign block `height + 1` is the one in state after block `height`: the same
/// as `validators` unless header `height + 1` names another hash, in which case the new set is
/// proven against `stateRoot` (docs/light-client.md, "Validator-set changes").
public struct VerifiedTip: Sendable, Equatable {
    public let height: UInt64
    /// The block hash at `height`; the genesis hash at height 0.
    public let blockHash: Hash256
    /// The state root after block `height`; nil at height 0 (genesis state is never proven
    /// against: the first block's header is the first root a client holds).
    public let stateRoot: Hash256?
    /// The set whose commit finalised block `height` (the genesis set at height 0).
    public let validators: ValidatorSet

    public init(height: UInt64, blockHash: Hash256, stateRoot: Hash256?, validators: ValidatorSet) {
        self.height = height
        self.blockHash = blockHash
        self.stateRoot = stateRoot
        self.validators = validators
    }

    /// The start of every chain: nothing verified yet but genesis itself.
    public init(genesis: Genesis) {
        self.init(height: 0, blockHash: genesis.hash, stateRoot: nil, validators: genesis.validators)
    }
}
