import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNTunnel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Synchronization
@testable import DVPNNode

/// An operator in process for the session tests: a `TestChain` with the embedded contracts, a
/// funded operator account, a `SessionManager` over an in-memory data plane and a manual clock,
/// and the node's API with the session routes on a loopback port. Ticks are driven by the test.
final class OperatorHarness: Sendable {
    let chain: TestChain
    let operatorIdentity: KeyFile.Identity
    let clock: ManualClock
    let plane: InMemoryDataPlane
    let store: OperatorStore
    let metrics: OperatorMetrics
    let manager: SessionManager
    let configuration: OperatorConfiguration
    let storePath: String

    static let price = Price(perGiB: Amount(udvpn: 2_000_000))  // 2 DVPN per GiB
    static let operatorFunds = Amount(udvpn: 10_000_000)

    /// - Parameters:
    ///   - storePath: reuse an operator store (restart tests); default a fresh one in the chain's directory.
    init(chain: TestChain? = nil, identity: KeyFile.Identity? = nil, storePath: String? = nil,
         configure: (inout OperatorConfiguration) -> Void = { _ in }) async throws {
        let chain = try chain ?? TestChain(contracts: EmbeddedContract.devnet)
        self.chain = chain
        var configuration = OperatorConfiguration(
            country: "DE", price: Self.price, bandwidthMbps: 100, endpoint: "198.51.100.1:51820",
            publicAPIPort: 26657)
        configuration.gracePeriodMilliseconds = 10_000
        configuration.unpaidHoldMilliseconds = 10_000
        configure(&configuration)
        self.configuration = configuration
        let path = storePath ?? chain.directory.appendingPathComponent("operator-\(UUID().uuidString).sqlite").path
        self.storePath = path
        let store = try OperatorStore(path: path)
        self.store = store
        var logger = Logger(label: "operator-test")
        logger.logLevel = .critical
        let clock = ManualClock(start: UInt64(Date().timeIntervalSince1970 * 1000))
        self.clock = clock
        let keys = identity ?? KeyFile.Identity.generate()
        operatorIdentity = keys
        let plane = InMemoryDataPlane()
        self.plane = plane
        let metrics = OperatorMetrics()
        self.metrics = metrics
        manager = SessionManager(
            configuration: configuration, identity: keys, chainID: chain.genesis.chainID, ledger: chain.node,
            dataPlane: plane, store: store, metrics: metrics, logger: logger, clock: { clock.now })
    }

    var operatorKey: Schnorr.PublicKey { operatorIdentity.ledgerKey.publicKey }
    var chainID: String { chain.genesis.chainID }

    // MARK: Ledger helpers

    /// Submits, produces a block, and returns the receipt.
    @discardableResult
    func commit(_ payload: TransactionPayload, by key: Schnorr.PrivateKey, fee: Amount? = nil) async throws -> NodeAPI.Receipt {
        let address = AccountAddress(publicKey: key.publicKey)
        let nonce = try await chain.node.account(address)?.pendingNonce ?? 0
        let tx = try chain.signed(payload, by: key, nonce: nonce, fee: fee ?? Amount(udvpn: chain.minFee.udvpn * 10))
        guard case .accepted = await chain.node.submit(transaction: tx.canonicalBytes) else {
            throw TestFailure("the node refused a test transaction")
        }
        _ = try await chain.node.produceBlock()
        guard let receipt = try await chain.node.transactionStatus(hash: tx.id.hex).receipt else {
            throw TestFailure("no receipt")
        }
        return receipt
    }

    func fundOperator() async throws {
        try await commit(.transfer(to: operatorIdentity.address, amount: Self.operatorFunds), by: chain.alice)
    }

    /// Opens a channel from `payer` (default alice) and returns its id.
    func openChannel(
        payer: Schnorr.PrivateKey? = nil, payee: Schnorr.PublicKey? = nil, tunnelKey: X25519.PublicKey,
        deposit: Amount = Amount(udvpn: 1_000_000), expiry: UInt64 = 10_000
    ) async throws -> UInt64 {
        let receipt = try await commit(
            .contractCall(ChannelsContract.open(
                payee: payee ?? operatorKey, expiryHeight: expiry, clientTunnelKey: tunnelKey, deposit: deposit)),
            by: payer ?? chain.alice)
        guard receipt.success else { throw TestFailure("channel open failed: \(receipt.error ?? "")") }
        return try ChannelsContract.channelID(fromReturnValue: Hex.decode(receipt.returnValue ?? "") ?? [])
    }

    func balance(_ address: AccountAddress) async throws -> UInt64 {
        try await chain.node.account(address)?.balance ?? 0
    }

    func request(
        channel: UInt64, payer: Schnorr.PrivateKey? = nil, to operatorKey: Schnorr.PublicKey? = nil,
        tunnelKey: X25519.PublicKey, timestamp: PaymentInstant? = nil
    ) throws -> SessionRequest {
        try SessionRequest(
            chainID: chainID, channel: channel, payerKey: payer ?? chain.alice, operator: operatorKey ?? self.operatorKey,
            clientTunnelKey: tunnelKey, nonce: SecureRandom.bytes(count: 16), timestamp: timestamp ?? clock.now)
    }

    func voucher(_ channel: UInt64, _ amount: UInt64, by key: Schnorr.PrivateKey? = nil) throws -> Voucher {
        try Voucher(chainID: chainID, channel: channel, cumulative: Amount(udvpn: amount), payerKey: key ?? chain.alice)
    }

    // MARK: HTTP

    /// Runs `body` with the URL of the node's API (ledger routes and the session routes) served on
    /// a loopback port; the server stops afterwards, also when `body` throws.
    func withAPI(_ body: (String) async throws -> Void) async throws {
        let router = NodeAPIRouter.build(backend: chain.node)
        SessionRoutes.add(to: router, manager: manager, store: store, metrics: metrics)
        var logger = Logger(label: "operator-test-api")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "test-operator"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await app.run() } catch { continuation.finish() }
            }
            var url: String?
            for await port in ports { url = "http://127.0.0.1:\(port)" }
            guard let url else {
                group.cancelAll()
                throw TestFailure("the test API did not start")
            }
            do {
                try await body(url)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}

/// POSTs raw bytes (to check status codes and error bodies the client type hides).
func rawPost(_ url: String, _ path: String, _ body: [UInt8]) async throws -> (status: Int, body: Data) {
    guard let target = URL(string: url + path) else { throw TestFailure("bad URL") }
    var request = URLRequest(url: target)
    request.httpMethod = "POST"
    request.httpBody = Data(body)
    request.setValue(NodeAPI.sessionContentType, forHTTPHeaderField: "Content-Type")
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

func rawGet(_ url: String, _ path: String) async throws -> (status: Int, body: Data) {
    guard let target = URL(string: url + path) else { throw TestFailure("bad URL") }
    let (data, response) = try await URLSession.shared.data(from: target)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Unix milliseconds that only move when the test says so.
final class ManualClock: Sendable {
    // The current time; tests advance it between calls.
    private let milliseconds: Mutex<UInt64>

    init(start: UInt64) { milliseconds = Mutex(start) }

    var now: PaymentInstant { PaymentInstant(milliseconds: milliseconds.withLock { $0 }) }

    func advance(byMilliseconds delta: UInt64) { milliseconds.withLock { $0 += delta } }
}

/// The exit's data plane in memory: peers with their limits, and traffic the test pushes, of
/// which only what fits under the limit is "forwarded" (as the tunnel core holds packets).
final class InMemoryDataPlane: SessionDataPlane {
    struct Peer: Sendable {
        var allowedIPs: [IPPrefix]
        var bytes: UInt64 = 0
        var limit: UInt64?
        var held: UInt64 = 0
    }

    // The peers; the session manager and the test both touch them.
    private let state = Mutex<[X25519.PublicKey: Peer]>([:])

    func addPeer(_ key: X25519.PublicKey, allowedIPs: [IPPrefix]) async throws(NodeError) {
        state.withLock { $0[key] = Peer(allowedIPs: allowedIPs) }
    }

    func removePeer(_ key: X25519.PublicKey) async { _ = state.withLock { $0.removeValue(forKey: key) } }

    func setByteLimit(_ bytes: UInt64, for key: X25519.PublicKey) async { state.withLock { $0[key]?.limit = bytes } }

    func counters() async -> [X25519.PublicKey: PeerTraffic] {
        state.withLock { peers in peers.mapValues { PeerTraffic(bytes: $0.bytes, heldPackets: $0.held) } }
    }

    func peer(_ key: X25519.PublicKey) -> Peer? { state.withLock { $0[key] } }

    /// Offers `bytes` of traffic for the peer; returns how many the exit forwarded (0 without a peer).
    @discardableResult
    func push(_ bytes: UInt64, for key: X25519.PublicKey) -> UInt64 {
        state.withLock { peers in
            guard var peer = peers[key] else { return 0 }
            let room = peer.limit.map { $0 > peer.bytes ? $0 - peer.bytes : 0 } ?? bytes
            let forwarded = min(bytes, room)
            peer.bytes += forwarded
            if forwarded < bytes { peer.held += 1 }
            peers[key] = peer
            return forwarded
        }
    }
}
