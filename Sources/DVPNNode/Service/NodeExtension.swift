public import DVPNNodeAPI
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// A part of a node that runs beside its ledger without being the ledger: the operator's
/// marketplace (offer upkeep, the exit, paid sessions) is one.
///
/// The node service attaches every extension once the ledger is open, runs the services it returns
/// in the node's own `ServiceGroup` after the chain's services and before the API (a graceful
/// shutdown stops the API first, then the extensions, then the chain), and mounts its routes on
/// the node's HTTP API. This is the one seam between the ledger network (consensus, gossip) and the
/// marketplace inside `dvpn-node serve`.
public protocol NodeExtension: Sendable {
    func attach(to node: AttachedLedger, logger: Logger) throws(NodeError) -> AttachedNodeExtension
}

/// The open ledger an extension is attached to. Opaque outside DVPNNode; inside it, `node` is the
/// `LedgerNode` (which is also an `OperatorLedger`).
public struct AttachedLedger: Sendable {
    let node: LedgerNode
}

/// What an attached extension contributes to the node.
public struct AttachedNodeExtension: Sendable {
    public var services: [any Service]
    /// Adds routes to the API router before the server starts.
    public var addRoutes: @Sendable (Router<BasicRequestContext>) -> Void

    public init(services: [any Service], addRoutes: @escaping @Sendable (Router<BasicRequestContext>) -> Void = { _ in }) {
        self.services = services
        self.addRoutes = addRoutes
    }
}
