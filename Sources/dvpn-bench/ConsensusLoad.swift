import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Foundation

/// The load generator behind `dvpn-bench consensus` (Scripts/bench/consensus.sh): funds a few
/// sender accounts from the dev account, pre-signs their transfers (so signing costs nothing
/// during the measurement), submits them over HTTP at a steady rate spread over every node's API,
/// and watches one node's new blocks to time each transaction from submission to commit.
struct ConsensusLoad: Sendable {
    struct Settings: Sendable {
        var nodes: [NodeClient]
        var devKey: Schnorr.PrivateKey
        var rate: Double
        var seconds: Double
        var accounts: Int
        var drainSeconds: Double = 15
    }

    struct Result: Encodable, Sendable {
        let validators: Int
        let offeredPerSecond: Double
        let submitted: Int
        let refused: Int
        let committed: Int
        let notCommitted: Int
        let committedPerSecond: Double
        let blocksPerSecond: Double
        let latencyP50Seconds: Double
        let latencyP99Seconds: Double
        let transactionsPerBlock: Double
        let firstRefusal: String?
    }

    /// What the submitters and the block watcher record, from several tasks.
    actor Recorder {
        var submitted: [String: ContinuousClock.Instant] = [:]
        var committed: [String: ContinuousClock.Instant] = [:]
        var blocks: [(height: UInt64, at: ContinuousClock.Instant, transactions: Int)] = []
        var refused = 0
        var firstRefusal: String?
        /// Set when the drain is over: the watcher stops after its current request. The watcher is
        /// stopped this way, not by cancelling its task: cancelling a task inside an URLSession
        /// request can deadlock FoundationNetworking on Linux (the cancellation handler waits for
        /// the session's queue while the session, finishing the request, waits for the task's
        /// status lock), which left a whole benchmark run hanging after the drain.
        var watching = true

        func stopWatching() { watching = false }

        func submitted(_ hash: String, at instant: ContinuousClock.Instant) { submitted[hash] = instant }
        func refused(_ reason: String) {
            refused += 1
            if firstRefusal == nil { firstRefusal = reason }
        }
        func block(_ block: NodeAPI.Block, at instant: ContinuousClock.Instant) {
            blocks.append((block.height, instant, block.transactions.count))
            for transaction in block.transactions where committed[transaction.hash] == nil { committed[transaction.hash] = instant }
        }
        func pendingCount() -> Int { submitted.keys.filter { committed[$0] == nil }.count }
    }

    let settings: Settings
    let clock = ContinuousClock()

    func run(validators: Int) async throws -> Result {
        let observer = settings.nodes[0]
        let status = try await observer.status()
        let fee = Amount(udvpn: status.minimumFee)
        let senders = (0..<settings.accounts).map { _ in Schnorr.PrivateKey() }
        let sink = AccountAddress(publicKey: Schnorr.PrivateKey().publicKey)
        let perAccount = Int((settings.rate * settings.seconds / Double(settings.accounts)).rounded(.up)) + 1
        try await fund(senders, each: Amount(udvpn: UInt64(perAccount) * (status.minimumFee + 1) * 2), fee: fee, chainID: status.chainID)

        // Pre-signed, in nonce order per account.
        let signed: [[Transaction]] = try senders.map { key in
            try (0..<perAccount).map { nonce in
                try TransactionBody(
                    chainID: status.chainID, sender: key.publicKey, nonce: UInt64(nonce), fee: fee,
                    payload: .transfer(to: sink, amount: Amount(udvpn: 1))
                ).signed(with: key)
            }
        }
        let recorder = Recorder()
        let start = clock.now
        let end = start.advanced(by: .milliseconds(Int(settings.seconds * 1000)))
        let firstHeight = try await observer.status().latestHeight + 1
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await watch(observer, from: firstHeight, until: end.advanced(by: .milliseconds(Int(settings.drainSeconds * 1000))), recorder: recorder)
            }
            await submitAll(signed, start: start, end: end, recorder: recorder)
            // Drain: stop watching once everything submitted is committed, or after drainSeconds.
            let drainEnd = clock.now.advanced(by: .milliseconds(Int(settings.drainSeconds * 1000)))
            while clock.now < drainEnd, await recorder.pendingCount() > 0 { try await clock.sleep(for: .milliseconds(50)) }
            await recorder.stopWatching()
            try await group.waitForAll()
        }
        return await summarize(recorder, start: start, end: end, validators: validators)
    }

    /// One task per sender account, each submitting its transactions in nonce order to its node
    /// at the offered rate, until `end`.
    private func submitAll(_ signed: [[Transaction]], start: ContinuousClock.Instant, end: ContinuousClock.Instant, recorder: Recorder) async {
        await withTaskGroup(of: Void.self) { group in
            for (k, transactions) in signed.enumerated() {
                let node = settings.nodes[k % settings.nodes.count]
                group.addTask {
                    for (j, transaction) in transactions.enumerated() {
                        // Transaction j of account k is due at (j·K + k) / rate.
                        let due = start.advanced(by: .nanoseconds(Int64(Double(j * settings.accounts + k) / settings.rate * 1e9)))
                        guard due < end else { return }
                        try? await clock.sleep(until: due)
                        let submittedAt = clock.now
                        do {
                            let result = try await node.submit(transaction: transaction.canonicalBytes)
                            if result.accepted, let hash = result.hash {
                                await recorder.submitted(hash, at: submittedAt)
                            } else {
                                await recorder.refused(result.error ?? "refused")
                            }
                        } catch {
                            await recorder.refused((error as? NodeError)?.reason ?? "\(error)")
                        }
                    }
                }
            }
        }
    }

    /// Gives each sender `each` udvpn from the dev account and waits until every node has the
    /// block (so each node knows the senders' balances before the load starts).
    private func fund(_ senders: [Schnorr.PrivateKey], each: Amount, fee: Amount, chainID: String) async throws {
        let node = settings.nodes[0]
        let dev = AccountAddress(publicKey: settings.devKey.publicKey)
        var nonce = try await node.account(dev.string).pendingNonce
        var last = ""
        for key in senders {
            let body = TransactionBody(
                chainID: chainID, sender: settings.devKey.publicKey, nonce: nonce, fee: fee,
                payload: .transfer(to: AccountAddress(publicKey: key.publicKey), amount: each))
            let result = try await node.submit(transaction: try body.signed(with: settings.devKey).canonicalBytes)
            guard result.accepted, let hash = result.hash else { throw LoadError("funding refused: \(result.error ?? "?")") }
            last = hash
            nonce += 1
        }
        let committed = try await node.waitForCommit(hash: last, timeout: .seconds(60), pollInterval: .milliseconds(20))
        let height = committed.height ?? 0
        for other in settings.nodes {
            let deadline = clock.now.advanced(by: .seconds(60))
            while try await other.status().latestHeight < height {
                guard clock.now < deadline else { throw LoadError("\(other.baseURL) did not reach height \(height)") }
                try await clock.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Polls the observer for each next block every 5 ms; a block's transactions count as
    /// committed when the block is first seen.
    private func watch(_ node: NodeClient, from first: UInt64, until end: ContinuousClock.Instant, recorder: Recorder) async throws {
        var next = first
        while clock.now < end, await recorder.watching {
            if let block = try? await node.block(height: next) {
                await recorder.block(block, at: clock.now)
                next += 1
                continue
            }
            try? await clock.sleep(for: .milliseconds(5))
        }
    }

    private func summarize(_ recorder: Recorder, start: ContinuousClock.Instant, end: ContinuousClock.Instant, validators: Int) async -> Result {
        let submitted = await recorder.submitted
        let committed = await recorder.committed
        let blocks = await recorder.blocks
        let window = seconds(end - start)
        var latencies: [Double] = []
        var inWindow = 0
        for (hash, at) in submitted {
            guard let done = committed[hash] else { continue }
            latencies.append(seconds(done - at))
            if done <= end { inWindow += 1 }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        let windowBlocks = blocks.filter { $0.at <= end }
        return Result(
            validators: validators, offeredPerSecond: settings.rate, submitted: submitted.count, refused: await recorder.refused,
            committed: latencies.count, notCommitted: submitted.count - latencies.count,
            committedPerSecond: Double(inWindow) / window, blocksPerSecond: Double(windowBlocks.count) / window,
            latencyP50Seconds: percentile(0.50), latencyP99Seconds: percentile(0.99),
            transactionsPerBlock: windowBlocks.isEmpty ? 0 : Double(windowBlocks.map(\.transactions).reduce(0, +)) / Double(windowBlocks.count),
            firstRefusal: await recorder.firstRefusal)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
