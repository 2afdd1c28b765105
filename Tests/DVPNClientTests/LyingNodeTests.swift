import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Synchronization
import Testing
@testable import DVPNNode

/// The light client against nodes that lie (Light client acceptance of issue 7): each forgery is
/// caught with one line naming the node and the check, and the answer then comes, correct, from
/// the honest node next in the list.
@Suite struct LyingNodeTests {
    /// Collects the client's one-line reports.
    final class Reports: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// A chain of a few blocks with a funded account and an offer.
    static func network() throws -> TestNetwork {
        let network = try TestNetwork()
        try network.produce()
        try network.registerOffer()
        try network.produce()
        try network.produce()
        return network
    }

    static func client(_ network: TestNetwork, _ urls: [String], reports: Reports) throws -> (LightClient, String) {
        let dir = network.directory.appendingPathComponent("client-\(UUID().uuidString)").path
        let store = try HeaderStore(genesis: network.genesis, dataDirectory: dir)
        let client = try LightClient(genesis: network.genesis, store: store, nodes: urls.map { try NodeClient(url: $0) },
                                     report: { reports.add($0) })
        return (client, dir)
    }

    /// Runs `read` with [liar, honest]; checks the one report line and returns the answer.
    static func caught<T: Sendable>(
        _ forgery: LyingBackend.Forgery, expecting check: String, network: TestNetwork,
        read: @escaping @Sendable (LightClient) async throws -> T
    ) async throws -> (T, LightClient) {
        let reports = Reports()
        var result: (T, LightClient)?
        try await withServers([LyingBackend(honest: network.node, forgery: forgery), network.node]) { urls in
            let (client, _) = try Self.client(network, urls, reports: reports)
            result = (try await read(client), client)
            #expect(reports.all.count == 1, "\(reports.all)")
            let line = try #require(reports.all.first)
            #expect(line.hasPrefix("node \(urls[0])/ lied: ") || line.hasPrefix("node \(urls[0]) lied: "), "\(line)")
            #expect(line.contains(check), "\(line)")
            #expect(line.hasSuffix("; trying \(urls[1])") || line.hasSuffix("; trying \(urls[1])/"), "\(line)")
            #expect(!line.contains("\n"))
        }
        return try #require(result)
    }

    @Test func forgedBalanceIsCaughtAndTheHonestNodeAnswers() async throws {
        let network = try Self.network()
        let address = network.aliceAddress
        let (proven, _) = try await Self.caught(.balance, expecting: "balance proof does not match the state root of verified block 3", network: network) {
            try await $0.account(address)
        }
        #expect(proven.value == network.node.ledger.account(address))
    }

    @Test func forgedOfferIsCaughtAndTheHonestNodeAnswers() async throws {
        let network = try Self.network()
        let (proven, _) = try await Self.caught(.offer, expecting: "offer proof does not match the state root of verified block 3", network: network) {
            try await $0.offers()
        }
        #expect(proven.value.count == 1)
        #expect(proven.value.first?.pricePerGiB == 50_000)
        #expect(proven.value.first?.operator == network.aliceAddress.string)
    }

    @Test func forgedHeaderIsCaughtAndNotStored() async throws {
        let network = try Self.network()
        let address = network.aliceAddress
        let (proven, client) = try await Self.caught(.header(height: 2), expecting: "the commit given for block 2 is for block 2", network: network) {
            try await $0.account(address)
        }
        #expect(proven.value == network.node.ledger.account(address))
        #expect(try client.store.header(at: 2) == network.node.ledger.store.header(at: 2))
        #expect(try client.verifiedTip().blockHash == network.node.ledger.position.blockHash)
    }

    @Test func commitOfTooLittlePowerIsCaught() async throws {
        let network = try Self.network()
        let address = network.aliceAddress
        let (proven, _) = try await Self.caught(
            .resignedHeader(height: 3, key: network.keys[0]), expecting: "the commit for height 3 holds 10 of 30 voting power", network: network
        ) { try await $0.account(address) }
        #expect(proven.value == network.node.ledger.account(address))
    }

    @Test func commitByANonValidatorIsCaught() async throws {
        let network = try Self.network()
        let address = network.aliceAddress
        let (proven, _) = try await Self.caught(
            .resignedHeader(height: 1, key: Schnorr.PrivateKey()), expecting: "not a validator of the set in force", network: network
        ) { try await $0.account(address) }
        #expect(proven.value == network.node.ledger.account(address))
    }

    @Test func headerGapIsCaught() async throws {
        let network = try Self.network()
        let (proven, _) = try await Self.caught(.gap(height: 2), expecting: "header gap: expected block 2", network: network) {
            try await $0.offers()
        }
        #expect(proven.value.count == 1)
    }

    @Test func aLoneLiarIsOneLineAndNoAnswer() async throws {
        let network = try Self.network()
        let reports = Reports()
        try await withServers([LyingBackend(honest: network.node, forgery: .balance)]) { urls in
            let (client, _) = try Self.client(network, urls, reports: reports)
            do {
                _ = try await client.account(network.aliceAddress)
                Issue.record("a forged balance was believed")
            } catch let error as ClientError {
                #expect(error.code == .verification)
                #expect(error.reason.hasPrefix("node \(urls[0])"), "\(error.reason)")
                #expect(error.reason.contains("lied: balance proof does not match"), "\(error.reason)")
            }
            #expect(reports.all.isEmpty)
        }
    }

    @Test func syncResumesFromTheStoredTipAndFollowsValidatorChanges() async throws {
        let network = try Self.network()
        let reports = Reports()
        try await withServers([network.node]) { urls in
            let (client, dir) = try Self.client(network, urls, reports: reports)
            #expect(try await client.sync().height == 3)
            _ = try network.addValidator()
            for _ in 0..<3 { try network.produce() }
            // A new client on the same directory resumes at block 3 and verifies 4…6 only.
            let store = try HeaderStore(genesis: network.genesis, dataDirectory: dir)
            #expect(try store.tip().height == 3)
            let again = try LightClient(genesis: network.genesis, store: store, nodes: [try NodeClient(url: urls[0])])
            let tip = try await again.sync()
            #expect(tip.height == 6)
            #expect(tip.validators.validators.count == 4)
            #expect(try await again.account(network.aliceAddress).height == 6)
        }
        #expect(reports.all.isEmpty)
    }
}
