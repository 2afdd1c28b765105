/// What the node thinks of an envelope a peer sent.
public enum GossipVerdict: Sendable, Equatable {
    /// Valid and new: relayed to the other peers if its kind is gossiped; the sender earns a point.
    case accept
    /// Valid but not worth relaying (already known, stale); no penalty.
    case ignore
    /// Invalid (bad signature, impossible height…): the sender is penalised, never relayed.
    case invalid(String)
}

/// The node's side of gossip: it receives every new envelope (gossiped kinds once, after dedup by
/// hash; block sync kinds as they come) with the peer that sent it, and answers with a verdict.
///
/// Calls for one peer arrive one at a time, in order, and the next frame of that peer is not read
/// until the call returns: a slow delegate slows that peer down through TCP, it does not buffer.
/// Calls for different peers may run concurrently.
public protocol GossipDelegate: Sendable {
    func gossipReceived(_ envelope: GossipEnvelope, from peer: PeerID) async -> GossipVerdict
}
