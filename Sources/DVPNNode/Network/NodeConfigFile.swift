import DVPNCrypto
import DVPNNodeAPI
import Foundation
import TOMLKit

/// `DIR/node.toml`: a node's network configuration, written by `dvpn-node testnet` and read by
/// `dvpn-node serve --data-dir DIR` (its flags `--p2p`, `--api`, `--peers` override the file).
///
/// TOML because operators edit it by hand; the file holds no secret (keys stay in `key.json`), so
/// it is written with the ordinary mode. Nothing in it reaches a hash or a signature: consensus
/// only ever sees the genesis and the canonical encoding.
///
///     # dvpn node configuration
///     moniker = "node0"
///     p2p = "127.0.0.1:26656"
///     api = "127.0.0.1:26657"
///     peers = ["127.0.0.1:26658", "127.0.0.1:26660"]
public struct NodeConfigFile: Codable, Sendable, Equatable {
    public static let fileName = "node.toml"

    /// A name for logs and status output; not an identity (that is the key).
    public var moniker: String
    /// Where the node listens for P2P links, `HOST:PORT`.
    public var p2p: String
    /// Where the node serves its HTTP API, `HOST:PORT`.
    public var api: String
    /// Seed peers dialled at start, `HOST:PORT` each; more are learnt by peer exchange.
    public var peers: [String]

    public init(moniker: String, p2p: String, api: String, peers: [String]) {
        self.moniker = moniker
        self.p2p = p2p
        self.api = api
        self.peers = peers
    }

    /// Parses and checks the file at `path`: a syntax error names the line, a bad address the key.
    public static func read(at path: String) throws(NodeError) -> NodeConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NodeError(.configuration, "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses TOML text. Every key is required and typed, and unknown keys are refused, so that a
    /// typo never silently falls back to a default (the genesis file's rule too).
    public static func parse(_ text: String, source: String) throws(NodeError) -> NodeConfigFile {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw NodeError(.configuration, "\(source):\(error.source.begin.line): not valid TOML: \(oneLine(error.description))")
        } catch {
            throw NodeError(.configuration, "\(source): not valid TOML: \(oneLine(String(describing: error)))")
        }
        for key in table.keys where !keys.contains(key) {
            throw NodeError(.configuration, "\(source): unknown key '\(key.prefix(40))' (known: \(keys.joined(separator: ", ")))")
        }
        func string(_ key: String) throws(NodeError) -> String {
            guard let value = table[key] else { throw NodeError(.configuration, "\(source): missing key '\(key)'") }
            guard let text = value.string else { throw NodeError(.configuration, "\(source): '\(key)' must be a string") }
            return text
        }
        let moniker = try string("moniker")
        let p2p = try string("p2p")
        let api = try string("api")
        guard let peersValue = table["peers"] else { throw NodeError(.configuration, "\(source): missing key 'peers'") }
        guard let array = peersValue.array else { throw NodeError(.configuration, "\(source): 'peers' must be an array of strings") }
        var peers: [String] = []
        for element in array {
            guard let peer = element.string else { throw NodeError(.configuration, "\(source): 'peers' must be an array of strings") }
            peers.append(peer)
        }
        _ = try HostPort(parsing: p2p, field: "p2p", source: source)
        _ = try HostPort(parsing: api, field: "api", source: source)
        for peer in peers { _ = try HostPort(parsing: peer, field: "peers", source: source) }
        return NodeConfigFile(moniker: moniker, p2p: p2p, api: api, peers: peers)
    }

    private static let keys = ["moniker", "p2p", "api", "peers"]

    /// The TOML text, with a header comment.
    public var toml: String {
        // TOMLEncoder cannot fail on a struct of strings and string arrays.
        let body = (try? TOMLEncoder().encode(self)) ?? ""
        return "# dvpn node configuration (dvpn-node serve --data-dir DIR reads it; flags override it)\n" + body + "\n"
    }

    public func write(to path: String) throws(NodeError) {
        do {
            try Data(toml.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw NodeError(.configuration, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// `HOST:PORT` as written in configuration and flags: an IPv4 address or name, or `[IPv6]`, and a
/// port in 0...65535 (0 picks a free port where the node listens).
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses with the project's one `HOST:PORT` syntax (`DVPNCrypto.HostPortText`, shared with
    /// the gossip layer's `PeerAddress`).
    public init(parsing text: String, field: String, source: String = "") throws(NodeError) {
        switch HostPortText.parse(text) {
        case .valid(let host, let port):
            self.host = host
            self.port = port
        case .invalid(let reason):
            let prefix = source.isEmpty ? "" : "\(source): "
            throw NodeError(.configuration, "\(prefix)\(field) must be HOST:PORT, got '\(text.prefix(80))': \(reason)")
        }
    }

    public var description: String { HostPortText.format(host: host, port: port) }
}
