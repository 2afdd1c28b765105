import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import HummingbirdTesting
import Testing
import WAT
@testable import DVPNNode

/// Contract calls that loop forever, trap, or use floating point (issue 4, acceptance "Bad
/// input"): the call is committed as failed with the reason in its receipt, the fee is still
/// charged, and the node goes on producing blocks and serving.
@Suite struct ContractFailureTests {
    /// A contract with one method that never returns, one that traps, and one that works.
    static let misbehaving = """
        (module
          (memory (export "memory") 1 1)
          (func (export "spin") (loop $forever (br $forever)))
          (func (export "boom") unreachable)
          (func (export "fine")))
        """
    /// A contract that uses a floating-point instruction, which the engine refuses to run.
    static let floating = """
        (module
          (memory (export "memory") 1 1)
          (func (export "add") (drop (f32.add (f32.const 1) (f32.const 2)))))
        """

    @Test func loopingTrappingAndFloatingCallsFailWithAReasonAndTheNodeGoesOn() async throws {
        let chain = try TestChain(contracts: [
            EmbeddedContract(name: "misbehaving", code: try wat2wasm(Self.misbehaving)),
            EmbeddedContract(name: "floating", code: try wat2wasm(Self.floating)),
        ])
        let fee = Amount(udvpn: chain.minFee.udvpn * 10)
        let calls: [(String, String, String)] = [
            ("misbehaving", "spin", "fuel"), ("misbehaving", "boom", "unreachable"),
            ("floating", "add", "float"), ("misbehaving", "fine", ""),
        ]
        var ids: [Hash256] = []
        for (nonce, (contract, method, _)) in calls.enumerated() {
            let tx = try chain.signed(
                .contractCall(ContractCall(contract: contract, method: method, arguments: [])), by: chain.alice,
                nonce: UInt64(nonce), fee: fee)
            ids.append(tx.id)
            try await chain.withAPI { client in
                let (status, result) = try await client.submit(tx.canonicalBytes)
                #expect(status == .ok, "\(result.error ?? "")")
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try await chain.node.produceBlock() == 1)
        // Fuel bounds the infinite loop: the whole block takes well under the test's patience.
        #expect(clock.now - started < .seconds(60))

        try await chain.withAPI { [ids] client in
            for (id, (contract, method, expected)) in zip(ids, calls) {
                let (status, tx) = try await client.get("/v1/transactions/\(id.hex)", as: NodeAPI.TransactionStatus.self)
                #expect(status == .ok)
                #expect(tx.status == .committed)
                #expect(tx.height == 1)
                let receipt = try #require(tx.receipt)
                #expect(receipt.fee == fee.udvpn, "\(contract).\(method) is charged its fee")
                if expected.isEmpty {
                    #expect(receipt.success, "\(receipt.error ?? "")")
                } else {
                    #expect(!receipt.success)
                    let reason = receipt.error?.lowercased() ?? ""
                    #expect(reason.contains(expected), "\(contract).\(method) failed with: \(reason)")
                }
            }
            let (_, account) = try await client.get(
                "/v1/accounts/\(AccountAddress(publicKey: chain.alice.publicKey).string)", as: NodeAPI.Account.self)
            #expect(account.balance == TestChain.aliceFunds.udvpn - 4 * fee.udvpn)
            #expect(account.nonce == 4)
        }
        #expect(try await chain.node.produceBlock() == 2)
    }

    @Test func callsToUnknownContractsOrMethodsAreRefusedOrFail() async throws {
        let chain = try TestChain(contracts: [EmbeddedContract(name: "misbehaving", code: try wat2wasm(Self.misbehaving))])
        let unknownContract = try chain.signed(
            .contractCall(ContractCall(contract: "nosuch", method: "x", arguments: [])), by: chain.alice, nonce: 0)
        let unknownMethod = try chain.signed(
            .contractCall(ContractCall(contract: "misbehaving", method: "nosuch", arguments: [])), by: chain.alice,
            nonce: 0)
        try await chain.withAPI { client in
            let (status, result) = try await client.submit(unknownContract.canonicalBytes)
            #expect(status == .unprocessableContent)
            #expect(result.error?.contains("unknown contract") == true, "\(result.error ?? "")")
            let (accepted, _) = try await client.submit(unknownMethod.canonicalBytes)
            #expect(accepted == .ok)
        }
        _ = try await chain.node.produceBlock()
        try await chain.withAPI { client in
            let (_, tx) = try await client.get("/v1/transactions/\(unknownMethod.id.hex)", as: NodeAPI.TransactionStatus.self)
            #expect(tx.receipt?.success == false)
            #expect(tx.receipt?.error?.contains("nosuch") == true, "\(tx.receipt?.error ?? "")")
        }
    }
}
