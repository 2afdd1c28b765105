import DVPNCrypto
import DVPNTunnel

/// Reads the wg-quick(8) file format: `[Interface]` and `[Peer]` sections of `Key = value` lines.
///
/// What wg(8) and wg-quick accept is what this accepts: section names and keys are matched without
/// regard to case, `#` starts a comment, blank lines are ignored, list values are comma-separated
/// and may repeat (`Address` on two lines adds both). Anything else is an error whose one-line
/// message names the file, the line and the key — `wg0.conf:7: AllowedIPs: '10.0.0.0/33' has an
/// invalid prefix length` — because a tunnel that comes up half-configured is worse than none.
///
/// wg-quick's shell hooks (`PreUp`, `PostUp`, `PreDown`, `PostDown`) and `SaveConfig = true` are
/// refused: this program does not run shell commands from a configuration file.
public enum WgQuickParser {
    public static func parse(_ text: String, fileName: String) throws(TunnelIOError) -> WgQuickConfiguration {
        var state = ParseState(fileName: fileName)
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            state.lineNumber = index + 1
            try state.consume(rawLine)
        }
        return try state.finish()
    }
}

/// The parser's running state: which section it is in and what it has collected so far.
private struct ParseState {
    let fileName: String
    var lineNumber = 0

    enum Section { case none, interface, peer }
    var section = Section.none
    var sawInterface = false

    var privateKey: X25519.PrivateKey?
    var addresses: [InterfaceAddress] = []
    var listenPort: UInt16?
    var mtu: Int?
    var dns: [IPAddress] = []
    var dnsSearch: [String] = []
    var firewallMark: UInt32 = 0
    var addsRoutes = true

    var peers: [WgQuickConfiguration.Peer] = []
    /// The `[Peer]` being read: its fields until `PublicKey` is known, and where it started.
    var peer = PendingPeer()

    struct PendingPeer {
        var startLine = 0
        var publicKey: X25519.PublicKey?
        var presharedKey: SecureBytes?
        var endpoint: Endpoint?
        var unresolvedEndpoint: (host: String, port: UInt16)?
        var allowedIPs: [IPPrefix] = []
        var persistentKeepalive: UInt16?
    }

    func error(_ key: String?, _ reason: String) -> TunnelIOError {
        let place = key.map { "\(fileName):\(lineNumber): \($0): " } ?? "\(fileName):\(lineNumber): "
        return TunnelIOError(.invalidConfiguration, place + reason)
    }

    mutating func consume(_ rawLine: Substring) throws(TunnelIOError) {
        var line = rawLine
        if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
        let trimmed = line.trimmingWhitespace
        if trimmed.isEmpty { return }
        if trimmed.first == "[" {
            try startSection(trimmed)
            return
        }
        guard let equals = trimmed.firstIndex(of: "=") else {
            throw error(nil, "'\(trimmed)' is not 'Key = value' nor a [Section]")
        }
        let key = trimmed[..<equals].trimmingWhitespace
        let value = trimmed[trimmed.index(after: equals)...].trimmingWhitespace
        switch section {
        case .none: throw error(key, "appears before any [Interface] or [Peer] section")
        case .interface: try interfaceKey(key, value)
        case .peer: try peerKey(key, value)
        }
    }

    mutating func startSection(_ header: String) throws(TunnelIOError) {
        try finishPeer()
        switch header.lowercased() {
        case "[interface]":
            guard !sawInterface else { throw error(nil, "a second [Interface] section") }
            sawInterface = true
            section = .interface
        case "[peer]":
            section = .peer
            peer = PendingPeer(startLine: lineNumber)
        default:
            throw error(nil, "unknown section \(header) (expected [Interface] or [Peer])")
        }
    }

    mutating func interfaceKey(_ key: String, _ value: String) throws(TunnelIOError) {
        switch key.lowercased() {
        case "privatekey":
            do { privateKey = try X25519.PrivateKey(base64: value) } catch {
                throw self.error(key, "not a base64 X25519 private key (\(error.reason))")
            }
        case "address":
            for item in try list(key, value) {
                do { addresses.append(try InterfaceAddress(parsing: item)) } catch { throw self.error(key, error.reason) }
            }
        case "listenport":
            guard let port = UInt16(value) else { throw error(key, "'\(value)' is not a port (0...65535)") }
            listenPort = port
        case "mtu":
            guard let n = Int(value), (576...65_535).contains(n) else { throw error(key, "'\(value)' is not an MTU (576...65535)") }
            mtu = n
        case "dns":
            for item in try list(key, value) {
                if let address = IPAddress(item) { dns.append(address) } else { dnsSearch.append(item) }
            }
        case "fwmark":
            if value.lowercased() == "off" { firewallMark = 0; return }
            guard let mark = parseMark(value) else { throw error(key, "'\(value)' is not a mark (0...2^32-1, decimal or 0x hex, or off)") }
            firewallMark = mark
        case "table":
            switch value.lowercased() {
            case "off": addsRoutes = false
            case "auto": addsRoutes = true
            default: throw error(key, "only 'auto' and 'off' are supported, not '\(value)'")
            }
        case "saveconfig":
            guard value.lowercased() == "false" else { throw error(key, "SaveConfig = true is not supported") }
        case "preup", "postup", "predown", "postdown":
            throw error(key, "shell hooks are not supported")
        default:
            throw error(key, "unknown key in [Interface]")
        }
    }

    mutating func peerKey(_ key: String, _ value: String) throws(TunnelIOError) {
        switch key.lowercased() {
        case "publickey":
            do { peer.publicKey = try X25519.PublicKey(base64: value) } catch {
                throw self.error(key, "not a base64 X25519 public key (\(error.reason))")
            }
        case "presharedkey":
            guard let bytes = Base64.decodeKey(value) else { throw error(key, "not a base64 32-byte key") }
            peer.presharedKey = SecureBytes(bytes)
        case "endpoint":
            if let endpoint = try? Endpoint(parsing: value) {
                peer.endpoint = endpoint
                peer.unresolvedEndpoint = nil
            } else if let colon = value.lastIndex(of: ":"), let port = UInt16(value[value.index(after: colon)...]),
                      !value[..<colon].isEmpty, !value[..<colon].contains(":"), !value[..<colon].contains(" ")
            {
                peer.unresolvedEndpoint = (String(value[..<colon]), port)
                peer.endpoint = nil
            } else {
                throw error(key, "'\(value)' is not host:port or [IPv6]:port")
            }
        case "allowedips":
            for item in try list(key, value) {
                do { peer.allowedIPs.append(try IPPrefix(parsing: item)) } catch { throw self.error(key, error.reason) }
            }
        case "persistentkeepalive":
            if value.lowercased() == "off" { peer.persistentKeepalive = nil; return }
            guard let seconds = UInt16(value) else { throw error(key, "'\(value)' is not a number of seconds (0...65535) or off") }
            peer.persistentKeepalive = seconds == 0 ? nil : seconds
        default:
            throw error(key, "unknown key in [Peer]")
        }
    }

    /// Comma-separated items, each trimmed; empty items (a trailing comma) are refused.
    func list(_ key: String, _ value: String) throws(TunnelIOError) -> [String] {
        if value.isEmpty { return [] }
        let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        guard !items.contains(where: \.isEmpty) else { throw error(key, "empty item in '\(value)'") }
        return items
    }

    func parseMark(_ value: String) -> UInt32? {
        let lower = value.lowercased()
        if lower.hasPrefix("0x") { return UInt32(lower.dropFirst(2), radix: 16) }
        return UInt32(value)
    }

    mutating func finishPeer() throws(TunnelIOError) {
        guard section == .peer else { return }
        let here = lineNumber
        lineNumber = peer.startLine
        defer { lineNumber = here }
        guard let publicKey = peer.publicKey else { throw error(nil, "[Peer] without a PublicKey") }
        if peers.contains(where: { $0.configuration.publicKey == publicKey }) {
            throw error("PublicKey", "the same peer appears twice")
        }
        if let privateKey, privateKey.publicKey == publicKey {
            throw error("PublicKey", "is the interface's own public key")
        }
        let configuration = PeerConfiguration(
            publicKey: publicKey, presharedKey: peer.presharedKey, endpoint: peer.endpoint,
            allowedIPs: peer.allowedIPs, persistentKeepaliveInterval: peer.persistentKeepalive)
        peers.append(WgQuickConfiguration.Peer(configuration: configuration, unresolvedEndpoint: peer.unresolvedEndpoint))
        section = .none
    }

    mutating func finish() throws(TunnelIOError) -> WgQuickConfiguration {
        try finishPeer()
        guard sawInterface else { throw TunnelIOError(.invalidConfiguration, "\(fileName): no [Interface] section") }
        guard let privateKey else { throw TunnelIOError(.invalidConfiguration, "\(fileName): [Interface] has no PrivateKey") }
        return WgQuickConfiguration(
            interface: .init(
                privateKey: privateKey, addresses: addresses, listenPort: listenPort, mtu: mtu, dns: dns,
                dnsSearch: dnsSearch, firewallMark: firewallMark, addsRoutes: addsRoutes),
            peers: peers)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (and a carriage return, for files
    /// written on Windows).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension Base64 {
    /// A 32-byte key in standard base64 (44 characters with one `=`), or nil.
    static func decodeKey(_ text: String) -> [UInt8]? {
        guard let bytes = Base64.decode(text), bytes.count == 32 else { return nil }
        return bytes
    }
}
