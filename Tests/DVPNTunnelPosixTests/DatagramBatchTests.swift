import DVPNTunnel
import Glibc
import Testing

@testable import DVPNTunnelPosix

/// The UDP send path on loopback: what the batch packs into GSO messages must arrive as the
/// datagrams that went in, with their boundaries, in order, at the right port.
@Suite struct DatagramBatchTests {
    /// A UDP socket on 127.0.0.1 that reads whole datagrams.
    final class Receiver {
        let fd: CInt
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, CInt(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(rc == 0)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            self.fd = fd
            port = UDPSocket.boundPort(fd)
        }

        deinit { close(fd) }

        func receive(_ count: Int) -> [[UInt8]] {
            var result: [[UInt8]] = []
            var buffer = [UInt8](repeating: 0, count: 70_000)
            for _ in 0..<count {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 { break }
                result.append(Array(buffer[0..<n]))
            }
            return result
        }
    }

    func datagram(_ size: Int, tag: UInt8) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0) ^ tag }
    }

    @Test(arguments: [true, false])
    func runsArriveAsTheirDatagrams(segmentation: Bool) throws {
        let first = try Receiver()
        let second = try Receiver()
        let sender = try UDPSocket.open(port: 0, mark: 0)
        defer { close(sender.descriptor) }
        let batch = DatagramBatch(descriptor: sender.descriptor, family: sender.family, useSegmentation: segmentation)
        let toFirst = Endpoint(address: .v4(IPv4Address(127, 0, 0, 1)), port: first.port)
        let toSecond = Endpoint(address: .v4(IPv4Address(127, 0, 0, 1)), port: second.port)
        // A full run of equal sizes ending with a short one, a datagram elsewhere, then more.
        let sent = (0..<5).map { datagram(1_000, tag: UInt8($0)) } + [datagram(300, tag: 9)]
        let later = [datagram(1_000, tag: 20), datagram(1_000, tag: 21)]
        for d in sent { d.withUnsafeBytes { batch.append($0, to: toFirst) } }
        datagram(77, tag: 30).withUnsafeBytes { batch.append($0, to: toSecond) }
        for d in later { d.withUnsafeBytes { batch.append($0, to: toFirst) } }
        #expect(!batch.isEmpty)
        batch.flush()
        #expect(batch.isEmpty)
        #expect(first.receive(8) == sent + later)
        #expect(second.receive(1) == [datagram(77, tag: 30)])
        #expect(batch.sendFailures == 0)
    }

    @Test func moreThanOneFlushWorthIsSentWhole() throws {
        let receiver = try Receiver()
        var size: CInt = 8 << 20
        setsockopt(receiver.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<CInt>.size))
        let sender = try UDPSocket.open(port: 0, mark: 0)
        defer { close(sender.descriptor) }
        let batch = DatagramBatch(descriptor: sender.descriptor, family: sender.family, useSegmentation: true)
        let to = Endpoint(address: .v4(IPv4Address(127, 0, 0, 1)), port: receiver.port)
        let all = (0..<400).map { datagram(1_400, tag: UInt8(truncatingIfNeeded: $0)) }
        for d in all { d.withUnsafeBytes { batch.append($0, to: to) } }
        batch.flush()
        #expect(receiver.receive(400) == all)
    }
}
