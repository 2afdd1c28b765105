import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Synchronization

/// The light-client reads (docs/light-client.md): headers with their commits, and state values
/// with Merkle proofs against the state root of a named block. Nothing here is trusted by the
/// client; it only saves the client from needing the state itself.
extension LedgerNode: LightClientBackend {
    func headers(from: UInt64, to: UInt64) async throws(NodeError) -> NodeAPI.HeaderRange {
        let tip = ledger.height
        guard from >= 1, to >= from else {
            throw NodeError(.badRequest, "header range \(from)…\(to) is empty or starts below 1")
        }
        let end = min(to, tip, from &+ (NodeAPI.maximumHeadersPerRequest - 1))
        guard from <= end else { return NodeAPI.HeaderRange(latestHeight: tip, headers: []) }
        do {
            var previousSetHash = try from == 1 ? genesis.validators.hash : storedHeader(at: from - 1).validatorSetHash
            var headers: [NodeAPI.SignedHeader] = []
            for height in from...end {
                let header = try storedHeader(at: height)
                guard let commit = try ledger.store.commit(at: height) else {
                    throw NodeError(.storage, "the commit of block \(height) is missing")
                }
                var signed = NodeAPI.SignedHeader(height: height, header: Hex.encode(header.canonicalBytes), commit: Hex.encode(commit.canonicalBytes))
                if header.validatorSetHash != previousSetHash {
                    signed.validatorSet = try provenState(keys: [StateKey.validatorSet.bytes], height: height - 1).entries.first
                }
                previousSetHash = header.validatorSetHash
                headers.append(signed)
            }
            return NodeAPI.HeaderRange(latestHeight: tip, headers: headers)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(.storage, "reading headers \(from)…\(end): \(error)")
        }
    }

    func state(key: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState {
        try provenState(keys: [key], height: height)
    }

    func state(prefix: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState {
        try provenState(prefix: prefix, height: height)
    }

    // MARK: Proofs

    private func storedHeader(at height: UInt64) throws(NodeError) -> BlockHeader {
        let header: BlockHeader?
        do {
            header = try ledger.store.header(at: height)
        } catch {
            throw NodeError(.storage, "reading block \(height): \(error.reason)")
        }
        guard let header else { throw NodeError(.notFound, "no block at height \(height)") }
        return header
    }

    private func provenState(keys: [[UInt8]], height: UInt64?) throws(NodeError) -> NodeAPI.ProvenState {
        try provenState(height: height) { _ in keys }
    }

    private func provenState(prefix: [UInt8], height: UInt64?) throws(NodeError) -> NodeAPI.ProvenState {
        try provenState(height: height) { (state) throws(NodeError) -> [[UInt8]] in
            let keys = state.entries.lazy.map(\.key).filter { $0.starts(with: prefix) }
            guard keys.count <= NodeAPI.maximumStateEntries else {
                throw NodeError(.badRequest, "more than \(NodeAPI.maximumStateEntries) state keys start with \(Hex.encode(prefix)); ask a longer prefix")
            }
            return Array(keys)
        }
    }

    /// Values and proofs of the keys `select` picks, all under the state root of block `height`
    /// (nil: the latest block). The latest state is read under the ledger's lock and matched to
    /// the block whose header carries its root (a block committed in between means a retry);
    /// older states are rebuilt from the store.
    private func provenState(height requested: UInt64?, select: (LedgerState) throws(NodeError) -> [[UInt8]]) throws(NodeError) -> NodeAPI.ProvenState {
        let tip = ledger.height
        guard tip >= 1 else { throw NodeError(.notFound, "the chain has no block yet") }
        if let requested, requested == 0 || requested > tip {
            throw NodeError(.notFound, "no block at height \(requested); the latest is \(tip)")
        }
        if let requested, requested < tip {
            let state = try history.state(at: requested, expectedRoot: try storedHeader(at: requested).stateRoot, store: ledger.store)
            return NodeAPI.ProvenState(height: requested, entries: try Self.prove(try select(state), in: state))
        }
        for _ in 0..<8 {
            let snapshot: (root: Hash256, entries: Result<[NodeAPI.ProvenValue], NodeError>)
            do {
                snapshot = try ledger.withState { state in
                    (state.rootHash, Result { () throws(NodeError) in try Self.prove(try select(state), in: state) })
                }
            } catch {
                throw NodeError(.storage, "reading the state: \(error.reason)")
            }
            let entries = try snapshot.entries.get()
            let height = ledger.height
            if requested == nil || requested == height, try storedHeader(at: height).stateRoot == snapshot.root {
                return NodeAPI.ProvenState(height: height, entries: entries)
            }
            if let requested { return try provenState(height: requested, select: select) }
        }
        throw NodeError(.timeout, "blocks were committed too fast to prove a consistent state; ask again")
    }

    private static func prove(_ keys: [[UInt8]], in state: LedgerState) throws(NodeError) -> [NodeAPI.ProvenValue] {
        var out: [NodeAPI.ProvenValue] = []
        for key in keys {
            let parsed: StateKey
            do { parsed = try StateKey(bytes: key) } catch { throw NodeError(.badRequest, error.reason) }
            out.append(NodeAPI.ProvenValue(
                key: Hex.encode(key), value: state.value(forRawKey: key).map { Hex.encode($0) },
                proof: Hex.encode(state.proof(for: parsed).canonicalBytes)))
        }
        return out
    }
}

/// The last past state rebuilt for a proof, so that a client syncing across a validator-set
/// change (or asking several keys at one old height) costs one rebuild, not one per request.
///
/// Thread safety: the mutex guards the single cached (height, state) pair; states are values.
final class HistoricalStates: Sendable {
    private let cached = Mutex<(height: UInt64, state: LedgerState)?>(nil)

    func state(at height: UInt64, expectedRoot: Hash256, store: LedgerStore) throws(NodeError) -> LedgerState {
        if let hit = cached.withLock({ $0 }), hit.height == height { return hit.state }
        let state: LedgerState
        do {
            state = try store.state(atHeight: height)
        } catch {
            throw NodeError(.storage, "rebuilding the state at block \(height): \(error.reason)")
        }
        guard state.rootHash == expectedRoot else {
            throw NodeError(.storage, "the stored changes up to block \(height) do not rebuild its state root; run `dvpn ledger verify`")
        }
        cached.withLock { $0 = (height, state) }
        return state
    }
}
