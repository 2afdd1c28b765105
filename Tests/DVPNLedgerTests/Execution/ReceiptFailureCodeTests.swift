import DVPNContractRuntime
import DVPNCrypto
import DVPNLedger
import Testing
import WAT

/// Receipts hash a failure code, never the engine's text (issue 7 item 0).
@Suite("Receipt failure codes")
struct ReceiptFailureCodeTests {
    struct NoStorage: ContractStorageReader {
        func value(forKey key: [UInt8]) -> [UInt8]? { nil }
    }

    /// Two methods that trap for different reasons, so WasmKit describes them differently.
    static let trapping = """
        (module
          (memory (export "memory") 1 1)
          (func (export "unreachable") unreachable)
          (func (export "divide") (drop (i32.div_u (i32.const 1) (i32.const 0)))))
        """

    static func receipt(_ outcome: CallOutcome) throws -> Receipt {
        guard case .failure(let error) = outcome.status else { throw LedgerError(.ruleViolation, "the call succeeded") }
        return Receipt(transactionID: .zero, status: .failure(Receipt.FailureCode(contractError: error)), feeCharged: Amount(udvpn: 1_000),
                       fuelUsed: 7, detail: "\(error.code): \(error.reason)")
    }

    @Test("two different trap messages from the runtime give identical receipt bytes")
    func trapTextDoesNotReachTheHash() throws {
        let runtime = ContractRuntime()
        let module = try runtime.load(code: try wat2wasm(Self.trapping))
        let context = ContractContext(chainID: "dvpn-test", contract: "t", caller: [UInt8](repeating: 1, count: 32),
                                      attachedFunds: 0, contractBalance: 0, blockHeight: 1, blockTime: 0)
        let outcomes = ["unreachable", "divide"].map {
            runtime.call(module, method: $0, arguments: [], context: context, storage: NoStorage(), fuel: 1_000_000)
        }
        let errors = outcomes.compactMap { outcome -> ContractRuntimeError? in
            if case .failure(let e) = outcome.status { return e } else { return nil }
        }
        try #require(errors.count == 2)
        #expect(errors.allSatisfy { $0.code == .trap })
        #expect(errors[0].reason != errors[1].reason, "the runtime's texts differ: \(errors[0].reason) / \(errors[1].reason)")

        let receipts = try outcomes.map(Self.receipt)
        #expect(receipts[0].detail != receipts[1].detail)
        #expect(receipts[0].canonicalBytes == receipts[1].canonicalBytes)
        #expect(Receipt.root([receipts[0]]) == Receipt.root([receipts[1]]))
        #expect(receipts[0] == receipts[1])
    }

    @Test("a runtime error's reason never changes the code")
    func codeIgnoresReason() {
        for code: ContractRuntimeError.Code in [.outOfFuel, .trap, .unknownMethod, .invalidHostCall, .insufficientBalance, .limitExceeded, .invalidModule] {
            #expect(Receipt.FailureCode(contractError: ContractRuntimeError(code, "one text"))
                    == Receipt.FailureCode(contractError: ContractRuntimeError(code, "another text, from another build")))
        }
        // The contract's own abort message is structured data from the pinned code, kept as bytes.
        #expect(Receipt.FailureCode(contractError: ContractRuntimeError(.aborted, "no such channel"))
                == .contractRefused(message: Array("no such channel".utf8)))
    }

    @Test("every failure code round-trips through the canonical encoding; the detail is not encoded")
    func roundTrip() throws {
        let codes: [Receipt.FailureCode] = [
            .outOfFuel, .trap, .contractRefused(message: [1, 2, 3]), .unknownMethod, .invalidHostCall, .contractLimitExceeded,
            .contractOverdrawn, .invalidPayoutKey, .contractNotLoadable, .insufficientFunds, .staleValidatorSetVersion(current: 9),
            .insufficientApprovals, .invalidValidatorSet, .evidenceFromTheFuture, .evidenceExpired, .evidenceNotValidator,
            .evidenceAlreadyApplied, .evidenceOffenderHasNoPower, .evidenceWouldEmptySet,
        ]
        var tags = Set<UInt8>()
        for code in codes {
            let receipt = Receipt(transactionID: .zero, status: .failure(code), feeCharged: .zero, detail: "node-local text")
            let decoded = try Receipt(canonicalBytes: receipt.canonicalBytes)
            #expect(decoded == receipt)
            #expect(decoded.detail == nil)
            #expect(decoded.failureDescription == code.description)
            tags.insert(code.canonicalBytes[0])
        }
        #expect(tags.count == codes.count)
        var bytes = Receipt(transactionID: .zero, status: .failure(.trap), feeCharged: .zero).canonicalBytes
        bytes[33] = 0xEE  // the failure code's tag, after the 32-byte id and the status tag
        #expect(throws: LedgerError.self) { try Receipt(canonicalBytes: bytes) }
    }
}
