import DVPNCrypto
import DVPNTestSupport
import DVPNTunnel

/// Two devices wired to each other through an in-memory network with a manual clock: `a` is
/// 192.0.2.1:51820 with tunnel addresses 10.9.0.1 and fd00::1, `b` is 192.0.2.2:51820 with
/// 10.9.0.2 and fd00::2. Datagrams are only delivered when the test says so.
struct TwoPeers {
    static let aEndpoint = try! Endpoint(parsing: "192.0.2.1:51820")
    static let bEndpoint = try! Endpoint(parsing: "192.0.2.2:51820")

    var clock = ManualClock()
    let aKey = X25519.PrivateKey()
    let bKey = X25519.PrivateKey()
    var a: WireGuardDevice
    var b: WireGuardDevice
    var aOut = CapturedOutput()
    var bOut = CapturedOutput()
    /// Inner packets each side wrote to its TUN.
    var aReceived: [[UInt8]] = []
    var bReceived: [[UInt8]] = []

    /// - Parameters:
    ///   - presharedKey: configured on both sides when given.
    ///   - jitterSeed: seeds both devices' handshake-retry jitter (a different stream each), so that
    ///     timer races, such as crossing initiations, run the same way every time.
    init(
        presharedKey: SecureBytes? = nil, aKeepalive: UInt16? = nil, bKeepalive: UInt16? = nil,
        bExpects bPeerKey: X25519.PublicKey? = nil, jitterSeed: UInt64 = 1
    ) throws {
        a = WireGuardDevice(
            configuration: InterfaceConfiguration(privateKey: aKey, listenPort: 51820),
            jitterSource: Fuzzer(seed: jitterSeed))
        b = WireGuardDevice(
            configuration: InterfaceConfiguration(privateKey: bKey, listenPort: 51820),
            jitterSource: Fuzzer(seed: ~jitterSeed))
        try a.addOrUpdatePeer(PeerConfiguration(
            publicKey: bKey.publicKey, presharedKey: presharedKey, endpoint: Self.bEndpoint,
            allowedIPs: [try IPPrefix(parsing: "10.9.0.2/32"), try IPPrefix(parsing: "fd00::2/128")],
            persistentKeepaliveInterval: aKeepalive))
        try b.addOrUpdatePeer(PeerConfiguration(
            publicKey: bPeerKey ?? aKey.publicKey, presharedKey: presharedKey, endpoint: nil,
            allowedIPs: [try IPPrefix(parsing: "10.9.0.1/32"), try IPPrefix(parsing: "fd00::1/128")],
            persistentKeepaliveInterval: bKeepalive))
    }

    var now: TunnelInstant { clock.now }

    mutating func sendFromA(_ packet: [UInt8]) { a.send(packet, now: now, output: &aOut) }
    mutating func sendFromB(_ packet: [UInt8]) { b.send(packet, now: now, output: &bOut) }

    /// A packet from a's tunnel address to b's, with `payload`.
    static func aToB(_ payload: [UInt8]) -> [UInt8] { IPPackets.v4(from: "10.9.0.1", to: "10.9.0.2", payload: payload) }
    static func bToA(_ payload: [UInt8]) -> [UInt8] { IPPackets.v4(from: "10.9.0.2", to: "10.9.0.1", payload: payload) }

    /// Delivers every pending datagram in both directions, and what they cause in turn, until the
    /// network is quiet. Returns how many datagrams were delivered.
    @discardableResult
    mutating func deliverAll() -> Int {
        var delivered = 0
        while !aOut.datagrams.isEmpty || !bOut.datagrams.isEmpty {
            let fromA = aOut.drain()
            aReceived += fromA.tunPackets
            for d in fromA.datagrams {
                b.receive(d.bytes, from: Self.aEndpoint, now: now, output: &bOut)
                delivered += 1
            }
            let fromB = bOut.drain()
            bReceived += fromB.tunPackets
            for d in fromB.datagrams {
                a.receive(d.bytes, from: Self.bEndpoint, now: now, output: &aOut)
                delivered += 1
            }
        }
        aReceived += aOut.drain().tunPackets
        bReceived += bOut.drain().tunPackets
        return delivered
    }

    /// Runs both devices' timers at the current time.
    mutating func runTimers() {
        a.handleTimers(now: now, output: &aOut)
        b.handleTimers(now: now, output: &bOut)
    }

    /// Moves the clock forward in steps no longer than `step`, running each device's timers at
    /// each of its deadlines on the way and delivering everything when `deliver` is true.
    mutating func run(for seconds: Double, deliver: Bool, step: Double = 1) {
        let end = now.advanced(byNanoseconds: UInt64(seconds * 1_000_000_000))
        while now < end {
            var next = now.advanced(byNanoseconds: UInt64(step * 1_000_000_000))
            for deadline in [a.nextTimerDeadline, b.nextTimerDeadline].compactMap({ $0 }) where deadline > now {
                next = min(next, deadline)
            }
            clock.advance(to: min(next, end))
            runTimers()
            if deliver { deliverAll() }
        }
    }

    /// Sends one packet from a to b and delivers everything: completes a handshake if needed.
    mutating func handshake() {
        sendFromA(Self.aToB([1, 2, 3]))
        deliverAll()
    }
}
