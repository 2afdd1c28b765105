import DVPNCrypto
import DVPNTunnel
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// `wg` against the running tunnel: UAPI `get=1` reads the core, `set=1` changes it with the
/// semantics of wireguard-go's `IpcSetOperation`.
extension TunnelDriver: UAPIConfigurable {
    func uapiGet() -> String {
        let peers = device.peers().map { status in
            var status = status
            status.allowedIPs = allowedIPsOrder.ordered(status.allowedIPs, for: status.publicKey)
            return UAPISerializer.PeerEntry(
                status: status, presharedKey: device.peerConfiguration(for: status.publicKey)?.presharedKey)
        }
        return UAPISerializer.get(
            privateKey: device.configuration.privateKey, listenPort: boundPort, firewallMark: firewallMark,
            peers: peers)
    }

    func uapiSet(_ request: UAPISetRequest) throws(TunnelIOError) {
        defer { endOfBurst() }
        if let key = request.privateKey { device.setPrivateKey(key) }
        if let port = request.listenPort, port != boundPort { onListenPortChange?(port) }
        if let mark = request.firewallMark, mark != firewallMark {
            firewallMark = mark
            if let udp {
                udp.setOption(ChannelOptions.Types.SocketOption.raw(SOL_SOCKET, SO_MARK), value: SocketOptionValue(mark))
                    .whenFailure { [logger] error in logger.error("setting fwmark \(mark) failed: \(error)") }
            }
        }
        if request.replacePeers {
            device.removeAllPeers()
            allowedIPsOrder.removeAll()
        }
        let ownKey = device.configuration.privateKey?.publicKey
        for change in request.peers {
            // A peer with our own public key is silently ignored, as wireguard-go does.
            if change.publicKey == ownKey { continue }
            if change.remove {
                device.removePeer(change.publicKey)
                allowedIPsOrder.remove(change.publicKey)
                continue
            }
            let existing = device.peerConfiguration(for: change.publicKey)
            if existing == nil, change.updateOnly { continue }
            var peer = existing ?? PeerConfiguration(publicKey: change.publicKey)
            if let psk = change.presharedKey { peer.presharedKey = psk }
            if let endpoint = change.endpoint { peer.endpoint = endpoint }
            if let keepalive = change.persistentKeepaliveInterval {
                peer.persistentKeepaliveInterval = keepalive == 0 ? nil : keepalive
            }
            if change.replaceAllowedIPs { peer.allowedIPs = [] }
            for prefix in change.allowedIPs where !peer.allowedIPs.contains(prefix) {
                peer.allowedIPs.append(prefix)
            }
            do {
                try device.addOrUpdatePeer(peer)
                allowedIPsOrder.add(change.allowedIPs, for: change.publicKey, replacing: change.replaceAllowedIPs)
            } catch {
                throw TunnelIOError(.invalidRequest, error.reason, errno: UAPIErrno.invalid)
            }
        }
    }
}
