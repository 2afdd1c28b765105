import DVPNCrypto
import DVPNTunnel

/// Parses the `key=value` lines of a UAPI `set=1` operation, with wireguard-go's rules
/// (`device/uapi.go`): keys are lowercase and exact, keys are 64 hex digits, boolean keys accept
/// only `true`, numbers are decimal and range-checked, and an unknown key fails the whole
/// operation with `errno=-22` before anything is applied.
public enum UAPIParser {
    /// Parses `lines` (without the `set=1` line and the terminating blank line).
    public static func parseSet(_ lines: some Sequence<Substring>) throws(TunnelIOError) -> UAPISetRequest {
        var request = UAPISetRequest()
        var peer: UAPISetRequest.Peer?
        for line in lines {
            guard let equals = line.firstIndex(of: "=") else {
                throw failure(UAPIErrno.protocolError, "line '\(line)' has no '='")
            }
            let key = line[..<equals]
            let value = String(line[line.index(after: equals)...])
            if key == "public_key" {
                if let finished = peer { request.peers.append(finished) }
                peer = UAPISetRequest.Peer(publicKey: try publicKey(value))
                continue
            }
            if peer == nil {
                try deviceKey(key, value, into: &request)
            } else {
                try peerKey(key, value, into: &peer!)
            }
        }
        if let finished = peer { request.peers.append(finished) }
        return request
    }

    private static func deviceKey(_ key: Substring, _ value: String, into request: inout UAPISetRequest) throws(TunnelIOError) {
        switch key {
        case "private_key":
            let bytes = try hexKey(value, "private_key")
            if bytes.allSatisfy({ $0 == 0 }) {
                request.privateKey = .some(nil)
            } else {
                do { request.privateKey = try X25519.PrivateKey(rawRepresentation: bytes) } catch {
                    throw failure(UAPIErrno.invalid, "private_key: \(error.reason)")
                }
            }
        case "listen_port":
            guard let port = UInt16(value) else { throw failure(UAPIErrno.invalid, "listen_port '\(value)' is not 0...65535") }
            request.listenPort = port
        case "fwmark":
            guard let mark = UInt32(value) else { throw failure(UAPIErrno.invalid, "fwmark '\(value)' is not 0...2^32-1") }
            request.firewallMark = mark
        case "replace_peers":
            try expectTrue(key, value)
            request.replacePeers = true
        default:
            throw failure(UAPIErrno.invalid, "invalid UAPI device key: \(key)")
        }
    }

    private static func peerKey(_ key: Substring, _ value: String, into peer: inout UAPISetRequest.Peer) throws(TunnelIOError) {
        switch key {
        case "update_only":
            try expectTrue(key, value)
            peer.updateOnly = true
        case "remove":
            try expectTrue(key, value)
            peer.remove = true
        case "preshared_key":
            let bytes = try hexKey(value, "preshared_key")
            peer.presharedKey = bytes.allSatisfy { $0 == 0 } ? .some(nil) : SecureBytes(bytes)
        case "endpoint":
            do { peer.endpoint = try Endpoint(parsing: value) } catch {
                throw failure(UAPIErrno.invalid, "endpoint '\(value)': \(error.reason)")
            }
        case "persistent_keepalive_interval":
            guard let seconds = UInt16(value) else {
                throw failure(UAPIErrno.invalid, "persistent_keepalive_interval '\(value)' is not 0...65535")
            }
            peer.persistentKeepaliveInterval = seconds
        case "replace_allowed_ips":
            try expectTrue(key, value)
            peer.replaceAllowedIPs = true
            peer.allowedIPs.removeAll()
        case "allowed_ip":
            // wireguard-go requires the length (netip.ParsePrefix); wg always sends it.
            guard value.contains("/") else { throw failure(UAPIErrno.invalid, "allowed_ip '\(value)' has no prefix length") }
            do { peer.allowedIPs.append(try IPPrefix(parsing: value)) } catch {
                throw failure(UAPIErrno.invalid, "allowed_ip '\(value)': \(error.reason)")
            }
        case "protocol_version":
            guard value == "1" else { throw failure(UAPIErrno.invalid, "invalid protocol version: \(value)") }
        default:
            throw failure(UAPIErrno.invalid, "invalid UAPI peer key: \(key)")
        }
    }

    private static func publicKey(_ value: String) throws(TunnelIOError) -> X25519.PublicKey {
        let bytes = try hexKey(value, "public_key")
        do { return try X25519.PublicKey(rawRepresentation: bytes) } catch {
            throw failure(UAPIErrno.invalid, "public_key: \(error.reason)")
        }
    }

    private static func expectTrue(_ key: Substring, _ value: String) throws(TunnelIOError) {
        guard value == "true" else { throw failure(UAPIErrno.invalid, "\(key) accepts only 'true', not '\(value)'") }
    }

    /// 32 bytes written as 64 hex digits (either case, as Go's `hex.Decode` reads them).
    static func hexKey(_ text: String, _ key: String) throws(TunnelIOError) -> [UInt8] {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { throw failure(UAPIErrno.invalid, "\(key) is not 64 hex digits") }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let high = hexValue(digits[2 * i]), let low = hexValue(digits[2 * i + 1]) else {
                throw failure(UAPIErrno.invalid, "\(key) is not 64 hex digits")
            }
            bytes[i] = high << 4 | low
        }
        return bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func failure(_ errno: Int32, _ reason: String, file: String = #fileID, line: UInt = #line) -> TunnelIOError {
        TunnelIOError(.invalidRequest, reason, errno: errno, file: file, line: line)
    }
}
