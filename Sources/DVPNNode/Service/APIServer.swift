import DVPNNodeAPI
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The node's HTTP API as a `Service`: Hummingbird's application around `NodeAPIRouter`.
///
/// Once the socket listens, the bound `HOST:PORT` is written to the data directory's
/// `api-address` file (atomically), so a caller that asked for port 0 learns the real port.
enum APIServer {
    static func make(
        backend: some NodeBackend, host: String, port: Int, addressFile: String?,
        extraRoutes: [@Sendable (Router<BasicRequestContext>) -> Void] = [], logger: Logger
    ) -> some Service {
        let router = NodeAPIRouter.build(backend: backend)
        for add in extraRoutes { add(router) }
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "dvpn-node"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.info("API listening on http://\(host):\(bound)")
                guard let addressFile else { return }
                do {
                    try Data("\(host):\(bound)\n".utf8).write(to: URL(fileURLWithPath: addressFile), options: .atomic)
                } catch {
                    logger.warning("cannot write \(addressFile): \(error.localizedDescription)")
                }
            },
            logger: logger
        )
    }
}
