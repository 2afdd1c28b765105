public import DVPNCrypto
public import DVPNTunnel

/// Writes the answer to a UAPI `get=1`, in the order and format wireguard-go uses
/// (`device/uapi.go`), which is what `wg show` and `wg showconf` parse.
public enum UAPISerializer {
    /// What `get=1` reports about one peer.
    public struct PeerEntry: Sendable {
        public var status: PeerStatus
        /// The preshared key itself (`wg showconf` prints it); nil when none is set.
        public var presharedKey: SecureBytes?

        public init(status: PeerStatus, presharedKey: SecureBytes?) {
            self.status = status
            self.presharedKey = presharedKey
        }
    }

    /// The full answer, from the first key through `errno=0` and the terminating blank line.
    public static func get(
        privateKey: X25519.PrivateKey?, listenPort: UInt16, firewallMark: UInt32, peers: [PeerEntry]
    ) -> String {
        var out = ""
        if let privateKey {
            privateKey.secret.withUnsafeBytes { line(&out, "private_key", hex($0)) }
        }
        if listenPort != 0 { line(&out, "listen_port", String(listenPort)) }
        if firewallMark != 0 { line(&out, "fwmark", String(firewallMark)) }
        for peer in peers {
            let status = peer.status
            line(&out, "public_key", hex(status.publicKey.rawRepresentation))
            if let psk = peer.presharedKey {
                psk.withUnsafeBytes { line(&out, "preshared_key", hex($0)) }
            } else {
                line(&out, "preshared_key", String(repeating: "0", count: 64))
            }
            line(&out, "protocol_version", "1")
            if let endpoint = status.endpoint { line(&out, "endpoint", endpoint.description) }
            // Wall-clock time of the last handshake; 0 and 0 mean never (wg prints nothing).
            let unix = status.lastHandshake?.unixNanoseconds ?? 0
            line(&out, "last_handshake_time_sec", String(unix / 1_000_000_000))
            line(&out, "last_handshake_time_nsec", String(unix % 1_000_000_000))
            line(&out, "tx_bytes", String(status.txBytes))
            line(&out, "rx_bytes", String(status.rxBytes))
            line(&out, "persistent_keepalive_interval", String(status.persistentKeepaliveInterval ?? 0))
            for prefix in status.allowedIPs { line(&out, "allowed_ip", prefix.description) }
        }
        out += "errno=0\n\n"
        return out
    }

    /// The answer to a failed operation.
    public static func failure(errno: Int32) -> String {
        "errno=\(errno)\n\n"
    }

    private static func line(_ out: inout String, _ key: String, _ value: String) {
        out += key
        out += "="
        out += value
        out += "\n"
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for b in bytes {
            text.append(digits[Int(b >> 4)])
            text.append(digits[Int(b & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
