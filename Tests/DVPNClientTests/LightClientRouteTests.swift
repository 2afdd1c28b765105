import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Testing
@testable import DVPNNode

/// The node's light-client routes answer malformed or impossible requests with a 4xx and a
/// one-line reason, and bound what they send.
@Suite struct LightClientRouteTests {
    @Test func badRangesKeysAndHeightsAreRefused() async throws {
        let network = try TestNetwork()
        try network.produce()
        try network.produce()
        try await withServers([network.node]) { urls in
            let client = try NodeClient(url: urls[0])
            await #expect(throws: NodeError.self) { try await client.headers(from: 5, to: 2) }
            await #expect(throws: NodeError.self) { try await client.state(key: [0xff]) }
            await #expect(throws: NodeError.self) { try await client.state(key: StateKey.validatorSet.bytes, height: 99) }
            // Past the tip the range is cut at the tip; nothing is invented.
            let range = try await client.headers(from: 2, to: 1_000)
            #expect(range.latestHeight == 2)
            #expect(range.headers.map(\.height) == [2])
            #expect(try await client.headers(from: 3, to: 9).headers.isEmpty)
            // A past height is proven against that block's root.
            let past = try await client.state(key: StateKey.account(network.alice.publicKey).bytes, height: 1)
            #expect(past.height == 1)
            let header = try #require(try network.node.ledger.store.header(at: 1))
            let proven = try #require(past.entries.first)
            #expect(try DVPNClient.ProofCheck.verify(proven, key: StateKey.account(network.alice.publicKey).bytes, root: header.stateRoot) != nil)
        }
    }
}
