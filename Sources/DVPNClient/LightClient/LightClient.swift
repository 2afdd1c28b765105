import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI

/// A value read from the ledger and proven: a Merkle proof of it (or of its absence) reproduced
/// the state root of verified block `height`.
public struct Proven<Value: Sendable>: Sendable {
    public let value: Value
    /// The verified block whose state root the proof matched (the state after its transactions).
    public let height: UInt64
    public let blockHash: Hash256
    /// The node that answered (its URL); it is not trusted, only named.
    public let node: String
}

/// The light client (DESIGN.md: "Clients are light clients"; docs/light-client.md): it trusts
/// only `genesis`, keeps its own header chain verified commit by commit in `HeaderStore`, and
/// accepts a state value only with a proof against a verified header's state root.
///
/// Nodes are asked in order. A node that cannot be reached or answers something unreadable has
/// *failed*; one whose header, commit or proof does not verify has *lied*. Either way `report`
/// gets one line naming the node and the check (with "; trying NEXT"), and the next node is
/// asked. When none is left the last node's line is thrown (`ClientError`).
public final class LightClient: Sendable {
    public let genesis: Genesis
    public let nodes: [NodeClient]
    public let store: HeaderStore
    /// An answer proven at a height more than this many blocks below the verified tip is stale:
    /// that node is behind (or withholding newer state) and the next one is asked.
    public let maximumLag: UInt64
    let verifier: HeaderChainVerifier
    let report: @Sendable (String) -> Void
    let progress: @Sendable (_ verified: UInt64, _ target: UInt64) -> Void

    /// - Parameters:
    ///   - report: one line per node that failed or lied (the CLI prints it on stderr).
    ///   - progress: called after each batch of a sync longer than one batch.
    public init(genesis: Genesis, store: HeaderStore, nodes: [NodeClient], maximumLag: UInt64 = 20,
                report: @escaping @Sendable (String) -> Void = { _ in },
                progress: @escaping @Sendable (_ verified: UInt64, _ target: UInt64) -> Void = { _, _ in }) throws(ClientError) {
        guard !nodes.isEmpty else { throw ClientError(.badRequest, "no node to ask: give at least one --node URL") }
        self.genesis = genesis
        self.nodes = nodes
        self.store = store
        self.maximumLag = maximumLag
        self.verifier = HeaderChainVerifier(chainID: genesis.chainID)
        self.report = report
        self.progress = progress
    }

    /// The end of the verified chain on disk.
    public func verifiedTip() throws(ClientError) -> VerifiedTip { try store.tip() }

    /// Verifies headers up to the latest block of the first node that answers honestly.
    @discardableResult
    public func sync() async throws(ClientError) -> VerifiedTip {
        try await askNodes { (node) throws(ClientError) in
            let latest = try await Self.call(node) { (n) throws(NodeError) in try await n.status().latestHeight }
            return try await self.sync(from: node, to: latest)
        }
    }

    // MARK: Asking nodes in turn

    /// Runs `body` against each node until one answers without failing or lying.
    func askNodes<T: Sendable>(_ body: (NodeClient) async throws(ClientError) -> T) async throws(ClientError) -> T {
        var index = nodes.startIndex
        while true {
            let node = nodes[index]
            do {
                return try await body(node)
            } catch {
                guard error.code == .verification || error.code == .unreachable else { throw error }
                let verb = error.code == .verification ? "lied" : "failed"
                let line = "node \(node.baseURL.absoluteString) \(verb): \(error.reason)"
                index = nodes.index(after: index)
                guard index < nodes.endIndex else {
                    throw ClientError(nodes.count == 1 ? error.code : .noHonestNode,
                                      nodes.count == 1 ? line : "\(line); no node left to ask")
                }
                report("\(line); trying \(nodes[index].baseURL.absoluteString)")
            }
        }
    }

    /// A node call whose failure is the node's (unreachable, refused, unreadable).
    static func call<T>(_ node: NodeClient, _ body: (NodeClient) async throws(NodeError) -> T) async throws(ClientError) -> T {
        do {
            return try await body(node)
        } catch {
            throw ClientError(.unreachable, error.reason)
        }
    }

    // MARK: Header sync

    /// Verifies and stores `node`'s headers from the verified tip up to `target`.
    func sync(from node: NodeClient, to target: UInt64) async throws(ClientError) -> VerifiedTip {
        var tip = try store.tip()
        let start = tip.height
        while tip.height < target {
            let range = try await Self.call(node) { (n) throws(NodeError) in try await n.headers(from: tip.height + 1, to: target) }
            guard !range.headers.isEmpty else {
                throw ClientError(.unreachable, "it claims block \(target) but serves no header after block \(tip.height)")
            }
            var accepted: [HeaderChainVerifier.Accepted] = []
            var failure: ClientError?
            for signed in range.headers.prefix(Int(NodeAPI.maximumHeadersPerRequest)) {
                do {
                    let next = try verifier.verify(signed, after: tip)
                    accepted.append(next)
                    tip = next.tip
                } catch {
                    failure = error
                    break
                }
                if tip.height == target { break }
            }
            // What verified before a bad header is still verified: keep it.
            try store.append(accepted)
            if let failure { throw failure }
            if target - start > NodeAPI.maximumHeadersPerRequest { progress(tip.height, target) }
        }
        return tip
    }

    /// The verified header at `height`, syncing from `node` first when the chain ends below it.
    func verifiedHeader(at height: UInt64, from node: NodeClient) async throws(ClientError) -> BlockHeader {
        let tip = try store.tip()
        if height > tip.height {
            _ = try await sync(from: node, to: height)
        } else if tip.height - height > maximumLag {
            throw ClientError(.unreachable, "its answer is proven at block \(height), \(tip.height - height) blocks behind verified block \(tip.height)")
        }
        guard height >= 1, let header = try store.header(at: height) else {
            throw ClientError(.unreachable, "it proved its answer at block \(height), which has no verified header")
        }
        return header
    }
}
