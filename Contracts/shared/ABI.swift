// The contract side of the dvpn host ABI (Contracts/README.md), shared by every contract.
//
// Host functions are imported from the wasm module "dvpn"; this file wraps them in a small Swift
// API over byte arrays, plus a canonical encoder and decoder (big-endian integers, UInt32
// big-endian length prefixes) matching the ledger's encoding. Anything malformed aborts the call
// with a message, which reverts it.

// MARK: - Imports

@_extern(wasm, module: "dvpn", name: "input_len") @_extern(c)
func dvpn_input_len() -> UInt32
@_extern(wasm, module: "dvpn", name: "input_read") @_extern(c)
func dvpn_input_read(_ destination: UnsafeMutableRawPointer?)
@_extern(wasm, module: "dvpn", name: "return_data") @_extern(c)
func dvpn_return_data(_ pointer: UnsafeRawPointer?, _ count: UInt32)
@_extern(wasm, module: "dvpn", name: "storage_get") @_extern(c)
func dvpn_storage_get(
    _ key: UnsafeRawPointer?, _ keyCount: UInt32, _ destination: UnsafeMutableRawPointer?, _ capacity: UInt32
) -> UInt32
@_extern(wasm, module: "dvpn", name: "storage_set") @_extern(c)
func dvpn_storage_set(_ key: UnsafeRawPointer?, _ keyCount: UInt32, _ value: UnsafeRawPointer?, _ valueCount: UInt32)
@_extern(wasm, module: "dvpn", name: "storage_delete") @_extern(c)
func dvpn_storage_delete(_ key: UnsafeRawPointer?, _ keyCount: UInt32)
@_extern(wasm, module: "dvpn", name: "caller") @_extern(c)
func dvpn_caller(_ destination: UnsafeMutableRawPointer?)
@_extern(wasm, module: "dvpn", name: "attached_funds") @_extern(c)
func dvpn_attached_funds() -> UInt64
@_extern(wasm, module: "dvpn", name: "contract_balance") @_extern(c)
func dvpn_contract_balance() -> UInt64
@_extern(wasm, module: "dvpn", name: "transfer") @_extern(c)
func dvpn_transfer(_ recipient: UnsafeRawPointer?, _ amount: UInt64)
@_extern(wasm, module: "dvpn", name: "schnorr_verify") @_extern(c)
func dvpn_schnorr_verify(
    _ publicKey: UnsafeRawPointer?, _ message: UnsafeRawPointer?, _ messageCount: UInt32,
    _ signature: UnsafeRawPointer?
) -> UInt32
@_extern(wasm, module: "dvpn", name: "block_height") @_extern(c)
func dvpn_block_height() -> UInt64
@_extern(wasm, module: "dvpn", name: "block_time") @_extern(c)
func dvpn_block_time() -> UInt64
@_extern(wasm, module: "dvpn", name: "chain_id_len") @_extern(c)
func dvpn_chain_id_len() -> UInt32
@_extern(wasm, module: "dvpn", name: "chain_id_read") @_extern(c)
func dvpn_chain_id_read(_ destination: UnsafeMutableRawPointer?)
@_extern(wasm, module: "dvpn", name: "emit_event") @_extern(c)
func dvpn_emit_event(_ topic: UnsafeRawPointer?, _ topicCount: UInt32, _ data: UnsafeRawPointer?, _ dataCount: UInt32)
@_extern(wasm, module: "dvpn", name: "abort") @_extern(c)
func dvpn_abort(_ message: UnsafeRawPointer?, _ count: UInt32)

// MARK: - Host

/// The host ABI as Swift: every call the contract can make outside its own memory.
enum Host {
    /// The call's argument bytes.
    static func arguments() -> [UInt8] {
        let count = Int(dvpn_input_len())
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            dvpn_input_read(UnsafeMutableRawPointer(buffer.baseAddress))
            initialized = count
        }
    }

    /// Sets the bytes the call returns.
    static func returnData(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { dvpn_return_data($0.baseAddress, UInt32(truncatingIfNeeded: $0.count)) }
    }

    /// The value under `key`, or nil. Values the contracts store are small: one read into a
    /// 256-byte buffer usually suffices, a second one fetches anything longer.
    static func load(_ key: [UInt8]) -> [UInt8]? {
        var count = 0
        var value = [UInt8](unsafeUninitializedCapacity: 256) { buffer, initialized in
            count = read(key, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count < 0 ? 0 : min(count, 256)
        }
        if count < 0 { return nil }
        if count > 256 {
            value = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = read(key, into: UnsafeMutableRawBufferPointer(buffer))
            }
        }
        return value
    }

    /// storage_get into `buffer`: the value's length, or -1 when absent.
    private static func read(_ key: [UInt8], into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = key.withUnsafeBytes { k in
            dvpn_storage_get(k.baseAddress, UInt32(truncatingIfNeeded: k.count), buffer.baseAddress, UInt32(truncatingIfNeeded: buffer.count))
        }
        return count == UInt32.max ? -1 : Int(count)
    }

    static func store(_ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                dvpn_storage_set(k.baseAddress, UInt32(truncatingIfNeeded: k.count), v.baseAddress, UInt32(truncatingIfNeeded: v.count))
            }
        }
    }

    static func delete(_ key: [UInt8]) {
        key.withUnsafeBytes { dvpn_storage_delete($0.baseAddress, UInt32(truncatingIfNeeded: $0.count)) }
    }

    /// The transaction's sender (32-byte x-only key).
    static func caller() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buffer, initialized in
            dvpn_caller(UnsafeMutableRawPointer(buffer.baseAddress))
            initialized = 32
        }
    }

    static var attachedFunds: UInt64 { dvpn_attached_funds() }
    static var contractBalance: UInt64 { dvpn_contract_balance() }
    static var blockHeight: UInt64 { dvpn_block_height() }
    static var blockTime: UInt64 { dvpn_block_time() }

    /// Pays `amount` udvpn out of the contract's balance; the host reverts the call on overdraft.
    static func transfer(to recipient: [UInt8], amount: UInt64) {
        recipient.withUnsafeBytes { dvpn_transfer($0.baseAddress, amount) }
    }

    /// BIP340 verification of `signature` by `publicKey` over `message`.
    static func isValidSignature(_ signature: [UInt8], by publicKey: [UInt8], for message: [UInt8]) -> Bool {
        guard publicKey.count == 32, signature.count == 64 else { return false }
        return publicKey.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                signature.withUnsafeBytes { s in
                    dvpn_schnorr_verify(k.baseAddress, m.baseAddress, UInt32(truncatingIfNeeded: m.count), s.baseAddress) == 1
                }
            }
        }
    }

    /// The chain id's UTF-8 bytes.
    static func chainID() -> [UInt8] {
        let count = Int(dvpn_chain_id_len())
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            dvpn_chain_id_read(UnsafeMutableRawPointer(buffer.baseAddress))
            initialized = count
        }
    }

    static func emit(_ topic: StaticString, _ data: [UInt8]) {
        data.withUnsafeBytes { d in
            dvpn_emit_event(topic.utf8Start, UInt32(truncatingIfNeeded: topic.utf8CodeUnitCount), d.baseAddress, UInt32(truncatingIfNeeded: d.count))
        }
    }

    /// Ends the call with `message`, reverting everything it did.
    static func abort(_ message: StaticString) -> Never {
        dvpn_abort(message.utf8Start, UInt32(truncatingIfNeeded: message.utf8CodeUnitCount))
        // The host never returns from abort; trap in case it ever did.
        fatalError()
    }

    /// Aborts with `message` unless `condition` holds.
    static func require(_ condition: Bool, _ message: StaticString) {
        if !condition { abort(message) }
    }

    /// Aborts if the call carries funds: only methods that take a deposit may accept them, or
    /// they would be locked in the contract with no owner.
    static func requireNoFunds() {
        require(attachedFunds == 0, "this method does not accept funds")
    }
}

// MARK: - Canonical encoding

/// Builds canonical bytes: big-endian integers, UInt32 big-endian length prefixes.
struct Encoder {
    var bytes: [UInt8]

    init() {
        bytes = []
        bytes.reserveCapacity(256)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) { bigEndian(value) }

    mutating func u64(_ value: UInt64) { bigEndian(value) }

    private mutating func bigEndian<T: FixedWidthInteger>(_ value: T) {
        var shift = T.bitWidth
        while shift > 0 {
            shift -= 8
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// Bytes whose length both sides know.
    mutating func fixed(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    /// Bytes with a UInt32 length prefix.
    mutating func lengthPrefixed(_ value: [UInt8]) {
        u32(UInt32(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    /// A string constant with a UInt32 length prefix (the signing-domain tags).
    mutating func lengthPrefixed(_ value: StaticString) {
        u32(UInt32(truncatingIfNeeded: value.utf8CodeUnitCount))
        var pointer = value.utf8Start
        for _ in 0..<value.utf8CodeUnitCount {
            bytes.append(pointer.pointee)
            pointer += 1
        }
    }
}

/// Reads canonical bytes; aborts the call on anything short, oversized or left over.
struct Decoder {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func fixed(_ count: Int) -> [UInt8] {
        Host.require(count <= bytes.count - offset, "arguments are too short")
        let value = Array(bytes[offset..<offset + count])
        offset += count
        return value
    }

    mutating func u8() -> UInt8 {
        Host.require(offset < bytes.count, "arguments are too short")
        offset += 1
        return bytes[offset - 1]
    }

    mutating func u32() -> UInt32 { bigEndian() }

    mutating func u64() -> UInt64 { bigEndian() }

    private mutating func bigEndian<T: FixedWidthInteger>() -> T {
        let count = T.bitWidth / 8
        Host.require(count <= bytes.count - offset, "arguments are too short")
        var value: T = 0
        for index in offset..<offset + count { value = value << 8 | T(bytes[index]) }
        offset += count
        return value
    }

    /// A UInt32-length-prefixed byte string of at most `maxLength` bytes.
    mutating func lengthPrefixed(maxLength: Int) -> [UInt8] {
        let count = u32()
        Host.require(UInt64(count) <= UInt64(maxLength), "a byte string is too long")
        return fixed(Int(count))
    }

    /// A canonical boolean: exactly 0 or 1.
    mutating func bool() -> Bool {
        let value = u8()
        Host.require(value <= 1, "a boolean must be 0 or 1")
        return value == 1
    }

    /// Aborts if bytes are left over: canonical encodings have exactly one form.
    func finish() {
        Host.require(offset == bytes.count, "arguments have trailing bytes")
    }
}

/// Storage key: a short prefix and a suffix.
func storageKey(_ prefix: StaticString, _ suffix: [UInt8]) -> [UInt8] {
    var encoder = Encoder()
    var pointer = prefix.utf8Start
    for _ in 0..<prefix.utf8CodeUnitCount {
        encoder.u8(pointer.pointee)
        pointer += 1
    }
    encoder.fixed(suffix)
    return encoder.bytes
}

/// Big-endian bytes of a UInt64, as used in storage keys.
func bigEndian(_ value: UInt64) -> [UInt8] {
    var encoder = Encoder()
    encoder.u64(value)
    return encoder.bytes
}

/// True when every byte is zero.
func isAllZero(_ bytes: [UInt8]) -> Bool {
    for byte in bytes where byte != 0 { return false }
    return true
}
