import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The tunnel peer's counters, read over the tunnel's UAPI socket (`get=1`, the protocol `wg`
/// speaks; `/var/run/wireguard/IF.sock`): what the client meters and pays for, and what the
/// failover monitor watches.
///
/// `rx_bytes`/`tx_bytes` count WireGuard datagrams (inner packets plus 32 bytes of framing and
/// padding each, and handshakes), so the client's count is slightly above the inner bytes the
/// node forwards: it errs towards paying the operator a little more, never less than it served,
/// and the difference (about 2–3 % at full-size packets) stays within the one-step tolerance
/// that the payee allows between the two counts for any session of realistic length.
public struct PeerCounters: Sendable, Hashable {
    public var rxBytes: UInt64
    public var txBytes: UInt64
    /// Unix seconds of the last completed handshake; 0 = none yet.
    public var lastHandshakeSeconds: UInt64

    public var bytes: UInt64 { rxBytes &+ txBytes }

    public init(rxBytes: UInt64, txBytes: UInt64, lastHandshakeSeconds: UInt64) {
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.lastHandshakeSeconds = lastHandshakeSeconds
    }

    /// Parses a UAPI `get=1` answer (the first peer's counters; a client tunnel has one peer).
    public init(uapi text: String) throws(ClientError) {
        var rx: UInt64?
        var tx: UInt64?
        var handshake: UInt64 = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "rx_bytes" where rx == nil: rx = UInt64(parts[1])
            case "tx_bytes" where tx == nil: tx = UInt64(parts[1])
            case "last_handshake_time_sec": handshake = UInt64(parts[1]) ?? 0
            case "errno" where parts[1] != "0": throw ClientError(.system, "the tunnel's UAPI answered errno=\(parts[1])")
            default: break
            }
        }
        guard let rx, let tx else { throw ClientError(.system, "the tunnel's UAPI answer names no peer counters") }
        self.init(rxBytes: rx, txBytes: tx, lastHandshakeSeconds: handshake)
    }

    /// Asks the tunnel `interface` for its counters.
    public static func read(interface: String) throws(ClientError) -> PeerCounters {
        try PeerCounters(uapi: UAPIRequest.get(path: "/var/run/wireguard/\(interface).sock"))
    }
}

/// One `get=1` exchange on a UAPI unix socket, blocking (a few hundred bytes, answered at once by
/// the tunnel's own event loop).
enum UAPIRequest {
    static func get(path: String) throws(ClientError) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(.system, "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ClientError(.system, "UAPI socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw ClientError(.system, "cannot reach the tunnel at \(path): \(String(cString: strerror(errno)))") }
        let request = Array("get=1\n\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            throw ClientError(.system, "cannot ask the tunnel at \(path): \(String(cString: strerror(errno)))")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while answer.count < 65_536 {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
            if answer.count >= 2, answer.suffix(2) == [10, 10] { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
