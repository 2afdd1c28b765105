import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import Testing
@testable import DVPNNode

/// The header-chain rules of `HeaderChainVerifier`, on headers of a real three-validator chain.
@Suite struct HeaderChainVerifierTests {
    /// Verifies headers 1…n of `network` from genesis and returns the tips.
    static func verifyAll(_ network: TestNetwork) async throws -> [VerifiedTip] {
        let verifier = HeaderChainVerifier(chainID: network.genesis.chainID)
        var tip = VerifiedTip(genesis: network.genesis)
        var tips: [VerifiedTip] = []
        for signed in try await network.node.headers(from: 1, to: network.node.height).headers {
            tip = try verifier.verify(signed, after: tip).tip
            tips.append(tip)
        }
        return tips
    }

    static func expectLie(_ signed: NodeAPI.SignedHeader, after tip: VerifiedTip, chainID: String, _ phrase: String) {
        #expect(throws: ClientError.self) { try HeaderChainVerifier(chainID: chainID).verify(signed, after: tip) }
        do {
            _ = try HeaderChainVerifier(chainID: chainID).verify(signed, after: tip)
        } catch {
            #expect(error.code == .verification)
            #expect(error.reason.contains(phrase), "\(error.reason)")
        }
    }

    @Test func honestChainVerifiesFromGenesis() async throws {
        let network = try TestNetwork()
        for _ in 0..<3 { try network.produce() }
        let tips = try await Self.verifyAll(network)
        #expect(tips.map(\.height) == [1, 2, 3])
        #expect(tips.last?.blockHash == network.node.ledger.position.blockHash)
    }

    @Test func gapWrongLinkAndWrongChainAreRefused() async throws {
        let network = try TestNetwork()
        for _ in 0..<3 { try network.produce() }
        let headers = try await network.node.headers(from: 1, to: 3).headers
        let genesisTip = VerifiedTip(genesis: network.genesis)
        let chainID = network.genesis.chainID
        // Gap: block 2 straight after genesis.
        Self.expectLie(headers[1], after: genesisTip, chainID: chainID, "header gap: expected block 1")
        // Wrong link: a tip at height 1 whose hash is not block 1's.
        let wrongTip = VerifiedTip(height: 1, blockHash: Hash256.sha256([1]), stateRoot: nil, validators: network.genesis.validators)
        Self.expectLie(headers[1], after: wrongTip, chainID: chainID, "does not link to verified block 1")
        // Wrong chain id: the same header judged against another genesis.
        Self.expectLie(headers[0], after: genesisTip, chainID: "dvpn-other", "not the genesis chain 'dvpn-other'")
    }

    @Test func commitsOfTooLittlePowerOrOfStrangersAreRefused() async throws {
        let network = try TestNetwork()
        try network.produce()
        let header = try #require(try await network.node.headers(from: 1, to: 1).headers.first)
        let tip = VerifiedTip(genesis: network.genesis)
        let chainID = network.genesis.chainID
        // A forged header re-signed by one of three equal validators: 10 of 30 power.
        Self.expectLie(LyingBackend.forgeRoot(header, resignWith: network.keys[1]), after: tip, chainID: chainID, "holds 10 of 30 voting power")
        // Re-signed by a key that is no validator.
        Self.expectLie(LyingBackend.forgeRoot(header, resignWith: Schnorr.PrivateKey()), after: tip, chainID: chainID, "not a validator of the set in force")
        // A forged header with the honest commit: the commit is for another block.
        Self.expectLie(LyingBackend.forgeRoot(header, resignWith: nil), after: tip, chainID: chainID, "not this header")
    }

    @Test func validatorSetChangeIsFollowedWithItsProof() async throws {
        let network = try TestNetwork()
        try network.produce()
        let newcomer = try network.addValidator()
        try network.produce()  // block 2 carries the update; the set of four signs block 3 on
        try network.produce()
        try network.produce()
        let tips = try await Self.verifyAll(network)
        #expect(tips.map(\.validators.validators.count) == [3, 3, 4, 4])
        #expect(tips[3].validators.contains(newcomer.publicKey))

        // Without the proof, or with a proof against another root, the change is refused.
        let headers = try await network.node.headers(from: 1, to: 4).headers
        let changed = headers[2]
        #expect(changed.validatorSet != nil)
        var stripped = changed
        stripped.validatorSet = nil
        let chainID = network.genesis.chainID
        Self.expectLie(stripped, after: tips[1], chainID: chainID, "without a proof of the new set")
        let otherRoot = VerifiedTip(height: 2, blockHash: tips[1].blockHash, stateRoot: Hash256.sha256([2]), validators: tips[1].validators)
        Self.expectLie(changed, after: otherRoot, chainID: chainID, "validator-set proof for block 3 does not match the state root of verified block 2")
        // After the change the set stays the same, so no proof travels with the next header.
        #expect(headers[3].validatorSet == nil)
    }
}

/// `ProofCheck` on real proofs of a real state.
@Suite struct ProofCheckTests {
    @Test func presentAbsentAndTamperedValues() async throws {
        let network = try TestNetwork()
        try network.produce()
        let header = try #require(try network.node.ledger.store.header(at: 1))
        let alice = StateKey.account(network.alice.publicKey).bytes
        let present = try #require(try await network.node.state(key: alice, height: nil).entries.first)
        let value = try ProofCheck.verify(present, key: alice, root: header.stateRoot)
        #expect(try Account(canonicalBytes: #require(value)).balance == Amount(udvpn: 1_000_000_000))

        let stranger = StateKey.account(Schnorr.PrivateKey().publicKey).bytes
        let absent = try #require(try await network.node.state(key: stranger, height: nil).entries.first)
        #expect(try ProofCheck.verify(absent, key: stranger, root: header.stateRoot) == nil)

        // A value swapped in, a claimed absence of a present key, a proof for another key.
        var forged = present
        forged.value = Hex.encode(Account(balance: Amount(udvpn: 5), nonce: 0).canonicalBytes)
        #expect(throws: ClientError.self) { try ProofCheck.verify(forged, key: alice, root: header.stateRoot) }
        var hidden = present
        hidden.value = nil
        #expect(throws: ClientError.self) { try ProofCheck.verify(hidden, key: alice, root: header.stateRoot) }
        #expect(throws: ClientError.self) { try ProofCheck.verify(absent, key: alice, root: header.stateRoot) }
    }
}
