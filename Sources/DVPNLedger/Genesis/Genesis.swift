import DVPNCrypto

/// The first state of a chain, agreed by every node out of band: the chain id, the time, the
/// validators, the initial balances, the contracts (by SHA-256 of their WebAssembly code) and the
/// parameters. Its hash is the `previousBlockHash` of block 1, so a node with another genesis
/// rejects the chain at its first block.
public struct Genesis: Hashable, Sendable {
    public var chainID: String
    public var genesisTime: Timestamp
    public var validators: ValidatorSet
    /// Sorted by address, one entry per address.
    public var balances: [GenesisBalance]
    /// Sorted by name, one entry per name.
    public var contracts: [GenesisContract]
    public var params: ChainParameters

    /// Validates and normalises (sorts) the parts.
    public init(chainID: String, genesisTime: Timestamp, validators: ValidatorSet, balances: [GenesisBalance],
                contracts: [GenesisContract], params: ChainParameters) throws(LedgerError) {
        try SigningDomain.validateChainID(chainID)
        try params.validate()
        guard validators.version == 0 else { throw LedgerError(.ruleViolation, "the genesis validator set has version 0") }
        let balances = balances.sorted { Schnorr.PublicKey.byBytes($0.address.publicKey, $1.address.publicKey) }
        guard isStrictlySorted(balances.map(\.address.publicKey)) else {
            throw LedgerError(.ruleViolation, "genesis lists an account balance twice")
        }
        _ = try Amount.sum(balances.map(\.amount))
        let contracts = contracts.sorted { $0.name < $1.name }
        for (a, b) in zip(contracts, contracts.dropFirst()) where a.name == b.name {
            throw LedgerError(.ruleViolation, "genesis pins contract \"\(a.name)\" twice")
        }
        for c in contracts { try Genesis.validateContractName(c.name) }
        self.chainID = chainID
        self.genesisTime = genesisTime
        self.validators = validators
        self.balances = balances
        self.contracts = contracts
        self.params = params
    }

    /// The sum of the initial balances: what balances + contract escrow + burned fees always equal.
    public var totalSupply: Amount {
        // Checked in init.
        (try? Amount.sum(balances.map(\.amount))) ?? .zero
    }

    /// The SHA-256 genesis pins for contract `name`, if any.
    public func codeHash(ofContract name: String) -> Hash256? {
        contracts.first { $0.name == name }?.codeSHA256
    }

    /// Tagged SHA-256 of the canonical encoding (not of the JSON text, whose layout is free).
    public var hash: Hash256 { Hash256.tagged("dvpn/genesis", canonicalBytes) }

    static func validateContractName(_ name: String) throws(LedgerError) {
        let ok = !name.isEmpty && name.utf8.count <= LedgerLimits.contractNameMaxLength && name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
        guard ok else {
            throw LedgerError(.outOfRange, "contract name \"\(name.prefix(80))\" must be 1–\(LedgerLimits.contractNameMaxLength) characters of a-z 0-9 _")
        }
    }
}

/// An account's balance at genesis.
public struct GenesisBalance: Hashable, Sendable {
    public var address: AccountAddress
    public var amount: Amount

    public init(address: AccountAddress, amount: Amount) {
        self.address = address
        self.amount = amount
    }
}

/// A contract genesis pins: its name and the SHA-256 of its WebAssembly code.
public struct GenesisContract: Hashable, Sendable {
    public var name: String
    public var codeSHA256: Hash256

    public init(name: String, codeSHA256: Hash256) {
        self.name = name
        self.codeSHA256 = codeSHA256
    }
}

extension GenesisBalance: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(address)
        encoder.encode(amount)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        address = try decoder.decode(AccountAddress.self)
        amount = try decoder.decode(Amount.self)
    }
}

extension GenesisContract: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: name, maxLength: LedgerLimits.contractNameMaxLength)
        encoder.encode(codeSHA256)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        name = try decoder.decodeString(maxLength: LedgerLimits.contractNameMaxLength)
        codeSHA256 = try decoder.decode(Hash256.self)
    }
}

extension Genesis: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: chainID, maxLength: LedgerLimits.chainIDMaxLength)
        encoder.encode(genesisTime)
        encoder.encode(validators)
        encoder.encode(array: balances, maxCount: LedgerLimits.maxGenesisAccounts)
        encoder.encode(array: contracts, maxCount: LedgerLimits.maxGenesisContracts)
        encoder.encode(params)
    }

    /// Strict: the lists must already be in canonical order.
    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let chainID = try decoder.decodeString(maxLength: LedgerLimits.chainIDMaxLength)
        let time = try decoder.decode(Timestamp.self)
        let validators = try decoder.decode(ValidatorSet.self)
        let balances = try decoder.decodeArray(of: GenesisBalance.self, maxCount: LedgerLimits.maxGenesisAccounts)
        let contracts = try decoder.decodeArray(of: GenesisContract.self, maxCount: LedgerLimits.maxGenesisContracts)
        let params = try decoder.decode(ChainParameters.self)
        try self.init(chainID: chainID, genesisTime: time, validators: validators, balances: balances, contracts: contracts, params: params)
        guard self.balances == balances, self.contracts == contracts else {
            throw LedgerError(.malformedEncoding, "genesis balances or contracts are not in canonical order")
        }
    }
}
