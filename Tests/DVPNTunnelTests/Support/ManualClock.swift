import DVPNTunnel

/// A clock the test moves by hand. Both readings advance together; the wall clock starts at a
/// fixed date so timestamps are reproducible.
struct ManualClock {
    var now: TunnelInstant

    init(monotonic: UInt64 = 1_000 * 1_000_000_000, unix: UInt64 = 1_764_000_000 * 1_000_000_000) {
        now = TunnelInstant(nanoseconds: monotonic, unixNanoseconds: unix)
    }

    mutating func advance(seconds: Double) {
        now = now.advanced(byNanoseconds: UInt64(seconds * 1_000_000_000))
    }

    mutating func advance(milliseconds: UInt64) {
        now = now.advanced(byNanoseconds: milliseconds * 1_000_000)
    }

    mutating func advance(to instant: TunnelInstant) {
        precondition(instant >= now, "a manual clock only moves forward")
        now = now.advanced(byNanoseconds: instant.nanoseconds - now.nanoseconds)
    }
}

/// Collects what a device outputs.
struct CapturedOutput: TunnelOutput {
    struct Datagram {
        var bytes: [UInt8]
        var destination: Endpoint
        var type: UInt8 { bytes.first ?? 0 }
    }

    var datagrams: [Datagram] = []
    var tunPackets: [[UInt8]] = []

    mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) {
        datagrams.append(Datagram(bytes: Array(datagram), destination: endpoint))
    }

    mutating func writeToTUN(_ packet: UnsafeRawBufferPointer) {
        tunPackets.append(Array(packet))
    }

    /// Takes everything collected so far.
    mutating func drain() -> (datagrams: [Datagram], tunPackets: [[UInt8]]) {
        defer {
            datagrams = []
            tunPackets = []
        }
        return (datagrams, tunPackets)
    }

    func count(ofType type: UInt8) -> Int { datagrams.filter { $0.type == type }.count }
}

extension WireGuardDevice {
    /// Feeds a copy of `bytes` to `handleDatagram` (which decrypts in place).
    mutating func receive(_ bytes: [UInt8], from source: Endpoint, now: TunnelInstant, output: inout CapturedOutput) {
        var copy = bytes
        copy.withUnsafeMutableBytes { handleDatagram($0, from: source, now: now, output: &output) }
    }

    mutating func send(_ packet: [UInt8], now: TunnelInstant, output: inout CapturedOutput) {
        packet.withUnsafeBytes { handleOutgoingIPPacket($0, now: now, output: &output) }
    }
}
