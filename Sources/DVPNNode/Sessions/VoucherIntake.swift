import DVPNNodeAPI
import DVPNPayments

/// The operator's intake of one voucher, the rule "persist before it counts" in one place
/// (docs/session-protocol.md, "Payee"): the session's rules check it (`PayeeSession.receive`:
/// channel, increase, backlog, BIP340 signature), the store commits it (`OperatorStore.storeBest`,
/// fsync'd), and only then does the session's credit rise (`persisted`). `SessionManager` takes
/// every client voucher through it; `VoucherIntakeBenchmark` measures it.
enum VoucherIntake {
    enum Outcome {
        /// Persisted: the session's credit now covers it.
        case held
        /// The session's rules refused it.
        case refused(VoucherRefusal)
        /// The store could not commit it; it does not count and is forgotten.
        case notPersisted(NodeError)
    }

    static func take(_ voucher: Voucher, into payee: inout PayeeSession, store: OperatorStore, now: UInt64) -> Outcome {
        switch payee.receive(voucher) {
        case .refused(let refusal):
            return .refused(refusal)
        case .persist(let checked):
            do {
                try store.storeBest(checked, now: now)
            } catch {
                payee.persistenceFailed(checked)
                return .notPersisted(error)
            }
            payee.persisted(checked)
            return .held
        }
    }
}
