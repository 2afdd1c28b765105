import DVPNContractRuntime
import DVPNLedger
import Testing

/// The registry contract on the compiled `Contracts/build/registry.wasm`.
@Suite struct RegistryContractTests {
    /// An operator's terms as `register`/`update` take them (Contracts/README.md).
    struct Terms {
        var country = "DE"
        var pricePerGiB: UInt64 = 50_000
        var pricePerHour: UInt64? = nil
        var bandwidth: UInt64 = 100_000_000
        var endpoint = "vpn.example.org:51820"
        var tunnelKey = [UInt8](repeating: 0x5A, count: 32)
        var services = ["wireguard"]

        var encoded: [UInt8] {
            var encoder = CanonicalEncoder()
            encoder.encode(fixed: Array(country.utf8), count: 2)
            encoder.encode(pricePerGiB)
            encoder.encode(optional: pricePerHour)
            encoder.encode(bandwidth)
            encoder.encode(string: endpoint, maxLength: 1024)
            encoder.encode(fixed: tunnelKey, count: 32)
            encoder.encode(array: services, maxCount: 64) { $0.encode(string: $1, maxLength: 1024) }
            return encoder.bytes
        }
    }

    /// An offer record as `get` returns it.
    struct Record: Equatable {
        var owner: [UInt8]
        var country: String
        var pricePerGiB: UInt64
        var pricePerHour: UInt64?
        var bandwidth: UInt64
        var endpoint: String
        var tunnelKey: [UInt8]
        var services: [String]
        var registeredAt: UInt64
        var lastHeartbeat: UInt64
        var staleAfter: UInt64

        init(_ bytes: [UInt8]) throws {
            var decoder = CanonicalDecoder(bytes)
            owner = try decoder.decodeFixed(count: 32)
            country = String(decoding: try decoder.decodeFixed(count: 2), as: UTF8.self)
            pricePerGiB = try decoder.decodeUInt64()
            pricePerHour = try decoder.decodeBool() ? try decoder.decodeUInt64() : nil
            bandwidth = try decoder.decodeUInt64()
            endpoint = try decoder.decodeString(maxLength: 255)
            tunnelKey = try decoder.decodeFixed(count: 32)
            let count = try decoder.decodeUInt32()
            services = try (0..<count).map { _ in try decoder.decodeString(maxLength: 32) }
            registeredAt = try decoder.decodeUInt64()
            lastHeartbeat = try decoder.decodeUInt64()
            staleAfter = try decoder.decodeUInt64()
            try decoder.finish()
        }
    }

    let alice = Account(1)
    let bob = Account(2)
    let carol = Account(3)
    var ledger: LedgerModel

    init() throws {
        ledger = try LedgerModel(contract: "registry")
        ledger.balances = [alice.address: 100, bob.address: 100, carol.address: 100]
    }

    private mutating func register(_ terms: Terms, as account: Account) -> CallOutcome? {
        ledger.call("register", terms.encoded, from: account.address)
    }

    private mutating func get(_ owner: Account) throws -> Record? {
        guard case .success(let bytes) = ledger.call("get", owner.address, from: carol.address)?.status else { return nil }
        return try Record(bytes)
    }

    private mutating func list(start: UInt32, limit: UInt32) throws -> (total: UInt32, offers: [Record]) {
        var arguments = CanonicalEncoder()
        arguments.encode(start)
        arguments.encode(limit)
        guard case .success(let bytes) = ledger.call("list", arguments.bytes, from: carol.address)?.status else {
            throw LedgerError(.ruleViolation, "list failed")
        }
        var decoder = CanonicalDecoder(bytes)
        let total = try decoder.decodeUInt32()
        let count = try decoder.decodeUInt32()
        let offers = try (0..<count).map { _ in try Record(try decoder.decodeBytes(maxLength: 4096)) }
        try decoder.finish()
        return (total, offers)
    }

    @Test mutating func registerStoresTheOfferUnderTheCallersAccount() throws {
        ledger.height = 40
        var terms = Terms()
        terms.pricePerHour = 2_000
        terms.services = ["wireguard", "ipv6"]
        let outcome = register(terms, as: alice)
        #expect(outcome?.succeeded == true, "\(String(describing: outcome?.status))")
        #expect(outcome?.events.map(\.topic) == [Array("offer.register".utf8)])
        let record = try #require(try get(alice))
        #expect(record.owner == alice.address)
        #expect(record.country == "DE" && record.pricePerGiB == 50_000 && record.pricePerHour == 2_000)
        #expect(record.bandwidth == 100_000_000 && record.endpoint == "vpn.example.org:51820")
        #expect(record.services == ["wireguard", "ipv6"] && record.tunnelKey == terms.tunnelKey)
        #expect(record.registeredAt == 40 && record.lastHeartbeat == 40 && record.staleAfter == 1_040)
        #expect(register(terms, as: alice)?.failureCode == .aborted, "one offer per account")
        #expect(try get(bob) == nil)
    }

    @Test mutating func termsAreValidated() {
        var bad: [Terms] = []
        for country in ["XX", "de", "UK", "D"] {
            var terms = Terms()
            terms.country = country.count == 2 ? country : "D\u{0}"
            bad.append(terms)
        }
        var terms = Terms()
        terms.pricePerGiB = 0
        bad.append(terms)
        terms = Terms()
        terms.pricePerHour = 0
        bad.append(terms)
        terms = Terms()
        terms.bandwidth = 0
        bad.append(terms)
        for endpoint in ["vpn.example.org", "vpn.example.org:0", "vpn.example.org:65536", "host:01", ":51820",
                         "::1:51820", "a b:1", String(repeating: "a", count: 250) + ":51820"] {
            terms = Terms()
            terms.endpoint = endpoint
            bad.append(terms)
        }
        terms = Terms()
        terms.tunnelKey = [UInt8](repeating: 0, count: 32)
        bad.append(terms)
        for services in [["WireGuard"], ["a", "a"], [""], (0..<9).map { "s\($0)" }] {
            terms = Terms()
            terms.services = services
            bad.append(terms)
        }
        for terms in bad {
            #expect(register(terms, as: alice)?.failureCode == .aborted, "accepted \(terms)")
        }
        var good = Terms()
        good.country = "GB"
        good.endpoint = "[2001:db8::1]:443"
        good.services = []
        #expect(register(good, as: alice)?.succeeded == true)
        // Non-canonical encodings are refused too: a trailing byte, an optional tag of 2.
        #expect(ledger.call("update", good.encoded + [0], from: alice.address)?.failureCode == .aborted)
        var badTag = good.encoded
        badTag[10] = 2
        #expect(ledger.call("update", badTag, from: alice.address)?.failureCode == .aborted)
    }

    @Test mutating func onlyTheOwnerUpdatesWithdrawsAndHeartbeats() throws {
        #expect(register(Terms(), as: alice)?.succeeded == true)
        var cheaper = Terms()
        cheaper.pricePerGiB = 10_000
        #expect(ledger.call("update", cheaper.encoded, from: bob.address)?.failureCode == .aborted)
        ledger.height = 500
        #expect(ledger.call("update", cheaper.encoded, from: alice.address)?.succeeded == true)
        #expect(try get(alice)?.pricePerGiB == 10_000)
        #expect(try get(alice)?.staleAfter == 1_500)
        ledger.height = 900
        #expect(ledger.call("heartbeat", [], from: bob.address)?.failureCode == .aborted)
        #expect(ledger.call("heartbeat", [], from: alice.address)?.succeeded == true)
        #expect(try get(alice)?.lastHeartbeat == 900)
        #expect(try get(alice)?.registeredAt == 1)
        #expect(ledger.call("withdraw", [], from: bob.address)?.failureCode == .aborted)
        #expect(ledger.call("withdraw", [], from: alice.address)?.succeeded == true)
        #expect(try get(alice) == nil)
        #expect(register(Terms(), as: alice)?.succeeded == true, "can register again after withdrawing")
    }

    @Test mutating func listPagesThroughAllOffersAndSurvivesWithdrawals() throws {
        let accounts = (10..<17).map { Account(UInt8($0)) }
        for (index, account) in accounts.enumerated() {
            var terms = Terms()
            terms.pricePerGiB = UInt64(1_000 + index)
            #expect(register(terms, as: account)?.succeeded == true)
        }
        let firstPage = try list(start: 0, limit: 4)
        let secondPage = try list(start: 4, limit: 4)
        #expect(firstPage.total == 7 && firstPage.offers.count == 4 && secondPage.offers.count == 3)
        #expect(Set((firstPage.offers + secondPage.offers).map(\.owner)) == Set(accounts.map(\.address)))
        #expect(try list(start: 7, limit: 4).offers.isEmpty)
        #expect(try list(start: 100, limit: 4).offers.isEmpty)

        #expect(ledger.call("withdraw", [], from: accounts[1].address)?.succeeded == true)
        #expect(ledger.call("withdraw", [], from: accounts[6].address)?.succeeded == true)
        let remaining = try list(start: 0, limit: 100)
        #expect(remaining.total == 5)
        #expect(Set(remaining.offers.map(\.owner)) == Set([0, 2, 3, 4, 5].map { accounts[$0].address }))
    }

    @Test mutating func methodsRefuseAttachedFunds() {
        #expect(ledger.call("register", Terms().encoded, from: alice.address, attaching: 1)?.failureCode == .aborted)
        #expect(ledger.contractBalance == 0)
    }
}
