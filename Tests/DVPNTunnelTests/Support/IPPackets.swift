import DVPNTunnel

/// Minimal IP packets for the tests: valid headers (lengths, version, addresses) and a payload.
/// The core never checks checksums, so they are left zero.
enum IPPackets {
    static func v4(from source: String, to destination: String, payload: [UInt8]) -> [UInt8] {
        let s = try! IPAddress(parsing: source).bytes
        let d = try! IPAddress(parsing: destination).bytes
        let total = 20 + payload.count
        var packet: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0x40, 0, 64, 17, 0, 0]
        packet += s + d + payload
        return packet
    }

    static func v6(from source: String, to destination: String, payload: [UInt8]) -> [UInt8] {
        let s = try! IPAddress(parsing: source).bytes
        let d = try! IPAddress(parsing: destination).bytes
        var packet: [UInt8] = [0x60, 0, 0, 0, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF), 17, 64]
        packet += s + d + payload
        return packet
    }

    static func payload(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }
}
