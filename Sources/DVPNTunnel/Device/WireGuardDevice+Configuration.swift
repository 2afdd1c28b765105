import DVPNCrypto

/// Configuration changes: what wg-quick files and UAPI `set=1` do. None of these needs the time;
/// effects that do (a keepalive when persistent keepalive is switched on) happen at the next
/// `handleTimers` call, which `nextTimerDeadline` makes immediate.
extension WireGuardDevice {
    /// Sets or clears our static private key (wireguard-go `SetPrivateKey`): a peer with the same
    /// public key is removed, every peer's static-static secret is recomputed, and every session
    /// and half-finished handshake made with the old key is dropped.
    public mutating func setPrivateKey(_ key: X25519.PrivateKey?) {
        if let key, let old = identity, ConstantTime.equals(old.privateKey.secret, key.secret) { return }
        identity = key.map(StaticIdentity.init(privateKey:))
        cookieChecker.configure(publicKey: key?.publicKey)
        if let key { removePeer(key.publicKey) }
        for id in peerTable.ids {
            peerTable[id].staticStatic = precomputedStaticStatic(with: peerTable[id].configuration.publicKey)
            expireCurrentKeypairs(of: id)
        }
    }

    public mutating func setListenPort(_ port: UInt16?) {
        listenPort = port
    }

    /// Adds a peer, or replaces every field of the peer with the same public key. Allowed IPs
    /// that another peer held move to this one, as with `wg set`.
    public mutating func addOrUpdatePeer(_ configuration: PeerConfiguration) throws(TunnelError) {
        if let identity, identity.publicKey == configuration.publicKey {
            throw TunnelError(.invalidConfiguration, "a peer cannot have the interface's own public key")
        }
        if let psk = configuration.presharedKey, psk.count != 32 {
            throw TunnelError(.invalidConfiguration, "a preshared key is 32 bytes, got \(psk.count)")
        }
        let id: PeerID
        if let existing = peerTable.id(for: configuration.publicKey) {
            id = existing
            let before = peerTable[id].configuration
            for prefix in before.allowedIPs { routes.remove(prefix, owner: id) }
            peerTable[id].configuration.endpoint = configuration.endpoint
            peerTable[id].configuration.presharedKey = configuration.presharedKey
            peerTable[id].configuration.persistentKeepaliveInterval = configuration.persistentKeepaliveInterval
            peerTable[id].configuration.allowedIPs = []
            let wasOff = (before.persistentKeepaliveInterval ?? 0) == 0
            if wasOff, (configuration.persistentKeepaliveInterval ?? 0) > 0 {
                requestImmediateKeepalive(for: id)
            }
        } else {
            var peer = Peer(configuration: configuration)
            peer.configuration.allowedIPs = []
            peer.staticStatic = precomputedStaticStatic(with: configuration.publicKey)
            id = peerTable.insert(peer)
            if (configuration.persistentKeepaliveInterval ?? 0) > 0 { requestImmediateKeepalive(for: id) }
        }
        for prefix in Set(configuration.allowedIPs).sorted() {
            if let previous = routes.insert(prefix, owner: id) {
                peerTable[previous].configuration.allowedIPs.removeAll { $0 == prefix }
            }
            peerTable[id].configuration.allowedIPs.append(prefix)
        }
    }

    /// Removes a peer, its routes, its sessions and its queued packets. Returns false when there
    /// was no such peer.
    @discardableResult
    public mutating func removePeer(_ publicKey: X25519.PublicKey) -> Bool {
        guard let id = peerTable.id(for: publicKey) else { return false }
        for prefix in peerTable[id].configuration.allowedIPs { routes.remove(prefix, owner: id) }
        zeroAndFlushAll(id)
        peerTable.remove(id)
        return true
    }

    public mutating func removeAllPeers() {
        for id in peerTable.ids { zeroAndFlushAll(id) }
        peerTable = PeerTable()
        routes.removeAll()
        indexTable.removeAll()
    }

    /// Every peer's status, in the order they were added.
    public func peers() -> [PeerStatus] {
        peerTable.ids.map { status(of: $0) }
    }

    /// The status of one peer, or nil when there is no such peer.
    public func peer(_ publicKey: X25519.PublicKey) -> PeerStatus? {
        peerTable.id(for: publicKey).map { status(of: $0) }
    }

    /// The full configuration of one peer, including its preshared key (UAPI `get=1` prints it).
    public func peerConfiguration(for publicKey: X25519.PublicKey) -> PeerConfiguration? {
        guard let id = peerTable.id(for: publicKey) else { return nil }
        var configuration = peerTable[id].configuration
        configuration.allowedIPs.sort()
        return configuration
    }

    /// Sets (or with nil clears) the forwarding limit of a peer: once its inner bytes in both
    /// directions would pass `limit`, its inner packets are dropped and counted as held, until the
    /// limit is raised. An exit uses it to serve a paid session exactly up to what it has paid for
    /// plus one step, between two looks of its session manager. Returns false for an unknown peer.
    @discardableResult
    public mutating func setInnerByteLimit(_ limit: UInt64?, for publicKey: X25519.PublicKey) -> Bool {
        guard let id = peerTable.id(for: publicKey) else { return false }
        peerTable[id].innerByteLimit = limit
        return true
    }

    private func status(of id: PeerID) -> PeerStatus {
        let peer = peerTable[id]
        var status = PeerStatus(
            publicKey: peer.configuration.publicKey,
            endpoint: peer.configuration.endpoint,
            allowedIPs: peer.configuration.allowedIPs.sorted(),
            presharedKeySet: peer.configuration.presharedKey != nil,
            persistentKeepaliveInterval: peer.configuration.persistentKeepaliveInterval,
            lastHandshake: peer.lastHandshake,
            rxBytes: peer.rxBytes,
            txBytes: peer.txBytes,
            refusedPackets: peer.refusedPackets)
        status.innerRxBytes = peer.innerRxBytes
        status.innerTxBytes = peer.innerTxBytes
        status.innerByteLimit = peer.innerByteLimit
        status.heldPackets = peer.heldPackets
        return status
    }

    /// DH(our static, their static), computed once per peer (whitepaper §5.4.2 `ss`); nil when we
    /// have no key or the result is the all-zero point, which makes handshakes impossible.
    func precomputedStaticStatic(with publicKey: X25519.PublicKey) -> SecureBytes? {
        guard let identity else { return nil }
        return try? identity.privateKey.sharedSecret(with: publicKey)
    }
}
