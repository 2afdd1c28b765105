import Foundation
import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// Offer records and channel records as the contracts store them, for the connect tests.
enum ConnectFixtures {
    /// An offer record: owner ‖ terms ‖ registeredAt ‖ lastHeartbeat ‖ staleAfter.
    static func offer(
        owner: Schnorr.PrivateKey = Schnorr.PrivateKey(), country: String = "DE", perGiB: UInt64, perHour: UInt64? = nil,
        api: String? = "http://127.0.0.1:26657", staleAfter: UInt64 = 1_000
    ) throws -> OfferRecord {
        // The session API is on the endpoint's host (`api-PORT`), so the endpoint takes the URL's host.
        let host = api.flatMap { URL(string: $0)?.host } ?? "127.0.0.1"
        let terms = OfferTerms(
            country: country, pricePerGiB: Amount(udvpn: perGiB), pricePerHour: perHour.map { Amount(udvpn: $0) },
            bandwidthMbps: 100, endpoint: "\(host):51820", tunnelKey: X25519.PrivateKey().publicKey,
            services: api.flatMap { OfferTerms.sessionAPIService(url: $0) }.map { [$0] } ?? [])
        var encoder = CanonicalEncoder()
        encoder.encode(fixed: owner.publicKey.rawRepresentation, count: 32)
        encoder.encode(terms)
        encoder.encode(UInt64(1))
        encoder.encode(UInt64(1))
        encoder.encode(staleAfter)
        guard let record = OfferRecord(decoding: encoder.bytes) else { throw TestFailure("fixture offer does not decode") }
        return record
    }
}
