// registry: operators' offers, one per ledger account (DESIGN.md, "The three users").
//
// An operator registers the offer its node serves: country, prices, bandwidth, endpoint, tunnel
// key and services. The offer belongs to the account that registered it (the caller); only that
// account can update or withdraw it. Heartbeats keep it fresh: clients treat an offer as stale
// once the chain passes its `staleAfter` height. Offers are indexed densely so that `list` can page
// through them without storage iteration. Arguments and results are canonical bytes
// (Contracts/README.md).

/// Blocks an offer stays fresh after its last registration, update or heartbeat.
let offerLifetime: UInt64 = 1_000
/// Most offers `list` returns in one call.
let maxPageSize: UInt32 = 100
let maxEndpointLength = 255
let maxServices: UInt32 = 8
let maxServiceLength = 32

/// ISO 3166-1 alpha-2: every officially assigned code, two letters each, in order.
let assignedCountryCodes: StaticString = """
    ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ\
    DEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISIT\
    JEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNI\
    NLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTK\
    TLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW
    """

func isAssignedCountryCode(_ code: [UInt8]) -> Bool {
    guard code.count == 2 else { return false }
    var pointer = assignedCountryCodes.utf8Start
    for _ in 0..<assignedCountryCodes.utf8CodeUnitCount / 2 {
        if pointer[0] == code[0] && pointer[1] == code[1] { return true }
        pointer += 2
    }
    return false
}

/// `host:port`: a DNS name or IPv4 address of [A-Za-z0-9.-], or an IPv6 address in brackets, and
/// a decimal port 1–65535 without leading zeros.
func isValidEndpoint(_ endpoint: [UInt8]) -> Bool {
    guard endpoint.count >= 3, endpoint.count <= maxEndpointLength else { return false }
    var colon = -1
    for index in endpoint.indices where endpoint[index] == UInt8(ascii: ":") { colon = index }
    guard colon > 0, colon < endpoint.count - 1 else { return false }
    let host = Array(endpoint[0..<colon])
    let port = Array(endpoint[(colon + 1)...])

    guard port.count <= 5, port[0] != UInt8(ascii: "0") else { return false }
    var value: UInt32 = 0
    for digit in port {
        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return false }
        value = value * 10 + UInt32(digit - UInt8(ascii: "0"))
    }
    guard value <= 65535 else { return false }

    if host[0] == UInt8(ascii: "[") {
        guard host.count > 2, host[host.count - 1] == UInt8(ascii: "]") else { return false }
        for byte in host[1..<(host.count - 1)] {
            let isHex = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
            guard isHex || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") else { return false }
        }
        return true
    }
    // ':' is not allowed here, so an IPv6 address without brackets is refused.
    for byte in host {
        let isAlphanumeric = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        guard isAlphanumeric || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") else { return false }
    }
    return true
}

/// A service name: 1–32 bytes of lowercase letters, digits and '-'.
func isValidService(_ name: [UInt8]) -> Bool {
    guard !name.isEmpty, name.count <= maxServiceLength else { return false }
    for byte in name {
        let ok = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
        guard ok else { return false }
    }
    return true
}

/// What an operator declares: the arguments of `register` and `update`.
struct OfferTerms {
    var country: [UInt8]
    var pricePerGiB: UInt64
    var pricePerHour: UInt64?
    var bandwidth: UInt64
    var endpoint: [UInt8]
    var tunnelKey: [UInt8]
    var services: [[UInt8]]

    /// Decodes and validates; aborts the call on anything malformed or out of range.
    init(decoding decoder: inout Decoder) {
        country = decoder.fixed(2)
        pricePerGiB = decoder.u64()
        pricePerHour = decoder.bool() ? decoder.u64() : nil
        bandwidth = decoder.u64()
        endpoint = decoder.lengthPrefixed(maxLength: maxEndpointLength)
        tunnelKey = decoder.fixed(32)
        let count = decoder.u32()
        Host.require(count <= maxServices, "too many services")
        services = []
        for _ in 0..<count { services.append(decoder.lengthPrefixed(maxLength: maxServiceLength)) }

        Host.require(isAssignedCountryCode(country), "country is not an ISO 3166-1 alpha-2 code")
        Host.require(pricePerGiB > 0, "price per GiB must be positive")
        if let pricePerHour { Host.require(pricePerHour > 0, "price per hour must be positive") }
        Host.require(bandwidth > 0, "bandwidth must be positive")
        Host.require(isValidEndpoint(endpoint), "endpoint must be host:port")
        Host.require(!isAllZero(tunnelKey), "tunnel key must be a key")
        for (index, service) in services.enumerated() {
            Host.require(isValidService(service), "service names are 1-32 of a-z, 0-9, -")
            for earlier in services[0..<index] { Host.require(earlier != service, "services repeat") }
        }
    }

    func encode(to encoder: inout Encoder) {
        encoder.fixed(country)
        encoder.u64(pricePerGiB)
        if let pricePerHour {
            encoder.u8(1)
            encoder.u64(pricePerHour)
        } else {
            encoder.u8(0)
        }
        encoder.u64(bandwidth)
        encoder.lengthPrefixed(endpoint)
        encoder.fixed(tunnelKey)
        encoder.u32(UInt32(truncatingIfNeeded: services.count))
        for service in services { encoder.lengthPrefixed(service) }
    }
}

/// An offer as stored under `"offer" ‖ owner`: owner ‖ terms ‖ registeredAt ‖ lastHeartbeat ‖ staleAfter.
struct Offer {
    var owner: [UInt8]
    var terms: OfferTerms
    var registeredAt: UInt64
    var lastHeartbeat: UInt64
    var staleAfter: UInt64

    init(owner: [UInt8], terms: OfferTerms, registeredAt: UInt64) {
        self.owner = owner
        self.terms = terms
        self.registeredAt = registeredAt
        self.lastHeartbeat = registeredAt
        self.staleAfter = 0
        refresh(at: registeredAt)
    }

    init(decoding bytes: [UInt8]) {
        var decoder = Decoder(bytes)
        owner = decoder.fixed(32)
        terms = OfferTerms(decoding: &decoder)
        registeredAt = decoder.u64()
        lastHeartbeat = decoder.u64()
        staleAfter = decoder.u64()
        decoder.finish()
    }

    mutating func refresh(at height: UInt64) {
        let (staleAfter, overflow) = height.addingReportingOverflow(offerLifetime)
        Host.require(!overflow, "height overflows")
        self.lastHeartbeat = height
        self.staleAfter = staleAfter
    }

    func encoded() -> [UInt8] {
        var encoder = Encoder()
        encoder.fixed(owner)
        terms.encode(to: &encoder)
        encoder.u64(registeredAt)
        encoder.u64(lastHeartbeat)
        encoder.u64(staleAfter)
        return encoder.bytes
    }
}

// MARK: - Storage: offers and a dense index for paging

func offerKey(_ owner: [UInt8]) -> [UInt8] { storageKey("offer", owner) }
func slotKey(_ owner: [UInt8]) -> [UInt8] { storageKey("slot", owner) }
func indexKey(_ slot: UInt64) -> [UInt8] { storageKey("index", bigEndian(slot)) }
let countKey = storageKey("count", [])

func decodeU64(_ bytes: [UInt8]) -> UInt64 {
    var decoder = Decoder(bytes)
    let value = decoder.u64()
    decoder.finish()
    return value
}

func offerCount() -> UInt64 {
    guard let bytes = Host.load(countKey) else { return 0 }
    return decodeU64(bytes)
}

func loadOffer(_ owner: [UInt8]) -> Offer {
    guard let bytes = Host.load(offerKey(owner)) else { Host.abort("no offer for this account") }
    return Offer(decoding: bytes)
}

func saveOffer(_ offer: Offer) {
    Host.store(offerKey(offer.owner), offer.encoded())
}

/// Appends `owner` to the index.
func addToIndex(_ owner: [UInt8]) {
    let count = offerCount()
    Host.store(indexKey(count), owner)
    Host.store(slotKey(owner), bigEndian(count))
    Host.store(countKey, bigEndian(count + 1))
}

/// Removes `owner` from the index by moving the last entry into its slot.
func removeFromIndex(_ owner: [UInt8]) {
    guard let slotBytes = Host.load(slotKey(owner)) else { Host.abort("corrupt offer index") }
    let slot = decodeU64(slotBytes)
    let last = offerCount() - 1
    if slot != last {
        guard let moved = Host.load(indexKey(last)) else { Host.abort("corrupt offer index") }
        Host.store(indexKey(slot), moved)
        Host.store(slotKey(moved), bigEndian(slot))
    }
    Host.delete(indexKey(last))
    Host.delete(slotKey(owner))
    Host.store(countKey, bigEndian(last))
}

func ownerEvent(_ owner: [UInt8]) -> [UInt8] {
    var event = Encoder()
    event.fixed(owner)
    return event.bytes
}

// MARK: - Methods

/// register(terms): creates the caller's offer.
@_expose(wasm, "register")
@_cdecl("registry_register")
public func register() {
    var arguments = Decoder(Host.arguments())
    let terms = OfferTerms(decoding: &arguments)
    arguments.finish()
    Host.requireNoFunds()

    let owner = Host.caller()
    Host.require(Host.load(offerKey(owner)) == nil, "this account already has an offer")
    saveOffer(Offer(owner: owner, terms: terms, registeredAt: Host.blockHeight))
    addToIndex(owner)
    Host.emit("offer.register", ownerEvent(owner))
}

/// update(terms): replaces the caller's offer terms and refreshes it.
@_expose(wasm, "update")
@_cdecl("registry_update")
public func update() {
    var arguments = Decoder(Host.arguments())
    let terms = OfferTerms(decoding: &arguments)
    arguments.finish()
    Host.requireNoFunds()

    var offer = loadOffer(Host.caller())
    offer.terms = terms
    offer.refresh(at: Host.blockHeight)
    saveOffer(offer)
    Host.emit("offer.update", ownerEvent(offer.owner))
}

/// withdraw(): deletes the caller's offer.
@_expose(wasm, "withdraw")
@_cdecl("registry_withdraw")
public func withdraw() {
    Decoder(Host.arguments()).finish()
    Host.requireNoFunds()
    let owner = Host.caller()
    _ = loadOffer(owner)
    Host.delete(offerKey(owner))
    removeFromIndex(owner)
    Host.emit("offer.withdraw", ownerEvent(owner))
}

/// heartbeat(): keeps the caller's offer fresh for another `offerLifetime` blocks.
@_expose(wasm, "heartbeat")
@_cdecl("registry_heartbeat")
public func heartbeat() {
    Decoder(Host.arguments()).finish()
    Host.requireNoFunds()
    var offer = loadOffer(Host.caller())
    offer.refresh(at: Host.blockHeight)
    saveOffer(offer)
}

/// get(owner[32]) → the offer record.
@_expose(wasm, "get")
@_cdecl("registry_get")
public func get() {
    var arguments = Decoder(Host.arguments())
    let owner = arguments.fixed(32)
    arguments.finish()
    guard let bytes = Host.load(offerKey(owner)) else { Host.abort("no offer for this account") }
    Host.returnData(bytes)
}

/// list(start u32, limit u32) → total u32 ‖ count u32 ‖ count × length-prefixed offer records,
/// in index order from `start`. At most `maxPageSize` per call.
@_expose(wasm, "list")
@_cdecl("registry_list")
public func list() {
    var arguments = Decoder(Host.arguments())
    let start = UInt64(arguments.u32())
    let requested = arguments.u32()
    arguments.finish()

    let total = offerCount()
    let limit = UInt64(requested < maxPageSize ? requested : maxPageSize)
    let end = start >= total ? start : (total - start < limit ? total : start + limit)
    var result = Encoder()
    result.u32(UInt32(truncatingIfNeeded: total))
    result.u32(UInt32(truncatingIfNeeded: end - start))
    var slot = start
    while slot < end {
        guard let owner = Host.load(indexKey(slot)), let record = Host.load(offerKey(owner)) else {
            Host.abort("corrupt offer index")
        }
        result.lengthPrefixed(record)
        slot += 1
    }
    Host.returnData(result.bytes)
}
