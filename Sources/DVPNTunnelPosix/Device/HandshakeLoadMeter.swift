import DVPNTunnel

/// Decides when the device is "under load" (whitepaper §5.3): more handshake messages in the last
/// second than a responder should answer with Diffie-Hellman work. wireguard-go's measure is its
/// handshake queue being 1/8 full (128 of 1024 slots); here it is a per-second count with the
/// same threshold, held for one second after it falls (wireguard-go's `UnderLoadAfterTime`).
struct HandshakeLoadMeter {
    static let threshold = 128
    static let window: UInt64 = 1_000_000_000

    private var windowStart: UInt64 = 0
    private var count = 0
    private var underLoadUntil: UInt64 = 0

    /// Counts one handshake message at `instant`; returns whether the device is under load.
    mutating func record(at instant: TunnelInstant) -> Bool {
        let t = instant.nanoseconds
        if t &- windowStart >= Self.window {
            windowStart = t
            count = 0
        }
        count += 1
        if count > Self.threshold { underLoadUntil = t + Self.window }
        return t < underLoadUntil
    }
}
