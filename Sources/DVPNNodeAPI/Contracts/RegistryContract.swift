import DVPNCrypto
import DVPNLedger

/// The client side of the `registry` contract (Contracts/registry): the terms an operator
/// declares, the calls that register, update, refresh and withdraw them, and the stored record.
public enum RegistryContract {
    public static let name = "registry"

    /// `register(terms)`: the caller's offer, new.
    public static func register(_ terms: OfferTerms) -> ContractCall {
        ContractCall(contract: name, method: "register", arguments: terms.canonicalBytes)
    }

    /// `update(terms)`: replaces the caller's terms and refreshes the offer.
    public static func update(_ terms: OfferTerms) -> ContractCall {
        ContractCall(contract: name, method: "update", arguments: terms.canonicalBytes)
    }

    /// `withdraw()`: removes the caller's offer.
    public static func withdraw() -> ContractCall { ContractCall(contract: name, method: "withdraw", arguments: []) }

    /// `heartbeat()`: keeps the caller's offer fresh.
    public static func heartbeat() -> ContractCall { ContractCall(contract: name, method: "heartbeat", arguments: []) }
}

/// What an operator offers. Encoded as the contract reads it: country[2], price per GiB (u64),
/// optional price per hour (bool u8, then u64), bandwidth (u64, Mbit/s), endpoint (UInt32-length
/// prefixed), tunnel key[32], services (UInt32 count, each length-prefixed).
public struct OfferTerms: Sendable, Equatable, CanonicalCodable {
    public var country: String
    public var pricePerGiB: Amount
    public var pricePerHour: Amount?
    public var bandwidthMbps: UInt64
    public var endpoint: String
    public var tunnelKey: X25519.PublicKey
    public var services: [String]

    public init(
        country: String, pricePerGiB: Amount, pricePerHour: Amount?, bandwidthMbps: UInt64, endpoint: String,
        tunnelKey: X25519.PublicKey, services: [String]
    ) {
        self.country = country
        self.pricePerGiB = pricePerGiB
        self.pricePerHour = pricePerHour
        self.bandwidthMbps = bandwidthMbps
        self.endpoint = endpoint
        self.tunnelKey = tunnelKey
        self.services = services
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(fixed: Array(country.utf8), count: 2)
        encoder.encode(pricePerGiB.udvpn)
        encoder.encode(pricePerHour != nil)
        if let pricePerHour { encoder.encode(pricePerHour.udvpn) }
        encoder.encode(bandwidthMbps)
        encoder.encode(string: endpoint, maxLength: 255)
        encoder.encode(fixed: tunnelKey.rawRepresentation, count: 32)
        encoder.encode(UInt32(services.count))
        for service in services { encoder.encode(string: service, maxLength: 32) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        guard let code = String(validating: try decoder.decodeFixed(count: 2), as: UTF8.self) else {
            throw LedgerError(.malformedEncoding, "country is not text")
        }
        country = code
        pricePerGiB = Amount(udvpn: try decoder.decodeUInt64())
        pricePerHour = try decoder.decodeBool() ? Amount(udvpn: try decoder.decodeUInt64()) : nil
        bandwidthMbps = try decoder.decodeUInt64()
        endpoint = try decoder.decodeString(maxLength: 255)
        do {
            tunnelKey = try X25519.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.malformedEncoding, "tunnel key: \(error)")
        }
        let count = try decoder.decodeUInt32()
        guard count <= 8 else { throw LedgerError(.outOfRange, "\(count) services, at most 8") }
        services = []
        for _ in 0..<count { services.append(try decoder.decodeString(maxLength: 32)) }
    }
}

/// An offer as the registry stores it under `"offer" ‖ owner`: owner[32] ‖ terms ‖ registeredAt ‖
/// lastHeartbeat ‖ staleAfter (u64 BE each).
public struct OfferRecord: Sendable, Equatable {
    public static let keyPrefix = Array("offer".utf8)

    public var owner: Schnorr.PublicKey
    public var terms: OfferTerms
    public var registeredAt: UInt64
    public var lastHeartbeat: UInt64
    public var staleAfter: UInt64

    public init?(decoding bytes: [UInt8]) {
        var decoder = CanonicalDecoder(bytes)
        do {
            owner = try Schnorr.PublicKey(rawRepresentation: try decoder.decodeFixed(count: 32))
            terms = try decoder.decode(OfferTerms.self)
            registeredAt = try decoder.decodeUInt64()
            lastHeartbeat = try decoder.decodeUInt64()
            staleAfter = try decoder.decodeUInt64()
            try decoder.finish()
        } catch {
            return nil
        }
    }
}
