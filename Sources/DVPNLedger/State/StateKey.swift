import DVPNCrypto

/// The keys of the ledger state. Each encodes to bytes with a one-byte kind prefix; the state
/// tree commits to SHA-256 of those bytes.
///
/// | kind | bytes | value |
/// |---|---|---|
/// | account | 0x01 ‖ x-only key (32) | canonical `Account` |
/// | validator set | 0x02 | canonical `ValidatorSet` |
/// | contract code | 0x03 ‖ name | WebAssembly bytes (so the leaf's value hash *is* the pinned SHA-256) |
/// | contract balance | 0x04 ‖ name | canonical `Amount` (the contract's escrow) |
/// | contract storage | 0x05 ‖ len(name) (1) ‖ name ‖ key | bytes the contract wrote |
/// | burned fees | 0x06 | canonical `Amount` |
/// | validator-set history | 0x07 ‖ from height (8, big-endian) | canonical `ValidatorSet` in force from that height (written on each change; docs/evidence.md) |
/// | evidence record | 0x08 ‖ offender x-only key (32) ‖ height (8, big-endian) | canonical `UInt64`: the height of the block that applied it |
public enum StateKey: Hashable, Sendable, CustomStringConvertible {
    case account(Schnorr.PublicKey)
    case validatorSet
    case contractCode(String)
    case contractBalance(String)
    case contractStorage(contract: String, key: [UInt8])
    case burnedFees
    case validatorSetHistory(fromHeight: UInt64)
    case evidenceRecord(validator: Schnorr.PublicKey, height: UInt64)

    /// The raw-key prefix of every `validatorSetHistory` entry (they sort by height).
    public static let validatorSetHistoryPrefix: [UInt8] = [0x07]

    public var bytes: [UInt8] {
        switch self {
        case .account(let key): [0x01] + key.rawRepresentation
        case .validatorSet: [0x02]
        case .contractCode(let name): [0x03] + Array(name.utf8)
        case .contractBalance(let name): [0x04] + Array(name.utf8)
        case .contractStorage(let contract, let key): [0x05, UInt8(contract.utf8.count)] + Array(contract.utf8) + key
        case .burnedFees: [0x06]
        case .validatorSetHistory(let height): [0x07] + height.bigEndianBytes
        case .evidenceRecord(let key, let height): [0x08] + key.rawRepresentation + height.bigEndianBytes
        }
    }

    /// Parses stored key bytes; rejects anything `bytes` would not produce.
    public init(bytes: [UInt8]) throws(LedgerError) {
        func bad() -> LedgerError { LedgerError(.malformedEncoding, "state key \(Hex.encode(bytes.prefix(80))) is not a valid key") }
        func name(_ raw: ArraySlice<UInt8>) throws(LedgerError) -> String {
            guard let s = String(validating: raw, as: UTF8.self) else { throw bad() }
            do { try Genesis.validateContractName(s) } catch { throw bad() }
            return s
        }
        guard let kind = bytes.first else { throw bad() }
        switch kind {
        case 0x01:
            guard bytes.count == 33, let key = try? Schnorr.PublicKey(rawRepresentation: bytes[1...]) else { throw bad() }
            self = .account(key)
        case 0x02 where bytes.count == 1: self = .validatorSet
        case 0x03: self = .contractCode(try name(bytes[1...]))
        case 0x04: self = .contractBalance(try name(bytes[1...]))
        case 0x05:
            guard bytes.count >= 2, bytes.count >= 2 + Int(bytes[1]) else { throw bad() }
            let end = 2 + Int(bytes[1])
            self = .contractStorage(contract: try name(bytes[2..<end]), key: Array(bytes[end...]))
        case 0x06 where bytes.count == 1: self = .burnedFees
        case 0x07 where bytes.count == 9: self = .validatorSetHistory(fromHeight: UInt64(bigEndianBytes: bytes[1...]))
        case 0x08 where bytes.count == 41:
            guard let key = try? Schnorr.PublicKey(rawRepresentation: bytes[1..<33]) else { throw bad() }
            self = .evidenceRecord(validator: key, height: UInt64(bigEndianBytes: bytes[33...]))
        default: throw bad()
        }
    }

    public var description: String {
        switch self {
        case .account(let key): "account \(AccountAddress(publicKey: key))"
        case .validatorSet: "validator set"
        case .contractCode(let name): "code of contract \(name)"
        case .contractBalance(let name): "balance of contract \(name)"
        case .contractStorage(let contract, let key): "storage of contract \(contract) at \(Hex.encode(key.prefix(64)))"
        case .burnedFees: "burned fees"
        case .validatorSetHistory(let height): "validator set from height \(height)"
        case .evidenceRecord(let key, let height): "evidence against \(Hex.encode(key.rawRepresentation)) at height \(height)"
        }
    }

    /// Checks that `value` is a well-formed value for this key.
    func validate(_ value: [UInt8]) throws(LedgerError) {
        switch self {
        case .account: _ = try Account(canonicalBytes: value)
        case .validatorSet, .validatorSetHistory: _ = try ValidatorSet(canonicalBytes: value)
        case .evidenceRecord: _ = try UInt64(canonicalBytes: value)
        case .contractBalance, .burnedFees: _ = try Amount(canonicalBytes: value)
        case .contractCode, .contractStorage: break
        }
    }
}

/// An account: its balance and the nonce its next transaction must carry.
public struct Account: Hashable, Sendable {
    public var balance: Amount
    public var nonce: UInt64

    public init(balance: Amount = .zero, nonce: UInt64 = 0) {
        self.balance = balance
        self.nonce = nonce
    }
}

extension Account: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(balance)
        encoder.encode(nonce)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        balance = try decoder.decode(Amount.self)
        nonce = try decoder.decodeUInt64()
    }
}

extension UInt64 {
    /// Eight bytes, most significant first: state keys that embed a height sort by it.
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }

    /// Reads exactly eight big-endian bytes (the caller checked the count).
    init(bigEndianBytes bytes: ArraySlice<UInt8>) {
        self = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
