import DVPNContractRuntime
import Testing

/// Fuel, reverts and determinism: the guarantees a ledger replica relies on.
@Suite struct RuntimeExecutionTests {
    let probe: Probe
    let key: [UInt8] = Array("counter!".utf8)

    init() throws {
        probe = try Probe()
    }

    private func call(
        _ method: String, _ arguments: [UInt8] = [], storage: MemoryStorage = MemoryStorage(),
        context: ContractContext = Fixtures.context(), fuel: UInt64 = 1_000_000
    ) -> CallOutcome {
        probe.call(method, arguments, storage: storage, context: context, fuel: fuel)
    }

    @Test func anInfiniteLoopRunsOutOfFuelAndIsChargedTheWholeBudget() {
        let outcome = call("spin", fuel: 50_000)
        #expect(outcome.failureCode == .outOfFuel)
        #expect(outcome.fuelUsed == 50_000)
        #expect(outcome.writes.isEmpty && outcome.transfers.isEmpty && outcome.events.isEmpty)
    }

    @Test func runningOutOfFuelRevertsWritesMadeBeforeIt() {
        let outcome = call("effectsThenSpin", key, fuel: 100_000)
        #expect(outcome.failureCode == .outOfFuel)
        #expect(outcome.fuelUsed == 100_000)
        #expect(outcome.writes.isEmpty)
    }

    @Test func aTrapRevertsWritesTransfersAndEvents() {
        let context = Fixtures.context(contractBalance: 10)
        let outcome = call("effectsThenTrap", key, context: context)
        #expect(outcome.failureCode == .trap)
        #expect(outcome.writes.isEmpty && outcome.transfers.isEmpty && outcome.events.isEmpty)
        #expect(outcome.fuelUsed > 0 && outcome.fuelUsed < 1_000_000, "charged what it used before the trap")
        if case .failure(let error) = outcome.status {
            #expect(error.reason.contains("unreachable"))
            #expect(!error.reason.contains("\n"), "no backtrace with host addresses in a ledger outcome")
        }
    }

    @Test func anAbortRevertsAndCarriesTheContractsMessage() {
        let outcome = call("effectsThenAbort", key)
        #expect(outcome.status == .failure(ContractRuntimeError(.aborted, "contract says no")))
        #expect(outcome.writes.isEmpty)
    }

    @Test func otherTrapsFailCleanly() {
        #expect(call("divideByZero").failureCode == .trap)
        #expect(call("recurse").failureCode == .trap)
        #expect(call("outOfBounds").failureCode == .invalidHostCall)
        #expect(call("hugeValue").failureCode == .limitExceeded)
    }

    @Test func memoryCannotGrowPastItsDeclaredMaximum() {
        let outcome = call("growTooFar")
        #expect(outcome.status == .success(returnData: .littleEndian(UInt32.max)), "memory.grow answers -1")
    }

    @Test func unknownMethodsAndTooSmallBudgetsFail() {
        #expect(call("nope").failureCode == .unknownMethod)
        #expect(call("notAMethod").failureCode == .unknownMethod)
        let starved = call("echo", fuel: 10)
        #expect(starved.failureCode == .outOfFuel)
        #expect(starved.fuelUsed == 10)
    }

    @Test func aHostCallTheBudgetCannotPayRunsOutOfFuel() {
        // Enough for the call's base charge and a few operators, not for a storage write (1000+).
        let outcome = call("put", key + [1, 2, 3, 4], fuel: 2_300)
        #expect(outcome.failureCode == .outOfFuel)
        #expect(outcome.fuelUsed == 2_300)
        #expect(outcome.writes.isEmpty)
        #expect(call("put", key + [1, 2, 3, 4], fuel: 5_000).succeeded)
    }

    @Test func fuelGrowsWithTheWorkDone() {
        let small = call("countDown", .littleEndian(UInt32(10)))
        let large = call("countDown", .littleEndian(UInt32(10_000)))
        #expect(small.succeeded && large.succeeded)
        #expect(large.fuelUsed > small.fuelUsed + 10_000, "at least one unit per loop iteration")
        // The exact budget that the call used is enough; one unit less is not.
        let exact = call("countDown", .littleEndian(UInt32(10_000)), fuel: large.fuelUsed)
        #expect(exact.succeeded)
        let short = call("countDown", .littleEndian(UInt32(10_000)), fuel: large.fuelUsed - 1)
        #expect(short.failureCode == .outOfFuel)
    }

    @Test func theSameCallTwiceGivesTheSameOutcomeBitForBit() {
        var storage = MemoryStorage()
        storage.values[key] = [9, 9]
        let context = Fixtures.context(attachedFunds: 5, contractBalance: 500)
        let recipient = [UInt8](repeating: 7, count: 32)
        for (method, arguments) in [
            ("putThenGet", key + [1, 2, 3]), ("pay", recipient + .littleEndian(UInt64(123))),
            ("environment", []), ("effectsThenTrap", key), ("spin", []), ("refuse", []),
        ] {
            let first = call(method, arguments, storage: storage, context: context, fuel: 200_000)
            let second = call(method, arguments, storage: storage, context: context, fuel: 200_000)
            #expect(first == second, "\(method)")
        }
        // A runtime built separately (another replica) agrees too.
        let other = try? Probe()
        #expect(other?.module.codeHash == probe.module.codeHash)
        #expect(call("countDown", .littleEndian(UInt32(777))) == other?.call("countDown", .littleEndian(UInt32(777))))
    }

    @Test func argumentsOverTheLimitAreRejected() throws {
        let small = try Probe(limits: ContractLimits(maxArgumentSize: 16))
        #expect(small.call("echo", [UInt8](repeating: 1, count: 17)).failureCode == .limitExceeded)
        #expect(small.call("echo", [UInt8](repeating: 1, count: 16)).succeeded)
    }
}
