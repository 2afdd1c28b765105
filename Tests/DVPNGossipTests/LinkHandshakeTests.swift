import DVPNCrypto
import DVPNLedger
import DVPNTestSupport
import Testing
@testable import DVPNGossip

@Suite("Link handshake")
struct LinkHandshakeTests {
    static let chain = "dvpn-test-1"

    /// Runs the three messages between two in-memory handshakes.
    static func run(_ a: LinkIdentity, _ b: LinkIdentity, chainA: String = chain, chainB: String = chain)
        throws -> (LinkSession, LinkSession)
    {
        var initiator = try LinkHandshake(role: .initiator, identity: a, chainID: chainA)
        var responder = try LinkHandshake(role: .responder, identity: b, chainID: chainB)
        guard case .reply(let second) = try responder.receive(try initiator.start()) else { throw TimedOut(what: "reply") }
        guard case .established(let initiatorSession, let third?) = try initiator.receive(second) else {
            throw TimedOut(what: "initiator session")
        }
        guard case .established(let responderSession, nil) = try responder.receive(third) else {
            throw TimedOut(what: "responder session")
        }
        return (initiatorSession, responderSession)
    }

    @Test func bothSidesLearnTheOthersLedgerIdentityAndShareKeys() throws {
        let a = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
        let b = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
        var (sa, sb) = try Self.run(a, b)
        #expect(sa.remote == b.peerID && sb.remote == a.peerID)
        #expect(sa.handshakeHash == sb.handshakeHash)
        for i in 0..<3 {
            #expect(try sb.open(try sa.seal([UInt8(i), 1])) == [UInt8(i), 1])
            #expect(try sa.open(try sb.seal([UInt8(i)])) == [UInt8(i)])
        }
        // Nonces count: a replayed frame does not open.
        let frame = try sa.seal([7])
        #expect(try sb.open(frame) == [7])
        #expect(throws: GossipError.self) { try sb.open(frame) }
    }

    @Test func anotherChainNeverCompletes() throws {
        let a = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
        let b = LinkIdentity(ledgerKey: Schnorr.PrivateKey())
        #expect(throws: GossipError.self) { try Self.run(a, b, chainB: "dvpn-other-1") }
    }

    @Test func anInvalidChainIDIsAConfigurationError() {
        #expect(throws: GossipError.self) {
            try LinkHandshake(role: .initiator, identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: "Not Valid")
        }
    }

    /// A responder that sees message 3 carry `proof(h)` instead of an honest LinkProof.
    static func responderAccepts(proof: (_ hashBefore: [UInt8], _ noiseKey: X25519.PrivateKey) throws -> [UInt8]) throws -> Bool {
        let noiseKey = X25519.PrivateKey()
        var initiator = try NoiseHandshakeState(
            pattern: .XX, role: .initiator, prologue: LinkHandshake.prologue(chainID: chain), localStatic: noiseKey)
        var responder = try LinkHandshake(role: .responder, identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: chain)
        guard case .reply(let second) = try responder.receive(try initiator.writeMessage()) else { return false }
        _ = try initiator.readMessage(second)
        let third = try initiator.writeMessage(payload: try proof(initiator.handshakeHash, noiseKey))
        do {
            _ = try responder.receive(third)
            return true
        } catch {
            return false
        }
    }

    static func signed(
        by key: Schnorr.PrivateKey, claiming claimed: Schnorr.PublicKey? = nil, chain: String = chain,
        noiseStatic: X25519.PublicKey, hash: [UInt8]
    ) throws -> [UInt8] {
        let message = LinkProof.signedMessage(chainID: chain, noiseStatic: noiseStatic, handshakeHash: hash)
        return LinkProof(ledgerKey: claimed ?? key.publicKey, signature: try key.signature(for: message)).canonicalBytes
    }

    @Test func anHonestProofIsAccepted() throws {
        let key = Schnorr.PrivateKey()
        #expect(try Self.responderAccepts { hash, noise in try Self.signed(by: key, noiseStatic: noise.publicKey, hash: hash) })
    }

    @Test func forgedIdentityProofsAreRefused() throws {
        let key = Schnorr.PrivateKey()
        let other = Schnorr.PrivateKey()
        // No proof at all.
        #expect(try !Self.responderAccepts { _, _ in [] })
        // Random bytes as the signature.
        #expect(try !Self.responderAccepts { _, _ in
            LinkProof(ledgerKey: key.publicKey, signature: try Schnorr.Signature(rawRepresentation: [UInt8](repeating: 3, count: 64))).canonicalBytes
        })
        // Signed for another Noise key (a proof lifted from someone else's link).
        #expect(try !Self.responderAccepts { hash, _ in try Self.signed(by: key, noiseStatic: X25519.PrivateKey().publicKey, hash: hash) })
        // Claims a ledger key it cannot sign for.
        #expect(try !Self.responderAccepts { hash, noise in
            try Self.signed(by: other, claiming: key.publicKey, noiseStatic: noise.publicKey, hash: hash)
        })
        // Signed for another chain.
        #expect(try !Self.responderAccepts { hash, noise in
            try Self.signed(by: key, chain: "dvpn-other-1", noiseStatic: noise.publicKey, hash: hash)
        })
        // Signed over another handshake's hash (a replayed proof).
        #expect(try !Self.responderAccepts { _, noise in
            try Self.signed(by: key, noiseStatic: noise.publicKey, hash: [UInt8](repeating: 0, count: 32))
        })
        // A valid proof with trailing bytes is not canonical.
        #expect(try !Self.responderAccepts { hash, noise in try Self.signed(by: key, noiseStatic: noise.publicKey, hash: hash) + [0] })
    }

    @Test func garbageHandshakeMessagesThrowNeverTrap() throws {
        var fuzzer = Fuzzer(seed: 7)
        for input in fuzzer.inputs(count: 300, seeds: [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 9, count: 192)]) {
            var responder = try LinkHandshake(role: .responder, identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: Self.chain)
            var initiator = try LinkHandshake(role: .initiator, identity: LinkIdentity(ledgerKey: Schnorr.PrivateKey()), chainID: Self.chain)
            _ = try initiator.start()
            // Message 1 is unauthenticated, so a 32-byte input is a valid key and is answered;
            // anything that is not 32 bytes is refused. Message 2 garbage is always refused.
            if let step = try? responder.receive(input) {
                guard case .reply = step else { Issue.record("message 1 did not ask for a reply"); continue }
                #expect(input.count == 32)
            }
            #expect(throws: GossipError.self) { try initiator.receive(input) }
        }
    }
}
