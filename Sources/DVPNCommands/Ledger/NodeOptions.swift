import DVPNNodeAPI
import ArgumentParser
import DVPNNode

/// `--node URL`: which node's HTTP API a ledger command talks to.
public struct NodeOptions: ParsableArguments {
    @Option(name: .customLong("node"), help: ArgumentHelp(
        "The node's API (default: \(NodeAPI.defaultURL)).", valueName: "URL"))
    public var url: String = NodeAPI.defaultURL

    public init() {}

    public func validate() throws {
        _ = try client()
    }

    public func client() throws -> NodeClient {
        do {
            return try NodeClient(url: url)
        } catch {
            throw ValidationError(error.reason)
        }
    }
}

/// `--json`: machine output instead of the human table.
public struct OutputOptions: ParsableArguments {
    @Flag(name: .customLong("json"), help: "Print JSON for machines instead of a table for people.")
    public var json = false

    public init() {}
}
