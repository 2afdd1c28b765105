import DVPNCrypto
import DVPNTunnel

/// The order in which each peer's allowed IPs were given, so that `wg show` lists them as
/// wireguard-go does (its per-peer list is in insertion order; the core reports them sorted).
///
/// The core stays the authority on *which* prefixes a peer holds (a prefix claimed by another
/// peer moves there): `ordered(_:for:)` keeps the recorded order for the prefixes the core still
/// has and appends any it does not know of, sorted.
struct AllowedIPsOrder {
    private var order: [X25519.PublicKey: [IPPrefix]] = [:]

    /// Records `prefixes` for `peer`, after dropping what it had when `replacing`.
    mutating func add(_ prefixes: [IPPrefix], for peer: X25519.PublicKey, replacing: Bool) {
        var list = replacing ? [] : order[peer, default: []]
        for prefix in prefixes {
            // Given again, a prefix moves to the end, as a re-insert does in wireguard-go.
            list.removeAll { $0 == prefix }
            list.append(prefix)
        }
        order[peer] = list
    }

    mutating func remove(_ peer: X25519.PublicKey) {
        order[peer] = nil
    }

    mutating func removeAll() {
        order.removeAll()
    }

    /// `held` (what the core reports for `peer`) in recorded order.
    func ordered(_ held: [IPPrefix], for peer: X25519.PublicKey) -> [IPPrefix] {
        let heldSet = Set(held)
        let recorded = (order[peer] ?? []).filter { heldSet.contains($0) }
        let recordedSet = Set(recorded)
        return recorded + held.filter { !recordedSet.contains($0) }.sorted()
    }
}
