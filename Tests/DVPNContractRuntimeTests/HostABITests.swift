import DVPNContractRuntime
import Testing

/// Each host ABI function, exercised through the probe module.
@Suite struct HostABITests {
    let probe: Probe
    let key: [UInt8] = Array("somekey!".utf8)

    init() throws {
        probe = try Probe()
    }

    private func call(
        _ method: String, _ arguments: [UInt8] = [], storage: MemoryStorage = MemoryStorage(),
        context: ContractContext = Fixtures.context()
    ) -> CallOutcome {
        probe.call(method, arguments, storage: storage, context: context)
    }

    @Test func inputReadAndReturnDataRoundTrip() {
        let arguments: [UInt8] = (0..<200).map { UInt8($0) }
        #expect(call("echo", arguments).status == .success(returnData: arguments))
        #expect(call("echo", []).status == .success(returnData: []))
    }

    @Test func storageSetIsJournaledAndReturnedSorted() {
        let outcome = call("put", key + [1, 2, 3])
        #expect(outcome.succeeded)
        #expect(outcome.writes == [StorageWrite(key: key, value: [1, 2, 3])])
    }

    @Test func storageGetReadsTheLedgerAndTheCallsOwnWrites() {
        var storage = MemoryStorage()
        #expect(call("get", key, storage: storage).status == .success(returnData: [0]), "absent")
        storage.values[key] = [4, 5]
        #expect(call("get", key, storage: storage).status == .success(returnData: [1, 4, 5]))
        storage.values[key] = []
        #expect(call("get", key, storage: storage).status == .success(returnData: [1]), "present but empty")
        let overlaid = call("putThenGet", key + [6, 7, 8], storage: storage)
        #expect(overlaid.status == .success(returnData: [6, 7, 8]), "a read sees the call's own write")
    }

    @Test func storageGetReportsTheFullLengthAndCopiesWhatFits() {
        var storage = MemoryStorage()
        storage.values[key] = Array(1...10)
        let outcome = call("getIntoSmallBuffer", key, storage: storage)
        #expect(outcome.status == .success(returnData: .littleEndian(UInt32(10)) + [1, 2, 3, 4]))
    }

    @Test func storageDeleteIsAWriteOfNil() {
        var storage = MemoryStorage()
        storage.values[key] = [1]
        let outcome = call("delete", key, storage: storage)
        #expect(outcome.writes == [StorageWrite(key: key, value: nil)])
        storage.apply(outcome.writes)
        #expect(storage.values[key] == nil)
    }

    @Test func callerFundsBalanceHeightTimeAndChainID() {
        let caller = [UInt8](repeating: 0x42, count: 32)
        let context = Fixtures.context(
            caller: caller, attachedFunds: 25, contractBalance: 1_000, blockHeight: 77, blockTime: 1_700_000_123,
            chainID: "dvpn-devnet-7")
        guard case .success(let data) = call("environment", context: context).status else {
            Issue.record("environment failed")
            return
        }
        #expect(Array(data[0..<32]) == caller)
        #expect(data.littleEndianInteger(at: 32, as: UInt64.self) == 25)
        #expect(data.littleEndianInteger(at: 40, as: UInt64.self) == 1_000)
        #expect(data.littleEndianInteger(at: 48, as: UInt64.self) == 77)
        #expect(data.littleEndianInteger(at: 56, as: UInt64.self) == 1_700_000_123)
        #expect(String(decoding: data[64...], as: UTF8.self) == "dvpn-devnet-7")
    }

    @Test func transferPaysOutOfTheBalanceAndNeverBeyondIt() {
        let recipient = [UInt8](repeating: 0x11, count: 32)
        let context = Fixtures.context(contractBalance: 1_000)
        let paid = call("pay", recipient + .littleEndian(UInt64(400)), context: context)
        #expect(paid.status == .success(returnData: .littleEndian(UInt64(600))), "balance seen after the transfer")
        #expect(paid.transfers == [ContractTransfer(to: recipient, amount: 400)])

        let all = call("pay", recipient + .littleEndian(UInt64(1_000)), context: context)
        #expect(all.transfers == [ContractTransfer(to: recipient, amount: 1_000)])

        let over = call("pay", recipient + .littleEndian(UInt64(1_001)), context: context)
        guard case .failure(let error) = over.status else {
            Issue.record("overdraft succeeded")
            return
        }
        #expect(error.code == .insufficientBalance)
        #expect(over.transfers.isEmpty)
    }

    @Test func emitEventRecordsTopicAndData() {
        let topic = Array("channel.open".utf8)
        let data: [UInt8] = [1, 2, 3, 4, 5]
        let outcome = call("event", .littleEndian(UInt32(topic.count)) + topic + data)
        #expect(outcome.events == [ContractEvent(topic: topic, data: data)])
    }

    @Test func abortEndsTheCallWithTheMessage() {
        #expect(call("refuse").status == .failure(ContractRuntimeError(.aborted, "contract says no")))
    }

    @Test func schnorrVerifyChecksBIP340SignaturesOverTheFullMessage() {
        let signer = Account(5)
        let message = Array("a voucher, or anything else".utf8)
        let signature = signer.sign(message)
        #expect(call("verify", signer.address + signature + message).status == .success(returnData: [1]))
        #expect(call("verify", signer.address + signature + message.dropLast()).status == .success(returnData: [0]))
        #expect(call("verify", Account(6).address + signature + message).status == .success(returnData: [0]))
        var tampered = signature
        tampered[10] ^= 1
        #expect(call("verify", signer.address + tampered + message).status == .success(returnData: [0]))
        // Bytes that are not a key or a signature at all verify as false; they do not fail the call.
        let notAKey = [UInt8](repeating: 0xFF, count: 32)
        #expect(call("verify", notAKey + signature + message).status == .success(returnData: [0]))
        let garbage = [UInt8](repeating: 0x02, count: 64)
        #expect(call("verify", signer.address + garbage + message).status == .success(returnData: [0]))
    }
}
