import CoreMetrics
import DVPNLedger
import DVPNPayments
import Prometheus

/// The operator's Prometheus metrics (docs/operator.md, "Metrics"), made through swift-metrics
/// with a registry of its own: `GET /metrics` renders exactly this node's numbers, and nothing
/// is bootstrapped process-wide (tests run several operators in one process).
final class OperatorMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    private let opened: CoreMetrics.Counter
    private let active: CoreMetrics.Gauge
    private let bytes: CoreMetrics.Counter
    private let peers: CoreMetrics.Gauge
    private let height: CoreMetrics.Gauge
    private let redeemedAmount: CoreMetrics.Counter

    init() {
        factory = PrometheusMetricsFactory(registry: registry)
        opened = CoreMetrics.Counter(label: "dvpn_operator_sessions_opened_total", factory: factory)
        active = CoreMetrics.Gauge(label: "dvpn_operator_sessions_active", factory: factory)
        bytes = CoreMetrics.Counter(label: "dvpn_operator_session_bytes_total", factory: factory)
        peers = CoreMetrics.Gauge(label: "dvpn_operator_peers", factory: factory)
        height = CoreMetrics.Gauge(label: "dvpn_ledger_height", factory: factory)
        redeemedAmount = CoreMetrics.Counter(label: "dvpn_operator_redeemed_udvpn_total", factory: factory)
    }

    func sessionOpened() { opened.increment() }

    func admissionRefused(_ refusal: AdmissionRefusal) {
        CoreMetrics.Counter(label: "dvpn_operator_admission_refusals_total", dimensions: [("reason", Self.name(refusal))], factory: factory)
            .increment()
    }

    func voucherHeld() {
        CoreMetrics.Counter(label: "dvpn_operator_vouchers_total", dimensions: [("outcome", "held"), ("reason", "none")], factory: factory).increment()
    }

    func voucherRefused(_ refusal: VoucherRefusal) {
        CoreMetrics.Counter(
            label: "dvpn_operator_vouchers_total", dimensions: [("outcome", "refused"), ("reason", Self.name(refusal))],
            factory: factory
        ).increment()
    }

    func cutOff(_ reason: CutOffReason) {
        CoreMetrics.Counter(label: "dvpn_operator_cutoffs_total", dimensions: [("reason", Self.name(reason))], factory: factory).increment()
    }

    func redemption(committed: Bool, amount: Amount) {
        CoreMetrics.Counter(
            label: "dvpn_operator_redemptions_total", dimensions: [("outcome", committed ? "committed" : "failed")],
            factory: factory
        ).increment()
        if committed, amount.udvpn > 0 { redeemedAmount.increment(by: Int64(clamping: amount.udvpn)) }
    }

    func traffic(_ delta: UInt64) {
        if delta > 0 { bytes.increment(by: Int64(clamping: delta)) }
    }

    func gauges(activeSessions: Int, peers peerCount: Int, height ledgerHeight: UInt64) {
        active.record(activeSessions)
        peers.record(peerCount)
        height.record(Int64(clamping: ledgerHeight))
    }

    /// The Prometheus text exposition format.
    func render() -> String { registry.emitToString() }

    static func name(_ reason: CutOffReason) -> String {
        switch reason {
        case .clientEnded: "client_ended"
        case .noFirstVoucher: "no_first_voucher"
        case .unpaid: "unpaid"
        case .depositExhausted: "deposit_exhausted"
        case .channelClosing: "channel_closing"
        case .channelExpiring: "channel_expiring"
        case .maxSessions: "max_sessions"
        case .bandwidthCap: "bandwidth_cap"
        case .operatorShutdown: "operator_shutdown"
        case .unknown(let code): "code_\(code)"
        }
    }

    static func name(_ refusal: VoucherRefusal) -> String {
        switch refusal {
        case .foreignChannel: "foreign_channel"
        case .badSignature: "bad_signature"
        case .notIncreasing: "not_increasing"
        case .persistenceBacklog: "persistence_backlog"
        case .unknownSession: "unknown_session"
        }
    }

    static func name(_ refusal: AdmissionRefusal) -> String {
        switch refusal {
        case .wrongOperator: "wrong_operator"
        case .staleTimestamp: "stale_timestamp"
        case .badSignature: "bad_signature"
        case .replayed: "replayed"
        case .unknownChannel: "unknown_channel"
        case .notChannelPayer: "not_channel_payer"
        case .otherPayee: "other_payee"
        case .tunnelKeyMismatch: "tunnel_key_mismatch"
        case .channelNotOpen: "channel_not_open"
        case .channelExpiring: "channel_expiring"
        case .depositUsedUp: "deposit_used_up"
        case .maxSessions: "max_sessions"
        case .busy: "busy"
        }
    }
}
