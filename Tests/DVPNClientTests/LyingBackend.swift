import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
@testable import DVPNNode

/// A node that lies: the real router over the honest `LedgerNode`, with one kind of forgery
/// applied to its light-client answers.
struct LyingBackend: LightClientBackend {
    enum Forgery: Sendable {
        /// Every account value gets 1,000 DVPN more; the proof is left as it was.
        case balance
        /// The first offer listed gets a lower price; the proof is left as it was.
        case offer
        /// Header `height` gets another state root; the commit is left as it was.
        case header(height: UInt64)
        /// Header `height` gets another state root and a commit signed by `key` alone.
        case resignedHeader(height: UInt64, key: Schnorr.PrivateKey)
        /// Header `height` is skipped.
        case gap(height: UInt64)
    }

    let honest: LedgerNode
    let forgery: Forgery

    // MARK: Honest parts

    func submit(transaction bytes: [UInt8]) async -> SubmissionOutcome { await honest.submit(transaction: bytes) }
    func transactionStatus(hash: String) async throws(NodeError) -> NodeAPI.TransactionStatus { try await honest.transactionStatus(hash: hash) }
    func account(address: String) async throws(NodeError) -> NodeAPI.Account { try await honest.account(address: address) }
    func block(height: UInt64?) async throws(NodeError) -> NodeAPI.Block { try await honest.block(height: height) }
    func status() async throws(NodeError) -> NodeAPI.Status { try await honest.status() }
    func offers(country: String?, maxPricePerGiB: UInt64?) async throws(NodeError) -> [NodeAPI.Offer] {
        try await honest.offers(country: country, maxPricePerGiB: maxPricePerGiB)
    }
    func channels(payer: String?, payee: String?) async throws(NodeError) -> [NodeAPI.Channel] {
        try await honest.channels(payer: payer, payee: payee)
    }
    func channel(id: UInt64) async throws(NodeError) -> NodeAPI.Channel { try await honest.channel(id: id) }

    // MARK: Forgeries

    func headers(from: UInt64, to: UInt64) async throws(NodeError) -> NodeAPI.HeaderRange {
        var range = try await honest.headers(from: from, to: to)
        switch forgery {
        case .header(let height):
            range.headers = range.headers.map { $0.height == height ? Self.forgeRoot($0, resignWith: nil) : $0 }
        case .resignedHeader(let height, let key):
            range.headers = range.headers.map { $0.height == height ? Self.forgeRoot($0, resignWith: key) : $0 }
        case .gap(let height):
            range.headers.removeAll { $0.height == height }
        case .balance, .offer:
            break
        }
        return range
    }

    func state(key: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState {
        var answer = try await honest.state(key: key, height: height)
        if case .balance = forgery, key.first == 0x01 {
            answer.entries = answer.entries.map { entry in
                guard let account = entry.value.flatMap(Hex.decode).flatMap({ try? Account(canonicalBytes: $0) }) else { return entry }
                let forged = Account(balance: Amount(udvpn: account.balance.udvpn + 1_000_000_000), nonce: account.nonce)
                return NodeAPI.ProvenValue(key: entry.key, value: Hex.encode(forged.canonicalBytes), proof: entry.proof)
            }
        }
        return answer
    }

    func state(prefix: [UInt8], height: UInt64?) async throws(NodeError) -> NodeAPI.ProvenState {
        var answer = try await honest.state(prefix: prefix, height: height)
        if case .offer = forgery, var first = answer.entries.first, var bytes = first.value.flatMap(Hex.decode), bytes.count > 42 {
            // owner[32] ‖ country[2] ‖ price per GiB (u64 BE): make it a bargain.
            bytes[34..<42] = [0, 0, 0, 0, 0, 0, 0, 1]
            first.value = Hex.encode(bytes)
            answer.entries[0] = first
        }
        return answer
    }

    /// The header with another state root (as a node would forge to back a forged value), and
    /// its commit either left alone or re-signed by one key for the forged hash.
    static func forgeRoot(_ signed: NodeAPI.SignedHeader, resignWith key: Schnorr.PrivateKey?) -> NodeAPI.SignedHeader {
        guard var header = Hex.decode(signed.header).flatMap({ try? BlockHeader(canonicalBytes: $0) }) else { return signed }
        header.stateRoot = Hash256.sha256([UInt8]("forged".utf8))
        var forged = signed
        forged.header = Hex.encode(header.canonicalBytes)
        if let key, let vote = try? Vote.sign(chainID: header.chainID, kind: .precommit, height: header.height, round: 0, blockHash: header.hash, with: key),
           let commit = try? Commit(precommits: [vote]) {
            forged.commit = Hex.encode(commit.canonicalBytes)
        }
        return forged
    }
}
