import DVPNTunnel
import Foundation

/// Drives a `WireGuardDevice` over a real UDP socket, with the real clocks: a minimal stand-in
/// for the I/O layer, so the core can be checked against wireguard-go on its own.
struct UDPHarness {
    private let socket: Int32
    var device: WireGuardDevice
    /// Decrypted packets the device wrote to its "TUN".
    var received: [[UInt8]] = []

    init(device: WireGuardDevice, bindTo endpoint: Endpoint) throws {
        self.device = device
        socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw POSIXError(.EIO) }
        var address = Self.socketAddress(endpoint)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            Glibc.close(socket)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 20_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() { _ = Glibc.close(socket) }

    static var now: TunnelInstant {
        var boot = timespec()
        var real = timespec()
        clock_gettime(CLOCK_BOOTTIME, &boot)
        clock_gettime(CLOCK_REALTIME, &real)
        return TunnelInstant(
            nanoseconds: UInt64(boot.tv_sec) * 1_000_000_000 + UInt64(boot.tv_nsec),
            unixNanoseconds: UInt64(real.tv_sec) * 1_000_000_000 + UInt64(real.tv_nsec))
    }

    /// The output sink: sends datagrams at once, collects TUN writes.
    struct Output: TunnelOutput {
        let socket: Int32
        var tun: [[UInt8]] = []

        mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) {
            var address = UDPHarness.socketAddress(endpoint)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, datagram.baseAddress, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }

        mutating func writeToTUN(_ packet: UnsafeRawBufferPointer) { tun.append(Array(packet)) }
    }

    mutating func send(_ packet: [UInt8]) {
        var output = Output(socket: socket)
        packet.withUnsafeBytes { device.handleOutgoingIPPacket($0, now: Self.now, output: &output) }
        received += output.tun
    }

    /// Receives and handles datagrams and runs timers for `seconds`, or until `done` is true.
    /// `respond` may turn a received packet into one to send back (an echo reply).
    mutating func pump(seconds: Double, respond: ([UInt8]) -> [UInt8]? = { _ in nil }, until done: (UDPHarness) -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline, !done(self) {
            var output = Output(socket: socket)
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { b in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, b.baseAddress, b.count, 0, $0, &length) }
                }
            }
            if count > 0 {
                let source = Endpoint(
                    address: .v4(IPv4Address(value: UInt32(bigEndian: from.sin_addr.s_addr))),
                    port: UInt16(bigEndian: from.sin_port))
                buffer.withUnsafeMutableBytes { b in
                    device.handleDatagram(UnsafeMutableRawBufferPointer(rebasing: b[..<count]), from: source, now: Self.now, output: &output)
                }
            }
            device.handleTimers(now: Self.now, output: &output)
            for packet in output.tun {
                received.append(packet)
                if let reply = respond(packet) {
                    reply.withUnsafeBytes { device.handleOutgoingIPPacket($0, now: Self.now, output: &output) }
                }
            }
        }
    }

    static func socketAddress(_ endpoint: Endpoint) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = endpoint.port.bigEndian
        if case .v4(let a) = endpoint.address { address.sin_addr.s_addr = a.value.bigEndian }
        return address
    }
}

/// ICMP echo packets with valid checksums, which the kernel on the other side checks.
enum ICMPEcho {
    static func request(from source: IPv4Address, to destination: IPv4Address, sequence: UInt16) -> [UInt8] {
        packet(type: 8, from: source, to: destination, identifier: 0x4242, sequence: sequence, payload: IPPackets.payload(56))
    }

    /// The echo reply to `packet` if it is an IPv4 ICMP echo request.
    static func reply(to packet: [UInt8]) -> [UInt8]? {
        guard packet.count >= 28, packet[0] == 0x45, packet[9] == 1, packet[20] == 8 else { return nil }
        let source = IPv4Address(packet[12], packet[13], packet[14], packet[15])
        let destination = IPv4Address(packet[16], packet[17], packet[18], packet[19])
        let identifier = UInt16(packet[24]) << 8 | UInt16(packet[25])
        let sequence = UInt16(packet[26]) << 8 | UInt16(packet[27])
        return Self.packet(type: 0, from: destination, to: source, identifier: identifier, sequence: sequence, payload: Array(packet[28...]))
    }

    static func isReply(_ packet: [UInt8]) -> Bool { packet.count >= 28 && packet[9] == 1 && packet[20] == 0 }

    private static func packet(type: UInt8, from source: IPv4Address, to destination: IPv4Address, identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> [UInt8] {
        var icmp: [UInt8] = [type, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF), UInt8(sequence >> 8), UInt8(sequence & 0xFF)] + payload
        let icmpSum = checksum(icmp)
        icmp[2] = UInt8(icmpSum >> 8)
        icmp[3] = UInt8(icmpSum & 0xFF)
        let total = 20 + icmp.count
        var header: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, 1, 0, 0]
        header += source.bytes + destination.bytes
        let headerSum = checksum(header)
        header[10] = UInt8(headerSum >> 8)
        header[11] = UInt8(headerSum & 0xFF)
        return header + icmp
    }

    private static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
