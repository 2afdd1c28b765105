import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNTestSupport
import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import DVPNNode

/// Bad input through the HTTP API (issue 4, acceptance "Bad input"): each is refused with a
/// clear reason and a 4xx status, and the node keeps serving and producing blocks afterwards.
@Suite struct SubmissionRejectionTests {
    let bob = AccountAddress(publicKey: Schnorr.PrivateKey().publicKey)

    @Test func malformedBytesAre400WithAReason() async throws {
        let chain = try TestChain()
        let valid = try chain.signed(.transfer(to: bob, amount: Amount(udvpn: 5)), by: chain.alice, nonce: 0)
        let bytes = valid.canonicalBytes
        try await chain.withAPI { client in
            for bad in [[], [0xff], Array(bytes.dropLast()), bytes + [0], Array(repeating: 0x41, count: 500)] {
                let (status, result) = try await client.submit(bad)
                #expect(status == .badRequest)
                #expect(result.accepted == false)
                #expect(result.error?.hasPrefix("malformed transaction") == true, "\(result.error ?? "")")
            }
            for body in ["", "{", "{\"hex\":\"abc\"}", "{\"base64\":\"%%%\"}", "{\"hex\":\"00\",\"base64\":\"AA==\"}", "[1,2]"] {
                let (status, result) = try await client.post(body: ByteBuffer(string: body))
                #expect(status == .badRequest, "body \(body)")
                #expect(result.accepted == false)
                #expect(result.error?.isEmpty == false)
            }
            let (status, node) = try await client.get("/v1/status", as: NodeAPI.Status.self)
            #expect(status == .ok)
            #expect(node.mempoolSize == 0)
        }
    }

    /// Fuzzed variants of a valid transaction never get a 5xx and never take the node down.
    @Test func fuzzedTransactionsNeverBreakTheNode() async throws {
        let chain = try TestChain()
        let valid = try chain.signed(.transfer(to: bob, amount: Amount(udvpn: 5)), by: chain.alice, nonce: 0)
        var fuzzer = Fuzzer(seed: 0x6e6f6465)
        let inputs = Array(fuzzer.inputs(count: 400, seeds: [valid.canonicalBytes]))
        try await chain.withAPI { client in
            var accepted = 0
            for input in inputs {
                let (status, result) = try await client.submit(input)
                #expect([.ok, .badRequest, .unprocessableContent].contains(status), "status \(status)")
                #expect(result.accepted == (status == .ok))
                if result.accepted { accepted += 1 } else { #expect(result.error?.isEmpty == false) }
            }
            // At most the one valid transaction (or a mutation that kept it valid) gets in.
            #expect(accepted <= 1)
        }
        _ = try await chain.node.produceBlock()
        #expect(chain.node.height == 1)
    }

    @Test func badSignatureIsRejected() async throws {
        let chain = try TestChain()
        var flipped = try chain.signed(.transfer(to: bob, amount: Amount(udvpn: 5)), by: chain.alice, nonce: 0).canonicalBytes
        flipped[flipped.count - 10] ^= 0x01  // inside the 64-byte signature at the end
        let bytes = flipped
        try await chain.withAPI { client in
            let (status, result) = try await client.submit(bytes)
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("bad signature") == true, "\(result.error ?? "")")
        }
        // Signed by someone else than the sender it names.
        let mallory = Schnorr.PrivateKey()
        let body = TransactionBody(
            chainID: chain.genesis.chainID, sender: chain.alice.publicKey, nonce: 0, fee: chain.minFee,
            payload: .transfer(to: bob, amount: Amount(udvpn: 5)))
        let forged = Transaction(body: body, signature: try mallory.signature(for: body.signingMessage))
        try await chain.withAPI { client in
            let (status, result) = try await client.submit(forged.canonicalBytes)
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("bad signature") == true)
        }
    }

    @Test func wrongChainIDIsRejected() async throws {
        let chain = try TestChain()
        let tx = try chain.signed(
            .transfer(to: bob, amount: Amount(udvpn: 5)), by: chain.alice, nonce: 0, chainID: "dvpn-other-chain")
        try await chain.withAPI { client in
            let (status, result) = try await client.submit(tx.canonicalBytes)
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("wrong chain id") == true, "\(result.error ?? "")")
        }
    }

    @Test func replayedNoncesAreRejected() async throws {
        let chain = try TestChain()
        let first = try chain.signed(.transfer(to: bob, amount: Amount(udvpn: 5)), by: chain.alice, nonce: 0)
        try await chain.withAPI { client in
            let (status, _) = try await client.submit(first.canonicalBytes)
            #expect(status == .ok)
            let (again, duplicate) = try await client.submit(first.canonicalBytes)
            #expect(again == .unprocessableContent)
            #expect(duplicate.error?.contains("duplicate") == true, "\(duplicate.error ?? "")")
        }
        #expect(try await chain.node.produceBlock() == 1)
        let sameNonce = try chain.signed(.transfer(to: bob, amount: Amount(udvpn: 6)), by: chain.alice, nonce: 0)
        try await chain.withAPI { client in
            for replay in [first, sameNonce] {
                let (status, result) = try await client.submit(replay.canonicalBytes)
                #expect(status == .unprocessableContent)
                #expect(result.error?.contains("nonce already used") == true, "\(result.error ?? "")")
            }
            let (_, tx) = try await client.get("/v1/transactions/\(first.id.hex)", as: NodeAPI.TransactionStatus.self)
            #expect(tx.status == .committed)
            #expect(tx.height == 1)
        }
    }

    @Test func oversizedPayloadsAreRejected() async throws {
        let chain = try TestChain()
        let limit = Int(chain.genesis.params.maxTransactionBytes)
        try await chain.withAPI { client in
            // Larger than a transaction may be, but within the request-body limit.
            let (status, result) = try await client.submit(Array(repeating: 7, count: limit + 1))
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("transaction too large") == true, "\(result.error ?? "")")
            // Larger than the API reads at all.
            let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: NodeAPI.maximumBodySize + 1)
            try await client.execute(uri: "/v1/transactions", method: .post, body: huge) { response in
                #expect(response.status == .contentTooLarge)
            }
            let (alive, _) = try await client.get("/v1/status", as: NodeAPI.Status.self)
            #expect(alive == .ok)
        }
    }

    @Test func overspendIsRejectedWithTheRule() async throws {
        let chain = try TestChain()
        let tx = try chain.signed(.transfer(to: bob, amount: TestChain.aliceFunds), by: chain.alice, nonce: 0)
        try await chain.withAPI { client in
            let (status, result) = try await client.submit(tx.canonicalBytes)
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("insufficient funds") == true, "\(result.error ?? "")")
        }
    }
}
