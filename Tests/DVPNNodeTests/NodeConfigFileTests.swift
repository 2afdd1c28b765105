import DVPNNodeAPI
import Testing
@testable import DVPNNode

/// `node.toml`: round trip, and one-line errors for broken files.
@Suite struct NodeConfigFileTests {
    @Test func roundTrips() throws {
        let config = NodeConfigFile(
            moniker: "node1", p2p: "127.0.0.1:26658", api: "[::1]:26659", peers: ["127.0.0.1:26656", "example.org:26660"])
        let parsed = try NodeConfigFile.parse(config.toml, source: "node.toml")
        #expect(parsed == config)
        #expect(config.toml.hasPrefix("# dvpn node configuration"))
    }

    @Test(arguments: [
        ("moniker = \"a\"\np2p = \"127.0.0.1:1\"\napi = \"127.0.0.1:2\"\npeers = [\n", "not valid TOML"),
        ("moniker = \"a\"\napi = \"127.0.0.1:2\"\npeers = []\n", "missing key 'p2p'"),
        ("moniker = \"a\"\np2p = 5\napi = \"127.0.0.1:2\"\npeers = []\n", "'p2p' must be a string"),
        ("moniker = \"a\"\np2p = \"127.0.0.1\"\napi = \"127.0.0.1:2\"\npeers = []\n", "p2p must be HOST:PORT"),
        ("moniker = \"a\"\np2p = \"127.0.0.1:1\"\napi = \"127.0.0.1:2\"\npeers = [\"h:99999\"]\n", "peers must be HOST:PORT"),
        ("moniker = \"a\"\np2p = \"127.0.0.1:1\"\napi = \"127.0.0.1:2\"\npeers = [1]\n", "'peers' must be an array of strings"),
        ("moniker = \"a\"\np2p = \"127.0.0.1:1\"\napi = \"127.0.0.1:2\"\npeers = []\npeer = []\n", "unknown key 'peer'"),
    ])
    func brokenFilesNameTheProblem(_ text: String, _ expected: String) {
        #expect {
            try NodeConfigFile.parse(text, source: "node.toml")
        } throws: { error in
            guard let error = error as? NodeError else { return false }
            return error.reason.contains(expected) && error.reason.hasPrefix("node.toml") && !error.reason.contains("\n")
        }
    }

    @Test func hostPortForms() throws {
        #expect(try HostPort(parsing: "[fd00::1]:80", field: "p2p").host == "fd00::1")
        #expect(try HostPort(parsing: "[fd00::1]:80", field: "p2p").description == "[fd00::1]:80")
        #expect(try HostPort(parsing: "node.local:0", field: "p2p").port == 0)
        #expect(throws: NodeError.self) { try HostPort(parsing: ":80", field: "p2p") }
        #expect(throws: NodeError.self) { try HostPort(parsing: "a b:80", field: "p2p") }
    }
}
