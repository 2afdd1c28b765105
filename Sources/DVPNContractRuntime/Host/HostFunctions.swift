import WasmKit

/// The host ABI's implementations, reaching the call in progress through a ``HostBinding``.
///
/// Every function charges its fuel (``FuelSchedule``) before doing the work it is charged for, and
/// validates pointers and lengths before touching memory. Any failure throws ``HostFailure``,
/// which ends the call. `Contracts/README.md` documents the same behaviour for contract authors.
enum HostFunctions {
    typealias RawBody = (borrowing Caller, UnsafeBufferPointer<Value>, UnsafeMutableBufferPointer<Value>) throws -> Void
    typealias Body = (HostEnvironment, borrowing Caller, UnsafeBufferPointer<Value>, UnsafeMutableBufferPointer<Value>) throws -> Void

    /// The import object for a store: every host ABI function under module `dvpn`.
    static func imports(store: Store, binding: HostBinding) -> Imports {
        var imports = Imports()
        for entry in HostABI.all {
            let body = self.body(for: entry)
            let function = Function(
                store: store, parameters: entry.parameters, results: entry.results,
                raw: { caller, args, out in try body(try binding.current(), caller, args, out) })
            imports.define(module: HostABI.moduleName, name: entry.name, function)
        }
        return imports
    }

    private static func body(for entry: HostABI.Entry) -> Body {
        switch entry.name {
        case HostABI.inputLength.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i32(UInt32(this.arguments.count))
            }
        case HostABI.inputRead.name:
            return { this, caller, args, _ in
                try this.charge(FuelSchedule.hostCallBase + UInt64(this.arguments.count) * FuelSchedule.perByteCopied, store: caller.store)
                try this.write(this.arguments, at: args[0].i32)
            }
        case HostABI.returnData.name:
            return { this, caller, args, _ in
                let count = try this.length(args[1].i32, limit: this.limits.maxReturnDataSize, what: "return data")
                try this.charge(FuelSchedule.hostCallBase + UInt64(count) * FuelSchedule.perByteCopied, store: caller.store)
                this.journal.setReturnData(try this.read(args[0].i32, count))
            }
        case HostABI.storageGet.name:
            return { this, caller, args, out in
                try this.charge(FuelSchedule.storageRead, store: caller.store)
                let key = try this.read(args[0].i32, this.length(args[1].i32, limit: this.limits.maxStorageKeySize, what: "storage key"))
                let value = this.journal.value(forKey: key, base: this.storage)
                let copied = min(value?.count ?? 0, Int(args[3].i32))
                try this.charge(UInt64(key.count + copied) * FuelSchedule.perByteCopied, store: caller.store)
                guard let value else {
                    out[0] = .i32(UInt32.max)
                    return
                }
                try this.write(value.prefix(copied), at: args[2].i32)
                out[0] = .i32(UInt32(value.count))
            }
        case HostABI.storageSet.name:
            return { this, caller, args, _ in
                let keyCount = try this.length(args[1].i32, limit: this.limits.maxStorageKeySize, what: "storage key")
                let valueCount = try this.length(args[3].i32, limit: this.limits.maxStorageValueSize, what: "storage value")
                try this.charge(
                    FuelSchedule.storageWrite + UInt64(keyCount + valueCount) * FuelSchedule.perStoredByte, store: caller.store)
                let key = try this.read(args[0].i32, keyCount)
                this.journal.set(try this.read(args[2].i32, valueCount), forKey: key)
            }
        case HostABI.storageDelete.name:
            return { this, caller, args, _ in
                let keyCount = try this.length(args[1].i32, limit: this.limits.maxStorageKeySize, what: "storage key")
                try this.charge(FuelSchedule.storageWrite + UInt64(keyCount) * FuelSchedule.perStoredByte, store: caller.store)
                this.journal.set(nil, forKey: try this.read(args[0].i32, keyCount))
            }
        case HostABI.caller.name:
            return { this, caller, args, _ in
                try this.charge(FuelSchedule.hostCallBase + UInt64(this.context.caller.count), store: caller.store)
                try this.write(this.context.caller, at: args[0].i32)
            }
        case HostABI.attachedFunds.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(this.context.attachedFunds)
            }
        case HostABI.contractBalance.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(this.availableBalance)
            }
        case HostABI.transfer.name:
            return { this, caller, args, _ in
                try this.charge(FuelSchedule.transfer, store: caller.store)
                let recipient = try this.read(args[0].i32, 32)
                let amount = args[1].i64
                guard amount <= this.availableBalance else {
                    throw HostFailure(
                        .insufficientBalance, "transfer of \(amount) udvpn exceeds the contract's \(this.availableBalance)")
                }
                guard amount > 0 else { return }
                guard this.journal.transfers.count < this.limits.maxTransfers else {
                    throw HostFailure(.limitExceeded, "more than \(this.limits.maxTransfers) transfers")
                }
                this.journal.transfer(to: recipient, amount: amount)
            }
        case HostABI.schnorrVerify.name:
            return { this, caller, args, out in
                let messageCount = try this.length(args[2].i32, limit: this.limits.maxArgumentSize, what: "signed message")
                try this.charge(
                    FuelSchedule.schnorrVerify + UInt64(messageCount) * FuelSchedule.perByteCopied, store: caller.store)
                let key = try this.read(args[0].i32, 32)
                let message = try this.read(args[1].i32, messageCount)
                let signature = try this.read(args[3].i32, 64)
                let valid = SchnorrVerification.isValid(publicKey: key, message: message, signature: signature)
                out[0] = .i32(valid ? 1 : 0)
            }
        case HostABI.blockHeight.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(this.context.blockHeight)
            }
        case HostABI.blockTime.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i64(this.context.blockTime)
            }
        case HostABI.chainIDLength.name:
            return { this, caller, _, out in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                out[0] = .i32(UInt32(this.context.chainID.utf8.count))
            }
        case HostABI.chainIDRead.name:
            return { this, caller, args, _ in
                let bytes = Array(this.context.chainID.utf8)
                try this.charge(FuelSchedule.hostCallBase + UInt64(bytes.count) * FuelSchedule.perByteCopied, store: caller.store)
                try this.write(bytes, at: args[0].i32)
            }
        case HostABI.emitEvent.name:
            return { this, caller, args, _ in
                let topicCount = try this.length(args[1].i32, limit: this.limits.maxEventTopicSize, what: "event topic")
                let dataCount = try this.length(args[3].i32, limit: this.limits.maxEventDataSize, what: "event data")
                guard this.journal.events.count < this.limits.maxEvents else {
                    throw HostFailure(.limitExceeded, "more than \(this.limits.maxEvents) events")
                }
                try this.charge(
                    FuelSchedule.event + UInt64(topicCount + dataCount) * FuelSchedule.perStoredByte, store: caller.store)
                let topic = try this.read(args[0].i32, topicCount)
                this.journal.emit(ContractEvent(topic: topic, data: try this.read(args[2].i32, dataCount)))
            }
        case HostABI.abort.name:
            return { this, caller, args, _ in
                try this.charge(FuelSchedule.hostCallBase, store: caller.store)
                let count = min(args[1].i32, UInt32(this.limits.maxAbortMessageSize))
                let message = String(decoding: try this.read(args[0].i32, count), as: UTF8.self)
                throw HostFailure(.aborted, message)
            }
        default:
            preconditionFailure("host ABI entry \(entry.name) has no implementation")
        }
    }
}
