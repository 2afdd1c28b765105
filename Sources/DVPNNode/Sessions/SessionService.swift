import Logging
import ServiceLifecycle

/// Runs the session manager's ticks for as long as the node runs: restores what a previous run
/// left (channels to redeem), ticks every `tickInterval`, and on graceful shutdown cuts every
/// session off (`operatorShutdown`) and offers what is unredeemed for redemption.
struct SessionService: Service {
    let manager: SessionManager
    let interval: Duration

    func run() async throws {
        await manager.restore()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await manager.tick()
            do {
                try await Task.sleep(for: interval)
            } catch {
                break
            }
        }
        await manager.shutdown()
    }
}
