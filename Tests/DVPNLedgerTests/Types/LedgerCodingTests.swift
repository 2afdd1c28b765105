import DVPNCrypto
import DVPNLedger
import DVPNTestSupport
import Testing

extension CodecCase {
    /// Every ledger type's decoder, seeded with real (signed) values.
    static let ledger: [CodecCase] = [
        .codable("Amount", [Amount.zero, Amount(udvpn: 50_000), Amount(udvpn: .max)]),
        .codable("Hash256", [Hash256.zero, LedgerSamples.hash]),
        .codable("Timestamp", [Timestamp(millisecondsSince1970: 0), Timestamp(millisecondsSince1970: 1_750_000_000_000)]),
        .codable("Schnorr.PublicKey", [TestKeys.key(0).publicKey, TestKeys.key(1).publicKey]),
        .codable("AccountAddress", [TestKeys.address(0)]),
        .codable("TransactionPayload", LedgerSamples.transactions.map(\.payload)),
        .codable("ContractCall", [ContractCall(contract: "channels", method: "redeem", arguments: [0, 1], attachedFunds: Amount(udvpn: 1))]),
        .codable("ValidatorUpdate", LedgerSamples.transactions.compactMap { if case .validatorUpdate(let u) = $0.payload { u } else { nil } }),
        .codable("TransactionBody", LedgerSamples.transactions.map(\.body)),
        .codable("Transaction", LedgerSamples.transactions),
        .codable("Validator", LedgerSamples.validatorSets[1].validators),
        .codable("ValidatorSignature", LedgerSamples.commits[0].signatures),
        .codable("ValidatorSet", LedgerSamples.validatorSets),
        .codable("Vote", LedgerSamples.votes),
        .codable("Commit", LedgerSamples.commits),
        .codable("BlockHeader", LedgerSamples.headers),
        .codable("Block", LedgerSamples.blocks),
        .codable("Receipt", LedgerSamples.receipts),
        .codable("ReceiptEvent", LedgerSamples.receipts[1].events),
        .codable("Payout", LedgerSamples.receipts[1].payouts),
        .codable("ChainParameters", [ChainParameters.devnet]),
        .codable("Genesis", LedgerSamples.genesis),
        .codable("GenesisBalance", LedgerSamples.genesis[0].balances),
        .codable("GenesisContract", LedgerSamples.genesis[0].contracts),
        .codable("Account", [Account(), Account(balance: Amount(udvpn: 5), nonce: 9)]),
        .codable("StateProof", LedgerSamples.proofs),
    ]
}

@Suite("Ledger types: canonical encoding")
struct LedgerCodingTests {
    @Test("every value round-trips, and every truncation and extension of it is rejected", arguments: CodecCase.ledger)
    func roundTrip(_ codec: CodecCase) throws {
        #expect(!codec.seeds.isEmpty)
        for seed in codec.seeds {
            #expect(try codec.reencode(seed) == seed)
            for cut in 0..<seed.count {
                #expect(throws: LedgerError.self) { try codec.reencode(Array(seed[..<cut])) }
            }
            #expect(throws: LedgerError.self) { try codec.reencode(seed + [0]) }
        }
    }

    @Test("every ledger decoder round-trips or throws on 100,000 fuzz inputs", arguments: CodecCase.ledger)
    func fuzz(_ codec: CodecCase) {
        let seed = 0x1ED6_E500 ^ UInt64(CodecCase.ledger.firstIndex { $0.name == codec.name } ?? 0)
        var fuzzer = Fuzzer(seed: seed)
        var decoded = 0, threw = 0
        var notCanonical: [[UInt8]] = []
        for input in fuzzer.inputs(count: 100_000, seeds: codec.seeds) {
            do {
                if try codec.reencode(input) != input, notCanonical.count < 3 { notCanonical.append(input) }
                decoded += 1
            } catch {
                threw += 1
            }
        }
        print("fuzz \(codec.name) (seed \(seed)): \(decoded) decoded, \(threw) threw")
        #expect(decoded + threw == 100_000)
        #expect(notCanonical.isEmpty, "decoded but not canonical: \(notCanonical)")
        #expect(threw > 0)
    }

    @Test("decoding is strict about order, tags and keys")
    func strict() throws {
        // A commit with its signatures out of key order.
        var commitBytes = LedgerSamples.commits[0].canonicalBytes
        let entry = 96, start = 8 + 4 + 32 + 4
        let first = Array(commitBytes[start..<(start + entry)]), second = Array(commitBytes[(start + entry)..<(start + 2 * entry)])
        commitBytes.replaceSubrange(start..<(start + 2 * entry), with: second + first)
        #expect(throws: LedgerError.self) { try Commit(canonicalBytes: commitBytes) }

        // A validator set out of order.
        var setBytes = LedgerSamples.validatorSets[1].canonicalBytes
        let v = 40, vs = 8 + 4
        let a = Array(setBytes[vs..<(vs + v)]), b = Array(setBytes[(vs + v)..<(vs + 2 * v)])
        setBytes.replaceSubrange(vs..<(vs + 2 * v), with: b + a)
        #expect(throws: LedgerError.self) { try ValidatorSet(canonicalBytes: setBytes) }

        // An unknown payload tag, vote kind, receipt status, optional tag.
        var payload = LedgerSamples.transactions[0].payload.canonicalBytes
        payload[0] = 9
        #expect(throws: LedgerError.self) { try TransactionPayload(canonicalBytes: payload) }
        var vote = LedgerSamples.votes[0].canonicalBytes
        vote[0] = 3
        #expect(throws: LedgerError.self) { try Vote(canonicalBytes: vote) }
        var receipt = LedgerSamples.receipts[0].canonicalBytes
        receipt[32] = 2
        #expect(throws: LedgerError.self) { try Receipt(canonicalBytes: receipt) }
        var block = LedgerSamples.blocks[1].canonicalBytes
        block[block.count - 1] = 2
        #expect(throws: LedgerError.self) { try Block(canonicalBytes: block) }

        // A public key that is not on the curve (x = 5 has no square root of x³ + 7 mod p).
        let offCurve = [UInt8](repeating: 0, count: 31) + [5]
        #expect(throws: (any Error).self) { try Schnorr.PublicKey(rawRepresentation: offCurve) }
        var tx = LedgerSamples.transactions[0].canonicalBytes
        let senderAt = 4 + LedgerSamples.chainID.utf8.count
        tx.replaceSubrange(senderAt..<(senderAt + 32), with: offCurve)
        #expect(throws: LedgerError.self) { try Transaction(canonicalBytes: tx) }

        // Genesis lists out of canonical order.
        var genesisBytes = LedgerSamples.genesis[1].canonicalBytes
        let balances = LedgerSamples.genesis[1].balances
        let encoded = balances.map(\.canonicalBytes).reduce([], +)
        let at = genesisBytes.firstRange(of: encoded)!.lowerBound
        genesisBytes.replaceSubrange(at..<(at + encoded.count), with: balances.reversed().map(\.canonicalBytes).reduce([], +))
        #expect(throws: LedgerError.self) { try Genesis(canonicalBytes: genesisBytes) }
    }

    @Test("hashes are domain-separated and signatures cover every field")
    func signatures() throws {
        let tx = LedgerSamples.transactions[0]
        #expect(tx.hasValidSignature)
        #expect(tx.id != Hash256.tagged("dvpn/block-header", tx.canonicalBytes))
        var body = tx.body
        body.nonce += 1
        #expect(!Transaction(body: body, signature: tx.signature).hasValidSignature)
        body = tx.body
        body.chainID = "dvpn-other-1"
        #expect(!Transaction(body: body, signature: tx.signature).hasValidSignature)
        let vote = LedgerSamples.votes[0]
        #expect(vote.hasValidSignature(chainID: LedgerSamples.chainID))
        #expect(!vote.hasValidSignature(chainID: "dvpn-other-1"))
        var asPrevote = vote
        asPrevote.kind = .prevote
        #expect(!asPrevote.hasValidSignature(chainID: LedgerSamples.chainID))
    }
}
