import DVPNNodeAPI
import Logging
import ServiceLifecycle

/// What the block producer drives: a chain that can tell whether transactions wait and can
/// produce (build, sign, commit and store) the next block.
protocol BlockProducing: Sendable {
    func pendingTransactionCount() async -> Int
    /// Produces the next block with whatever the mempool holds (possibly none) and returns its
    /// height once it is durably stored.
    func produceBlock() async throws(NodeError) -> UInt64
}

/// The dev node's proposer loop, as a `Service`.
///
/// A single validator proposes every block, so there is no round to wait for: the loop looks at
/// the mempool every `pollInterval`, produces a block as soon as transactions wait (batching what
/// arrived within one poll), and an empty block once `emptyBlockInterval` passed without one, so
/// that time and height keep moving for channel expiries. It stops between two blocks on
/// graceful shutdown; a block being committed is never cut in half (the store commits it in one
/// SQLite transaction either way).
struct BlockProducer<Chain: BlockProducing>: Service {
    let chain: Chain
    let pollInterval: Duration
    let emptyBlockInterval: Duration
    let logger: Logger

    func run() async throws {
        let clock = ContinuousClock()
        // The first block comes at once, so a fresh node has a block to show within one poll.
        var lastBlock = clock.now - emptyBlockInterval
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                break  // cancelled
            }
            let pending = await chain.pendingTransactionCount()
            guard pending > 0 || clock.now - lastBlock >= emptyBlockInterval else { continue }
            let height = try await chain.produceBlock()
            lastBlock = clock.now
            logger.debug("produced block", metadata: ["height": "\(height)", "transactions": "\(pending)"])
        }
        logger.info("block producer stopped")
    }
}
