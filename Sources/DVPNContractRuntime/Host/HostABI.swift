import WasmKit

/// The host ABI: every function a contract may import, all from the module `"dvpn"`.
///
/// `Contracts/README.md` is the normative description (memory conventions, errors, fuel); this
/// table is its machine form. The validator rejects any import whose name or signature is not in
/// it, so the table is also the complete list of what a contract can reach outside its own memory.
enum HostABI {
    /// The import module name every host function lives under.
    static let moduleName = "dvpn"
    /// The memory export host functions read from and write to.
    static let memoryExportName = "memory"

    /// One importable host function.
    struct Entry: Sendable {
        let name: String
        let parameters: [ValueType]
        let results: [ValueType]

        var type: FunctionType { FunctionType(parameters: parameters, results: results) }
    }

    static let inputLength = Entry(name: "input_len", parameters: [], results: [.i32])
    static let inputRead = Entry(name: "input_read", parameters: [.i32], results: [])
    static let returnData = Entry(name: "return_data", parameters: [.i32, .i32], results: [])
    static let storageGet = Entry(name: "storage_get", parameters: [.i32, .i32, .i32, .i32], results: [.i32])
    static let storageSet = Entry(name: "storage_set", parameters: [.i32, .i32, .i32, .i32], results: [])
    static let storageDelete = Entry(name: "storage_delete", parameters: [.i32, .i32], results: [])
    static let caller = Entry(name: "caller", parameters: [.i32], results: [])
    static let attachedFunds = Entry(name: "attached_funds", parameters: [], results: [.i64])
    static let contractBalance = Entry(name: "contract_balance", parameters: [], results: [.i64])
    static let transfer = Entry(name: "transfer", parameters: [.i32, .i64], results: [])
    static let schnorrVerify = Entry(name: "schnorr_verify", parameters: [.i32, .i32, .i32, .i32], results: [.i32])
    static let blockHeight = Entry(name: "block_height", parameters: [], results: [.i64])
    static let blockTime = Entry(name: "block_time", parameters: [], results: [.i64])
    static let chainIDLength = Entry(name: "chain_id_len", parameters: [], results: [.i32])
    static let chainIDRead = Entry(name: "chain_id_read", parameters: [.i32], results: [])
    static let emitEvent = Entry(name: "emit_event", parameters: [.i32, .i32, .i32, .i32], results: [])
    static let abort = Entry(name: "abort", parameters: [.i32, .i32], results: [])

    static let all: [Entry] = [
        inputLength, inputRead, returnData, storageGet, storageSet, storageDelete, caller,
        attachedFunds, contractBalance, transfer, schnorrVerify, blockHeight, blockTime,
        chainIDLength, chainIDRead, emitEvent, abort,
    ]

    /// Looks an import up by name.
    static func entry(named name: String) -> Entry? {
        all.first { $0.name == name }
    }
}

/// What host calls cost, in the same fuel units WasmKit meters guest code with (roughly one unit
/// per executed WebAssembly operator).
///
/// Each price is a base plus a per-byte part for the bytes the call moves. The bases are set so a
/// call costs at least as much fuel as the interpreter would burn in the same wall-clock time:
/// a BIP340 verification (~50 µs) is worth tens of thousands of interpreted operators, a storage
/// access (a dictionary probe plus a copy) a few hundred. Writes cost more than reads because the
/// ledger keeps what they write.
enum FuelSchedule {
    /// Charged before anything runs: instantiating the module, copying the arguments in.
    static let callBase: UInt64 = 2_000
    /// Every host call, whatever it does.
    static let hostCallBase: UInt64 = 20
    /// Per byte copied between host and guest memory (arguments, chain id, return data).
    static let perByteCopied: UInt64 = 1
    /// A storage read, plus `perByteCopied` for the key and the value.
    static let storageRead: UInt64 = 200
    /// A storage write or delete, plus `perStoredByte` for the key and the value.
    static let storageWrite: UInt64 = 1_000
    /// Per byte of key and value a write leaves in the ledger.
    static let perStoredByte: UInt64 = 4
    /// A transfer out of the contract's balance.
    static let transfer: UInt64 = 500
    /// A BIP340 signature verification, plus `perByteCopied` for the message.
    static let schnorrVerify: UInt64 = 25_000
    /// An event, plus `perStoredByte` for its topic and data.
    static let event: UInt64 = 200
}
