import WasmKit

/// The host ABI's implementations, bound to one call's ``HostEnvironment``.
///
/// Every function charges its fuel (``FuelSchedule``) before doing the work it is charged for, and
/// validates pointers and lengths before touching memory. Any failure throws ``HostFailure``,
/// which ends the call. `Contracts/README.md` documents the same behaviour for contract authors.
extension HostEnvironment {
    typealias RawBody = (borrowing Caller, UnsafeBufferPointer<Value>, UnsafeMutableBufferPointer<Value>) throws -> Void

    /// The import object for a fresh store: every host ABI function under module `dvpn`.
    func imports(store: Store) -> Imports {
        var imports = Imports()
        for entry in HostABI.all {
            let body = self.body(for: entry)
            let function = Function(store: store, parameters: entry.parameters, results: entry.results, raw: body)
            imports.define(module: HostABI.moduleName, name: entry.name, function)
        }
        return imports
    }

    private func body(for entry: HostABI.Entry) -> RawBody {
        switch entry.name {
        case HostABI.inputLength.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i32(UInt32(self.arguments.count))
            }
        case HostABI.inputRead.name:
            return { caller, args, _ in
                try self.charge(FuelSchedule.hostCallBase + UInt64(self.arguments.count) * FuelSchedule.perByteCopied, store: caller.store)
                try self.write(self.arguments, at: args[0].i32)
            }
        case HostABI.returnData.name:
            return { caller, args, _ in
                let count = try self.length(args[1].i32, limit: self.limits.maxReturnDataSize, what: "return data")
                try self.charge(FuelSchedule.hostCallBase + UInt64(count) * FuelSchedule.perByteCopied, store: caller.store)
                self.journal.setReturnData(try self.read(args[0].i32, count))
            }
        case HostABI.storageGet.name:
            return { caller, args, out in
                try self.charge(FuelSchedule.storageRead, store: caller.store)
                let key = try self.read(args[0].i32, self.length(args[1].i32, limit: self.limits.maxStorageKeySize, what: "storage key"))
                let value = self.journal.value(forKey: key, base: self.storage)
                let copied = min(value?.count ?? 0, Int(args[3].i32))
                try self.charge(UInt64(key.count + copied) * FuelSchedule.perByteCopied, store: caller.store)
                guard let value else {
                    out[0] = .i32(UInt32.max)
                    return
                }
                try self.write(value.prefix(copied), at: args[2].i32)
                out[0] = .i32(UInt32(value.count))
            }
        case HostABI.storageSet.name:
            return { caller, args, _ in
                let keyCount = try self.length(args[1].i32, limit: self.limits.maxStorageKeySize, what: "storage key")
                let valueCount = try self.length(args[3].i32, limit: self.limits.maxStorageValueSize, what: "storage value")
                try self.charge(
                    FuelSchedule.storageWrite + UInt64(keyCount + valueCount) * FuelSchedule.perStoredByte, store: caller.store)
                let key = try self.read(args[0].i32, keyCount)
                self.journal.set(try self.read(args[2].i32, valueCount), forKey: key)
            }
        case HostABI.storageDelete.name:
            return { caller, args, _ in
                let keyCount = try self.length(args[1].i32, limit: self.limits.maxStorageKeySize, what: "storage key")
                try self.charge(FuelSchedule.storageWrite + UInt64(keyCount) * FuelSchedule.perStoredByte, store: caller.store)
                self.journal.set(nil, forKey: try self.read(args[0].i32, keyCount))
            }
        case HostABI.caller.name:
            return { caller, args, _ in
                try self.charge(FuelSchedule.hostCallBase + UInt64(self.context.caller.count), store: caller.store)
                try self.write(self.context.caller, at: args[0].i32)
            }
        case HostABI.attachedFunds.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(self.context.attachedFunds)
            }
        case HostABI.contractBalance.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(self.availableBalance)
            }
        case HostABI.transfer.name:
            return { caller, args, _ in
                try self.charge(FuelSchedule.transfer, store: caller.store)
                let recipient = try self.read(args[0].i32, 32)
                let amount = args[1].i64
                guard amount <= self.availableBalance else {
                    throw HostFailure(
                        .insufficientBalance, "transfer of \(amount) udvpn exceeds the contract's \(self.availableBalance)")
                }
                guard amount > 0 else { return }
                guard self.journal.transfers.count < self.limits.maxTransfers else {
                    throw HostFailure(.limitExceeded, "more than \(self.limits.maxTransfers) transfers")
                }
                self.journal.transfer(to: recipient, amount: amount)
            }
        case HostABI.schnorrVerify.name:
            return { caller, args, out in
                let messageCount = try self.length(args[2].i32, limit: self.limits.maxArgumentSize, what: "signed message")
                try self.charge(
                    FuelSchedule.schnorrVerify + UInt64(messageCount) * FuelSchedule.perByteCopied, store: caller.store)
                let key = try self.read(args[0].i32, 32)
                let message = try self.read(args[1].i32, messageCount)
                let signature = try self.read(args[3].i32, 64)
                let valid = SchnorrVerification.isValid(publicKey: key, message: message, signature: signature)
                out[0] = .i32(valid ? 1 : 0)
            }
        case HostABI.blockHeight.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(self.context.blockHeight)
            }
        case HostABI.blockTime.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(self.context.blockTime)
            }
        case HostABI.chainIDLength.name:
            return { caller, _, out in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i32(UInt32(self.context.chainID.utf8.count))
            }
        case HostABI.chainIDRead.name:
            return { caller, args, _ in
                let bytes = Array(self.context.chainID.utf8)
                try self.charge(FuelSchedule.hostCallBase + UInt64(bytes.count) * FuelSchedule.perByteCopied, store: caller.store)
                try self.write(bytes, at: args[0].i32)
            }
        case HostABI.emitEvent.name:
            return { caller, args, _ in
                let topicCount = try self.length(args[1].i32, limit: self.limits.maxEventTopicSize, what: "event topic")
                let dataCount = try self.length(args[3].i32, limit: self.limits.maxEventDataSize, what: "event data")
                guard self.journal.events.count < self.limits.maxEvents else {
                    throw HostFailure(.limitExceeded, "more than \(self.limits.maxEvents) events")
                }
                try self.charge(
                    FuelSchedule.event + UInt64(topicCount + dataCount) * FuelSchedule.perStoredByte, store: caller.store)
                let topic = try self.read(args[0].i32, topicCount)
                self.journal.emit(ContractEvent(topic: topic, data: try self.read(args[2].i32, dataCount)))
            }
        case HostABI.abort.name:
            return { caller, args, _ in
                try self.charge(FuelSchedule.hostCallBase, store: caller.store)
                let count = min(args[1].i32, UInt32(self.limits.maxAbortMessageSize))
                let message = String(decoding: try self.read(args[0].i32, count), as: UTF8.self)
                throw HostFailure(.aborted, message)
            }
        default:
            preconditionFailure("host ABI entry \(entry.name) has no implementation")
        }
    }
}
