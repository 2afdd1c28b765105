import DVPNLedger

/// `step_p ∈ {propose, prevote, precommit}` (Algorithm 1, line 4), ordered as the paper compares
/// them (`step_p ≥ prevote`, line 36). The raw values are the canonical encoding.
public enum Step: UInt8, Comparable, Hashable, Sendable, CustomStringConvertible {
    case propose = 1
    case prevote = 2
    case precommit = 3

    public static func < (lhs: Step, rhs: Step) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .propose: "propose"
        case .prevote: "prevote"
        case .precommit: "precommit"
        }
    }

    /// The step a vote of this kind is cast in.
    public init(_ kind: Vote.Kind) {
        self = kind == .prevote ? .prevote : .precommit
    }
}

extension Step: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) { encoder.encode(rawValue) }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let raw = try decoder.decodeUInt8(field: "step")
        guard let step = Step(rawValue: raw) else { throw LedgerError(.malformedEncoding, "unknown step \(raw)") }
        self = step
    }
}

/// A timeout as Algorithm 1 schedules it: `OnTimeoutX(height, round)` (lines 21, 35, 48). The step
/// says which of the three it is; the state machine drops it when it no longer matches (lines 58,
/// 62, 66).
public struct Timeout: Hashable, Sendable, CustomStringConvertible {
    public var height: UInt64
    public var round: UInt32
    public var step: Step

    public init(height: UInt64, round: UInt32, step: Step) {
        self.height = height
        self.round = round
        self.step = step
    }

    public var description: String { "timeout \(step) h=\(height) r=\(round)" }
}

extension Timeout: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(height)
        encoder.encode(round)
        encoder.encode(step)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        height = try decoder.decodeUInt64(field: "height")
        round = try decoder.decodeUInt32(field: "round")
        step = try decoder.decode(Step.self, field: "step")
    }
}
