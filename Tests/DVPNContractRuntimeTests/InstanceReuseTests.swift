import DVPNContractRuntime
import Testing

/// Instances are pooled and reset between calls (`ContractInstance`); a call must not be able to
/// tell. A module used through another runtime than the one that loaded it is never pooled, which
/// gives the fresh-instance outcome to compare with.
@Suite struct InstanceReuseTests {
    @Test func stateNeverLeaksFromOneCallToTheNext() throws {
        let probe = try Probe()
        let initial = probe.call("readState")
        #expect(initial.status == .success(returnData: .littleEndian(UInt32(7)) + [0]))
        for _ in 0..<3 {
            #expect(probe.call("bump").status == .success(returnData: .littleEndian(UInt32(8)) + [1]))
            #expect(probe.call("bumpThenTrap").failureCode == .trap)
            #expect(probe.call("spin", fuel: 30_000).failureCode == .outOfFuel)
            #expect(probe.call("effectsThenAbort", Array("12345678".utf8)).failureCode == .aborted)
            #expect(probe.call("readState") == initial)
        }
        // Growing memory retires the instance; the next call still starts from the initial state.
        #expect(probe.call("grow").status == .success(returnData: .littleEndian(UInt32(1))))
        #expect(probe.call("readState") == initial)
        #expect(probe.call("grow").status == .success(returnData: .littleEndian(UInt32(1))), "memory is 1 page again")
    }

    @Test func pooledAndFreshInstancesGiveIdenticalOutcomes() throws {
        let pooling = ContractRuntime()
        let fresh = ContractRuntime()
        let module = try pooling.load(code: try Fixtures.contract("channels"))
        let payer = Account(1)
        let payee = Account(2)
        let storage = MemoryStorage()
        let context = Fixtures.context(caller: payer.address, attachedFunds: 500, contractBalance: 500)
        let open = ChannelsABI.open(payee: payee.address, expiry: 1_000, clientTunnelKey: [UInt8](repeating: 3, count: 32))
        let forged = ChannelsABI.signedAmount(1, 10, [UInt8](repeating: 1, count: 64))
        // Aborts deep in the call stack and out-of-fuel stops leave the stack pointer and memory
        // dirty; the calls after them must not notice.
        let calls: [(String, [UInt8], UInt64)] = [
            ("open", open, 1_000_000), ("redeem", forged, 1_000_000), ("open", open, 20_000),
            ("open", Array(open.dropLast()), 1_000_000), ("get", ChannelsABI.channel(1), 1_000_000),
            ("open", open, 1_000_000), ("open", open, 3_000), ("open", open, 1_000_000),
        ]
        for (method, arguments, fuel) in calls {
            let reused = pooling.call(module, method: method, arguments: arguments, context: context, storage: storage, fuel: fuel)
            let unpooled = fresh.call(module, method: method, arguments: arguments, context: context, storage: storage, fuel: fuel)
            #expect(reused == unpooled, "\(method) with \(fuel) fuel")
        }
    }
}
