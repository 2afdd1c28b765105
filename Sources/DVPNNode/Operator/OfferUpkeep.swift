import DVPNLedger
import DVPNNodeAPI

/// What an operator's node must do next to keep its offer in the registry as its flags say: the
/// pure decision of `OfferKeeper`, with the ledger's answers as inputs.
///
/// The registry (Contracts/README.md, "The registry contract") keeps one offer per account and
/// calls it stale `staleAfter = lastHeartbeat + 1000` blocks after its last heartbeat. The node
/// registers when it has no offer, updates when the terms it runs with differ from the stored ones
/// (an operator restarted with another `--price`), and refreshes the heartbeat well before the
/// offer goes stale. Every call costs a fee; an account that cannot pay it is told how much to
/// send, and nothing is submitted until it can.
public struct OfferUpkeep: Sendable, Equatable {
    /// The registry's offer lifetime in blocks (`stale_after = last_heartbeat + 1000`).
    public static let registryLifetime: UInt64 = 1000

    public enum Action: Sendable, Equatable {
        case register
        case update
        case heartbeat
        /// The offer is as it should be; look again later.
        case none
        /// The account holds `balance`, and the next call needs `fee`.
        case awaitFunds(fee: Amount, balance: Amount)
    }

    /// The terms this node runs with.
    public var terms: OfferTerms
    /// Heartbeat when this many blocks passed since the last one: a quarter of the lifetime by
    /// default, so three heartbeats in a row can be lost before a client sees the offer stale.
    public var heartbeatEvery: UInt64

    public init(terms: OfferTerms, heartbeatEvery: UInt64 = OfferUpkeep.registryLifetime / 4) {
        precondition(heartbeatEvery > 0 && heartbeatEvery < Self.registryLifetime, "heartbeat interval must be inside the registry lifetime")
        self.terms = terms
        self.heartbeatEvery = heartbeatEvery
    }

    /// The next action, given the offer the registry stores for this operator (nil: none), the
    /// chain's height, the account's balance and the fee of one registry call.
    public func next(stored: NodeAPI.Offer?, height: UInt64, balance: Amount, fee: Amount) -> Action {
        let wanted: Action
        if let stored {
            if !matches(stored) {
                wanted = .update
            } else if height >= stored.heartbeatHeight &+ heartbeatEvery || stored.stale {
                wanted = .heartbeat
            } else {
                return .none
            }
        } else {
            wanted = .register
        }
        return balance < fee ? .awaitFunds(fee: fee, balance: balance) : wanted
    }

    /// Whether the stored offer says what `terms` says, field by field as the API shows it.
    public func matches(_ stored: NodeAPI.Offer) -> Bool {
        stored.country == terms.country && stored.pricePerGiB == terms.pricePerGiB.udvpn
            && stored.pricePerHour == terms.pricePerHour?.udvpn && stored.bandwidthMbps == terms.bandwidthMbps
            && stored.endpoint == terms.endpoint && stored.tunnelKey == terms.tunnelKey.base64
            && stored.services == terms.services
    }
}
