import DVPNNode
import Hummingbird
import Logging
import NIOCore

/// Serves each backend through the real router on its own loopback port, runs `body` with their
/// URLs, and stops the servers afterwards, whether `body` succeeded or not.
func withServers(_ backends: [any LightClientBackend], _ body: ([String]) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var urls: [String] = []
        var logger = Logger(label: "light-client-test")
        // Stopping a server by cancellation logs the cancellation as an error: not a finding.
        logger.logLevel = .critical
        for backend in backends {
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let app = Application(
                router: NodeAPIRouter.build(backend: backend),
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "test-node"),
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                },
                logger: logger)
            group.addTask {
                do {
                    try await app.run()
                } catch {
                    continuation.finish()
                    throw error
                }
            }
            for await port in ports { urls.append("http://127.0.0.1:\(port)") }
        }
        guard urls.count == backends.count else {
            group.cancelAll()
            throw TestFailure("a test node did not start listening")
        }
        do {
            try await body(urls)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}
