import DVPNCrypto
import DVPNLedger

/// A peer is named by its ledger identity, the BIP340 public key it proved in the link handshake
/// (docs/p2p.md). The Noise static key is only the link's key; a node may change it at restart.
public struct PeerID: Hashable, Sendable, CustomStringConvertible {
    public let publicKey: Schnorr.PublicKey

    public init(_ publicKey: Schnorr.PublicKey) {
        self.publicKey = publicKey
    }

    /// The first 8 hex digits, for logs.
    public var description: String { Hex.encode(publicKey.rawRepresentation.prefix(4)) }
}
