/// A Noise handshake pattern (Noise Protocol Framework rev 34, §7): pre-messages and message
/// patterns made of tokens. Only the patterns this project speaks are defined:
///
/// - `IKpsk2`, WireGuard's (§7.5, §9.4; whitepaper §5.4): the responder's static key is known in
///   advance, the initiator's travels encrypted in message 1, a pre-shared key is mixed in at
///   the end of message 2.
/// - `IK`, the same without the pre-shared key (kept for the cacophony test vectors).
/// - `XX` (§7.5), the P2P links': nobody knows the other's static key beforehand; both travel
///   encrypted and each side proves its own with a DH.
public struct NoisePattern: Sendable, Hashable {
    /// A message token (§7.1).
    public enum Token: Sendable, Hashable {
        case e, s, ee, es, se, ss, psk
    }

    /// The pattern's name in a protocol name, for example `XX` or `IKpsk2`.
    public let name: String
    /// Tokens of the initiator's pre-message (only `s` or `e`; §7.1).
    public let initiatorPreMessage: [Token]
    /// Tokens of the responder's pre-message.
    public let responderPreMessage: [Token]
    /// The message patterns, alternating initiator → responder, responder → initiator, ….
    public let messages: [[Token]]

    /// True when a `psk` token appears, which also makes every `e` token mix the ephemeral key
    /// into the chaining key (§9.2).
    public var usesPresharedKey: Bool { messages.contains { $0.contains(.psk) } }

    /// `<- s … -> e, es, s, ss  <- e, ee, se, psk`.
    public static let IKpsk2 = NoisePattern(
        name: "IKpsk2", initiatorPreMessage: [], responderPreMessage: [.s],
        messages: [[.e, .es, .s, .ss], [.e, .ee, .se, .psk]])

    /// `<- s … -> e, es, s, ss  <- e, ee, se`.
    public static let IK = NoisePattern(
        name: "IK", initiatorPreMessage: [], responderPreMessage: [.s],
        messages: [[.e, .es, .s, .ss], [.e, .ee, .se]])

    /// `-> e  <- e, ee, s, es  -> s, se`.
    public static let XX = NoisePattern(
        name: "XX", initiatorPreMessage: [], responderPreMessage: [],
        messages: [[.e], [.e, .ee, .s, .es], [.s, .se]])

    /// The full protocol name with this project's one cipher suite (§8):
    /// `Noise_<pattern>_25519_ChaChaPoly_BLAKE2s`.
    public var protocolName: String { "Noise_\(name)_25519_ChaChaPoly_BLAKE2s" }
}
