import DVPNCrypto
import DVPNLedger

/// Never sign twice: the last (height, round, step, block) this validator signed, and the rule
/// that refuses to sign anything that could conflict with it (after cometbft `privval`'s
/// `LastSignState`).
///
/// The driver asks `authorize(_:chainID:)` before every signature and persists `canonicalBytes`
/// (atomically, fsynced) before the signed message leaves the process. A restarted validator
/// loads the guard first, so whatever its replayed state machine wants, it cannot sign a second
/// block at a height, round and step it already signed, nor go back to an earlier one.
public struct SignGuard: Hashable, Sendable {
    /// What was signed last.
    public struct LastSigned: Hashable, Sendable {
        public var height: UInt64
        public var round: UInt32
        public var step: Step
        public var blockHash: Hash256?
        /// SHA-256 of the exact signed bytes, so re-signing is allowed only for the identical
        /// message (a proposal with the same block but another valid round is a different one).
        public var messageDigest: Hash256
    }

    public enum Verdict: Hashable, Sendable {
        /// New and later than anything signed: sign it (the guard has recorded it).
        case sign
        /// Exactly the last message signed: signing it again is harmless.
        case resign
        /// Earlier (height, round, step) than the last signature: refuse.
        case refuseStale
        /// Same (height, round, step) as the last signature but a different message: refuse. An
        /// honest validator never gets here; it would be an equivocation.
        case refuseConflict
    }

    public private(set) var lastSigned: LastSigned?

    /// A guard that has signed nothing yet.
    public init() {}

    /// Decides whether `message` may be signed and, when it is new, records it.
    public mutating func authorize(_ message: UnsignedMessage, chainID: String) -> Verdict {
        let digest = Hash256.sha256(message.signingMessage(chainID: chainID))
        let verdict = check(message, digest: digest)
        if verdict == .sign {
            lastSigned = LastSigned(height: message.height, round: message.round, step: message.step, blockHash: message.blockHash, messageDigest: digest)
        }
        return verdict
    }

    /// The verdict without recording anything.
    public func check(_ message: UnsignedMessage, chainID: String) -> Verdict {
        check(message, digest: Hash256.sha256(message.signingMessage(chainID: chainID)))
    }

    private func check(_ message: UnsignedMessage, digest: Hash256) -> Verdict {
        guard let last = lastSigned else { return .sign }
        let new = (message.height, message.round, message.step.rawValue)
        let old = (last.height, last.round, last.step.rawValue)
        if new < old { return .refuseStale }
        if new > old { return .sign }
        return digest == last.messageDigest ? .resign : .refuseConflict
    }
}

extension SignGuard.LastSigned: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(height)
        encoder.encode(round)
        encoder.encode(step)
        encoder.encode(optional: blockHash)
        encoder.encode(messageDigest)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        height = try decoder.decodeUInt64(field: "height")
        round = try decoder.decodeUInt32(field: "round")
        step = try decoder.decode(Step.self, field: "step")
        blockHash = try decoder.decodeOptional(of: Hash256.self, field: "blockHash")
        messageDigest = try decoder.decode(Hash256.self, field: "messageDigest")
    }
}

extension SignGuard: CanonicalCodable {
    /// A format version byte, then the optional last signature.
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(UInt8(1))
        encoder.encode(optional: lastSigned)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let version = try decoder.decodeUInt8(field: "version")
        guard version == 1 else { throw LedgerError(.malformedEncoding, "sign guard version \(version) is unknown") }
        lastSigned = try decoder.decodeOptional(of: LastSigned.self, field: "lastSigned")
    }
}
