import DVPNCrypto
public import Logging

/// A userspace WireGuard interface without its I/O: the protocol core of DESIGN.md.
///
/// It holds our static identity, the peers with their handshake and session state, the
/// cryptokey routing table and the cookie state, and turns three kinds of input into output:
///
/// - `handleDatagram(_:from:now:output:)`: a UDP datagram from the network (handshake messages,
///   cookie replies, transport data). Decrypted IP packets go to `output.writeToTUN`; handshake
///   replies and queued data go to `output.sendDatagram`.
/// - `handleOutgoingIPPacket(...)`: an IP packet read from the TUN device. It is routed by its
///   destination, encrypted and sent, or queued while a handshake is started.
/// - `handleTimers(now:output:)`: the whitepaper §6 timers. Call it at `nextTimerDeadline`.
///
/// Nothing here reads a clock, opens a socket or starts a task: time comes in as `now`, and
/// randomness (ephemeral keys, indices, cookie secrets) comes from the OS generator. Only the
/// timer jitter comes from `jitterSource`, which is the OS generator too unless a test passes a
/// seeded one to make timer races reproducible.
///
/// It is a value type, like swift-nio-ssh's state machines: the I/O layer owns one, mutates it
/// from one place at a time (an event loop or a lock) and is not meant to share it across
/// threads, hence not `Sendable`.
public struct WireGuardDevice {
    /// Room the caller leaves before an outgoing IP packet, for the 16-byte transport header.
    public static let outgoingHeadroom = TransportHeader.byteCount
    /// Room the caller leaves after an outgoing IP packet: padding to 16 bytes (at most 15) and
    /// the 16-byte authentication tag.
    public static let outgoingTailroom = 32

    var identity: StaticIdentity?
    var listenPort: UInt16?
    var peerTable = PeerTable()
    var indexTable = IndexTable()
    var routes = AllowedIPs<PeerID>()
    var cookieChecker = CookieChecker()
    var rateLimiter = RateLimiter()
    var logger: Logger
    /// No timer is due before this instant (a lower bound, refined by `handleTimers`).
    var timerHint: TunnelInstant? = nil
    /// Draws the 0-333 ms jitter added to REKEY_TIMEOUT. Never used for key material.
    var jitterSource: any RandomNumberGenerator

    /// Set by the I/O layer while it is overloaded with handshake messages (wireguard-go: the
    /// handshake queue is at least 1/8 full). Under load, handshake messages without a valid MAC2
    /// are answered with a cookie reply instead of being processed (whitepaper §5.3).
    public var isUnderLoad = false

    /// The TUN device's MTU. Transport packets are padded to a multiple of 16 bytes but never past
    /// the MTU, as wireguard-go does; 0 means "unknown", which pads without that cap.
    public var mtu = 0

    /// An exit's destination policy, checked on every decrypted packet after the allowed-IPs
    /// source check and before it is written to the TUN device; refused packets are dropped and
    /// counted in `statistics.refusedDestinations` and the peer's `refusedPackets`. nil (the
    /// default, a client or a plain tunnel): every destination is allowed.
    public var destinationFilter: DestinationFilter?

    /// What was dropped and why.
    public internal(set) var statistics = TunnelStatistics()

    /// - Parameter jitterSource: where the handshake-retry jitter comes from: the OS generator by
    ///   default; tests pass a seeded generator so that which retry wins a race is reproducible.
    ///   Keys, indices and cookie secrets always come from the OS generator.
    public init(
        configuration: InterfaceConfiguration, logger: Logger = Logger(label: "dvpn.tunnel"),
        jitterSource: some RandomNumberGenerator = SecureRandom.Generator()
    ) {
        self.logger = logger
        self.jitterSource = jitterSource
        self.listenPort = configuration.listenPort
        setPrivateKey(configuration.privateKey)
    }

    /// The interface configuration as it is now (what `wg showconf` prints under `[Interface]`).
    public var configuration: InterfaceConfiguration {
        InterfaceConfiguration(privateKey: identity?.privateKey, listenPort: listenPort)
    }

    /// The earliest instant at which `handleTimers(now:output:)` has something to do, or nil when
    /// no timer is armed. It may be early (the core then does nothing and reports the next one)
    /// but never late.
    public var nextTimerDeadline: TunnelInstant? { timerHint }
}

@available(*, unavailable)
extension WireGuardDevice: Sendable {}
