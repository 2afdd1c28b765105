import DVPNConsensus
import DVPNCrypto
import DVPNLedger

/// Keys, a validator set and signed messages shared by the unit tests.
enum Fixtures {
    static let chainID = "dvpn-test"
    static let keys: [Schnorr.PrivateKey] = (0..<4).map { i in
        var raw = [UInt8](repeating: 0, count: 32)
        raw[0] = 0x11
        raw[31] = UInt8(i + 1)
        return try! Schnorr.PrivateKey(rawRepresentation: raw)
    }

    static func validators(_ powers: [UInt64] = [10, 10, 10, 10]) throws -> ValidatorSet {
        try ValidatorSet(validators: powers.indices.map { Validator(publicKey: keys[$0].publicKey, power: powers[$0]) })
    }

    static func hash(_ n: UInt8) -> Hash256 {
        Hash256.sha256([n])
    }

    static func vote(_ kind: Vote.Kind, _ signer: Int, height: UInt64 = 1, round: UInt32 = 0, _ hash: Hash256?) throws -> Vote {
        try Vote.sign(chainID: chainID, kind: kind, height: height, round: round, blockHash: hash, with: keys[signer])
    }

    static func proposal(by signer: Int, height: UInt64 = 1, round: UInt32 = 0, _ hash: Hash256, validRound: UInt32? = nil) throws -> Proposal {
        try Proposal.sign(chainID: chainID, height: height, round: round, blockHash: hash, validRound: validRound, with: keys[signer])
    }

    /// The index of the key proposer(h, round) names.
    static func proposerIndex(_ state: ConsensusState, round: UInt32) -> Int {
        let key = state.proposerPriority.proposer(round: round)
        return keys.firstIndex { $0.publicKey == key }!
    }

    static let config = ConsensusConfig(
        propose: .init(base: .milliseconds(300), delta: .milliseconds(100)),
        prevote: .init(base: .milliseconds(200), delta: .milliseconds(100)),
        precommit: .init(base: .milliseconds(200), delta: .milliseconds(100)),
        maxFutureRounds: 4
    )
}

extension [ConsensusOutput] {
    var broadcasts: [UnsignedMessage] {
        compactMap { if case .broadcast(let m) = $0 { m } else { nil } }
    }

    var timeouts: [Timeout] {
        compactMap { if case .scheduleTimeout(let t, _) = $0 { t } else { nil } }
    }

    var decisions: [Decision] {
        compactMap { if case .decide(let d) = $0 { d } else { nil } }
    }

    var evidence: [Evidence] {
        compactMap { if case .evidence(let e) = $0 { e } else { nil } }
    }
}
