public import DVPNCrypto
public import DVPNTunnel
import NIOCore
import Synchronization

/// Changes a running tunnel from async code without going through the UAPI socket: add and remove
/// peers, set a peer's forwarding limit, read every peer's counters. An exit's session manager
/// admits a client's key as a peer when it grants a session and removes it when the session ends
/// (docs/operator.md).
///
/// Create one, pass it in `TunnelService.Options.control`, and it is connected while the
/// tunnel runs; every call then runs on the tunnel's event loop, where the core has its one
/// writer, and ends the burst as a UAPI `set=1` does (flush, re-arm timers). Before the tunnel is
/// up and after it stopped, calls throw `TunnelIOError` with code `.notRunning`.
public final class TunnelControl: Sendable {
    // The running tunnel's driver, set by `TunnelIO.start` and cleared by `stop`. The mutex only
    // guards the reference; the driver itself is touched on its event loop only (NIOLoopBound).
    private let driver = Mutex<NIOLoopBound<TunnelDriver>?>(nil)

    public init() {}

    func connect(_ bound: NIOLoopBound<TunnelDriver>?) {
        driver.withLock { $0 = bound }
    }

    public var isRunning: Bool { driver.withLock { $0 != nil } }

    /// Adds a peer or replaces the one with the same key (as `wg set … peer KEY allowed-ips …`).
    public func addOrUpdatePeer(_ configuration: PeerConfiguration) async throws(TunnelIOError) {
        try await run { driver throws(TunnelIOError) in
            do throws(TunnelError) {
                try driver.device.addOrUpdatePeer(configuration)
            } catch {
                throw TunnelIOError(.invalidRequest, error.reason)
            }
            driver.allowedIPsOrder.add(configuration.allowedIPs, for: configuration.publicKey, replacing: true)
        }
    }

    /// Removes a peer with its sessions and routes; false when there was none.
    @discardableResult
    public func removePeer(_ publicKey: X25519.PublicKey) async throws(TunnelIOError) -> Bool {
        try await run { driver in
            driver.allowedIPsOrder.remove(publicKey)
            return driver.device.removePeer(publicKey)
        }
    }

    /// Sets (nil: clears) how many inner bytes a peer may exchange in all; false for an unknown peer.
    @discardableResult
    public func setInnerByteLimit(_ limit: UInt64?, for publicKey: X25519.PublicKey) async throws(TunnelIOError) -> Bool {
        try await run { driver in driver.device.setInnerByteLimit(limit, for: publicKey) }
    }

    /// Every peer's status (counters included), in the order they were added.
    public func peers() async throws(TunnelIOError) -> [PeerStatus] {
        try await run { driver in driver.device.peers() }
    }

    private func run<T: Sendable>(
        _ body: @escaping @Sendable (TunnelDriver) throws(TunnelIOError) -> T
    ) async throws(TunnelIOError) -> T {
        guard let bound = driver.withLock({ $0 }) else {
            throw TunnelIOError(.notRunning, "the tunnel is not running")
        }
        let result: Result<T, TunnelIOError>
        do {
            result = try await bound.eventLoop.submit {
                let driver = bound.value
                defer { driver.endOfBurst() }
                do throws(TunnelIOError) {
                    return .success(try body(driver))
                } catch {
                    return .failure(error)
                }
            }.get()
        } catch {
            throw TunnelIOError(.notRunning, "the tunnel's event loop stopped: \(error)")
        }
        return try result.get()
    }
}
