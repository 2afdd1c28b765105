/// Domain separation for signatures (DESIGN.md, "The ledger"): every signed message type signs
///
///     len(tag) ‖ tag ‖ len(chain id) ‖ chain id ‖ body
///
/// with UInt32 big-endian lengths, exactly as `CanonicalEncoder.encode(string:maxLength:)` writes
/// them. Both lengths are explicit, so the three parts can be read back from the message alone and
/// no two different (tag, chain id, body) triples give the same bytes: a signature made for one
/// message type or one chain can never verify as another.
///
/// Tags name the message type and a format version (`dvpn/tx/v1`); a format change gets a new
/// version, so old signatures cannot be replayed under the new layout.
public struct SigningDomain: Hashable, Sendable, CustomStringConvertible {
    /// The longest tag, in bytes.
    public static let maxTagLength = 64
    /// The longest chain id, in bytes.
    public static let maxChainIDLength = 64

    public let tag: String

    /// A domain with a fixed tag: 1–64 bytes of `a`–`z`, `0`–`9`, `-` and `/`. Tags are constants
    /// in the code, so a malformed one is a programmer error and traps.
    public init(tag: String) {
        precondition(
            tag.utf8.count <= Self.maxTagLength && Self.consists(of: tag, allowing: UInt8(ascii: "/")),
            "signing domain tag \(String(reflecting: tag)) must be 1–64 bytes of [a-z0-9/-]"
        )
        self.tag = tag
    }

    public var description: String { tag }

    /// The bytes a signer signs: tag and chain id length-prefixed, then the body as it is.
    ///
    /// Any chain id gives an unambiguous message; whether a chain id is acceptable at all is a
    /// separate check, `validateChainID(_:)`, made where chain ids enter the program (genesis,
    /// `validateBasic`). A chain id longer than `UInt32.max` bytes cannot exist in memory.
    public func message(chainID: String, body: [UInt8]) -> [UInt8] {
        var encoder = CanonicalEncoder(
            reservingCapacity: 8 + tag.utf8.count + chainID.utf8.count + body.count
        )
        encoder.encode(string: tag, maxLength: Self.maxTagLength, field: "tag")
        encoder.encode(string: chainID, maxLength: CanonicalFormat.largestLength, field: "chain id")
        return encoder.bytes + body
    }

    // MARK: Chain ids

    /// True if `chainID` is 1–64 bytes of `a`–`z`, `0`–`9` and `-` (for example `dvpn-devnet-1`).
    public static func isValidChainID(_ chainID: String) -> Bool {
        chainID.utf8.count <= maxChainIDLength && consists(of: chainID, allowing: nil)
    }

    /// Throws `.outOfRange` unless `isValidChainID(chainID)`.
    public static func validateChainID(_ chainID: String) throws(LedgerError) {
        guard isValidChainID(chainID) else {
            let shown = String(reflecting: String(chainID.prefix(maxChainIDLength)))
            throw LedgerError(
                .outOfRange,
                "chain id: \(shown) (\(chainID.utf8.count) bytes) must be 1–\(maxChainIDLength) bytes of [a-z0-9-]"
            )
        }
    }

    /// True if `text` is non-empty and every byte is `a`–`z`, `0`–`9`, `-` or `extra`.
    private static func consists(of text: String, allowing extra: UInt8?) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                true
            default:
                byte == extra
            }
        }
    }
}

// MARK: - The message types DESIGN.md names

extension SigningDomain {
    /// A ledger transaction (sender, nonce, fee, payload).
    public static let transaction = SigningDomain(tag: "dvpn/tx/v1")
    /// A consensus block proposal (Tendermint "proposal").
    public static let proposal = SigningDomain(tag: "dvpn/proposal/v1")
    /// A consensus prevote.
    public static let prevote = SigningDomain(tag: "dvpn/prevote/v1")
    /// A consensus precommit; a block's commit is a set of these.
    public static let precommit = SigningDomain(tag: "dvpn/precommit/v1")
    /// A payment-channel voucher: (chain id, channel id, cumulative amount, nonce).
    public static let voucher = SigningDomain(tag: "dvpn/voucher/v1")
    /// The payee's co-signature that closes a payment channel at once.
    public static let channelClose = SigningDomain(tag: "dvpn/channel-close/v1")
    /// The authentication of a P2P link between ledger nodes.
    public static let linkAuth = SigningDomain(tag: "dvpn/p2p-link-auth/v1")
    /// An operator's offer in the registry.
    public static let offer = SigningDomain(tag: "dvpn/offer/v1")

    /// Every named domain, so tests can check that no two share a tag.
    public static let all: [SigningDomain] = [
        .transaction, .proposal, .prevote, .precommit, .voucher, .channelClose, .linkAuth, .offer,
    ]
}
