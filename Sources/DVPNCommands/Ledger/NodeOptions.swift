import Foundation
import DVPNNodeAPI
import ArgumentParser
import DVPNNode

/// `--node URL[,URL…]`: which nodes' HTTP API a ledger command talks to. Reads through the light
/// client try them in order (the next when one fails or lies); submissions go to the first.
public struct NodeOptions: ParsableArguments {
    @Option(name: .customLong("node"), help: ArgumentHelp(
        "The node's API; several comma-separated URLs are tried in turn (default: \(NodeAPI.defaultURL)).", valueName: "URL"))
    public var url: String = NodeAPI.defaultURL

    public init() {}

    public func validate() throws {
        _ = try clients()
    }

    /// The first node: where transactions are submitted.
    public func client() throws -> NodeClient {
        guard let first = try clients().first else { throw ValidationError("--node needs at least one URL") }
        return first
    }

    /// Every node given, in order.
    public func clients() throws -> [NodeClient] {
        let urls = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw ValidationError("--node needs at least one URL") }
        do {
            return try urls.map { (text) throws(NodeError) in try NodeClient(url: text) }
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
