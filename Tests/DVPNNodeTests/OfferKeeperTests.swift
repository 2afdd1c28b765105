import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Logging
import Testing
@testable import DVPNNode

/// `OfferUpkeep` decisions, and `OfferKeeper` driving the real registry contract on a real
/// ledger: wait for funds, register, follow the transaction, update on changed terms, heartbeat.
@Suite struct OfferKeeperTests {
    static func terms(price: UInt64 = 50_000) -> OfferTerms {
        OfferTerms(
            country: "DE", pricePerGiB: Amount(udvpn: price), pricePerHour: nil, bandwidthMbps: 100,
            endpoint: "198.51.100.7:51820", tunnelKey: X25519.PrivateKey().publicKey, services: ["wireguard"])
    }

    static func stored(_ terms: OfferTerms, heartbeat: UInt64, stale: Bool = false) -> NodeAPI.Offer {
        NodeAPI.Offer(
            operator: "dvpn1x", country: terms.country, pricePerGiB: terms.pricePerGiB.udvpn,
            pricePerHour: terms.pricePerHour?.udvpn, bandwidthMbps: terms.bandwidthMbps, endpoint: terms.endpoint,
            tunnelKey: terms.tunnelKey.base64, services: terms.services, heartbeatHeight: heartbeat, stale: stale)
    }

    @Test func upkeepDecisions() {
        let terms = Self.terms()
        let upkeep = OfferUpkeep(terms: terms, heartbeatEvery: 100)
        let fee = Amount(udvpn: 10_000), rich = Amount(udvpn: 1_000_000), poor = Amount(udvpn: 9_999)
        #expect(upkeep.next(stored: nil, height: 5, balance: rich, fee: fee) == .register)
        #expect(upkeep.next(stored: nil, height: 5, balance: poor, fee: fee) == .awaitFunds(fee: fee, balance: poor))
        #expect(upkeep.next(stored: Self.stored(terms, heartbeat: 5), height: 104, balance: rich, fee: fee) == .none)
        #expect(upkeep.next(stored: Self.stored(terms, heartbeat: 5), height: 105, balance: rich, fee: fee) == .heartbeat)
        #expect(upkeep.next(stored: Self.stored(terms, heartbeat: 5, stale: true), height: 6, balance: rich, fee: fee) == .heartbeat)
        var changed = terms
        changed.pricePerGiB = Amount(udvpn: 60_000)
        #expect(upkeep.next(stored: Self.stored(changed, heartbeat: 5), height: 6, balance: rich, fee: fee) == .update)
        changed = terms
        changed.pricePerHour = Amount(udvpn: 1)
        #expect(upkeep.next(stored: Self.stored(changed, heartbeat: 5), height: 6, balance: rich, fee: fee) == .update)
        // Nothing to do costs nothing: a poor operator with a fresh offer is not asked for money.
        #expect(upkeep.next(stored: Self.stored(terms, heartbeat: 5), height: 6, balance: .zero, fee: fee) == .none)
    }

    @Test(.enabled(if: !EmbeddedContract.devnet.isEmpty, "no contract modules are embedded"))
    func keeperRegistersOnceFundedThenUpdatesAndHeartbeats() async throws {
        let chain = try TestChain(contracts: EmbeddedContract.devnet)
        let operatorIdentity = KeyFile.Identity.generate()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let terms = Self.terms()
        let keeper = OfferKeeper(
            ledger: chain.node, identity: operatorIdentity, upkeep: OfferUpkeep(terms: terms, heartbeatEvery: 3), logger: logger)
        let fee = Amount(udvpn: chain.minFee.udvpn * 10)

        // An account that never held funds: told the fee, nothing sent.
        #expect(try await keeper.step() == .awaitingFunds(fee: fee, balance: .zero))
        #expect(chain.node.ledger.mempoolCount == 0)

        // Funded: registers, follows its transaction to the block, then has nothing to do.
        let transfer = try chain.signed(
            .transfer(to: operatorIdentity.address, amount: Amount(udvpn: fee.udvpn * 5)), by: chain.alice, nonce: 0)
        #expect(await chain.node.submit(transaction: transfer.canonicalBytes) == .accepted(hash: transfer.id.hex))
        _ = try await chain.node.produceBlock()
        guard case .sent(.register, let hash) = try await keeper.step() else {
            Issue.record("expected a registration")
            return
        }
        #expect(try await keeper.step() == .waitingForCommit(hash: hash))
        let height = try await chain.node.produceBlock()
        #expect(try await keeper.step() == .committed(hash: hash, height: height))
        #expect(try await keeper.step() == .idle)
        let offer = try #require(try await chain.node.offer(of: operatorIdentity.address))
        #expect(offer.pricePerGiB == 50_000 && offer.country == "DE")

        // Restarted with another price: the stored offer is updated, not registered twice.
        var repriced = terms
        repriced.pricePerGiB = Amount(udvpn: 40_000)
        let keeper2 = OfferKeeper(
            ledger: chain.node, identity: operatorIdentity, upkeep: OfferUpkeep(terms: repriced, heartbeatEvery: 3), logger: logger)
        guard case .sent(.update, _) = try await keeper2.step() else {
            Issue.record("expected an update")
            return
        }
        _ = try await chain.node.produceBlock()
        guard case .committed = try await keeper2.step() else {
            Issue.record("expected the update committed")
            return
        }
        #expect(try await chain.node.offer(of: operatorIdentity.address)?.pricePerGiB == 40_000)

        // Three empty blocks later the heartbeat is due.
        for _ in 0..<3 { _ = try await chain.node.produceBlock() }
        guard case .sent(.heartbeat, _) = try await keeper2.step() else {
            Issue.record("expected a heartbeat")
            return
        }
        let before = try #require(try await chain.node.offer(of: operatorIdentity.address)).heartbeatHeight
        let committedAt = try await chain.node.produceBlock()
        guard case .committed = try await keeper2.step() else {
            Issue.record("expected the heartbeat committed")
            return
        }
        let after = try #require(try await chain.node.offer(of: operatorIdentity.address)).heartbeatHeight
        #expect(after == committedAt && after > before)
    }
}
