/// Why a node ends a session (issue 8 item 5): every cut-off carries one, the node logs it and
/// sends it to the client, which prints `summary` in one line and exits non-zero.
///
/// `code` is the stable wire value (u16 in `VoucherReceipt` and `SessionEnd`); codes are never
/// reused. A code this build does not know decodes as `.unknown(code)`, so an older client still
/// reports a newer node's reason by number.
public enum CutOffReason: Hashable, Sendable, CustomStringConvertible {
    /// No voucher arrived within the grace period after the grant.
    case noFirstVoucher
    /// The node's count of what is owed passed the best persisted voucher by more than one step.
    case unpaid
    /// The channel's deposit is used up.
    case depositExhausted
    /// The payer started closing the channel (or it is settled).
    case channelClosing
    /// The channel's expiry height is too near to redeem safely after more service.
    case channelExpiring
    /// The node serves its `--max-sessions` already.
    case maxSessions
    /// The node's bandwidth cap is reached.
    case bandwidthCap
    /// The operator is shutting the node down.
    case operatorShutdown
    /// The client ended the session itself (the normal end; not an error).
    case clientEnded
    /// A code this build does not know.
    case unknown(UInt16)

    public var code: UInt16 {
        switch self {
        case .clientEnded: 0
        case .noFirstVoucher: 1
        case .unpaid: 2
        case .depositExhausted: 3
        case .channelClosing: 4
        case .channelExpiring: 5
        case .maxSessions: 6
        case .bandwidthCap: 7
        case .operatorShutdown: 8
        case .unknown(let code): code
        }
    }

    public init(code: UInt16) {
        self =
            switch code {
            case 0: .clientEnded
            case 1: .noFirstVoucher
            case 2: .unpaid
            case 3: .depositExhausted
            case 4: .channelClosing
            case 5: .channelExpiring
            case 6: .maxSessions
            case 7: .bandwidthCap
            case 8: .operatorShutdown
            default: .unknown(code)
            }
    }

    /// One line for a person.
    public var summary: String {
        switch self {
        case .clientEnded: "the client ended the session"
        case .noFirstVoucher: "no first voucher arrived within the grace period"
        case .unpaid: "the unpaid amount passed one payment step"
        case .depositExhausted: "the channel's deposit is used up"
        case .channelClosing: "the channel is closing"
        case .channelExpiring: "the channel is about to expire"
        case .maxSessions: "the node serves its maximum number of sessions"
        case .bandwidthCap: "the node's bandwidth cap is reached"
        case .operatorShutdown: "the operator is shutting the node down"
        case .unknown(let code): "cut off for reason \(code), unknown to this version"
        }
    }

    public var description: String { "\(summary) (cut-off \(code))" }
}
