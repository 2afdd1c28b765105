import DVPNLedger
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The light-client reads (`NodeAPI+LightClient.swift`). The answers are unverified: checking
/// them against verified headers is the caller's job (DVPNClient's `LightClient`).
extension NodeClient {
    /// `GET /v1/headers?from=&to=`.
    public func headers(from: UInt64, to: UInt64) async throws(NodeError) -> NodeAPI.HeaderRange {
        try await get(["v1", "headers"], query: [
            URLQueryItem(name: "from", value: String(from)), URLQueryItem(name: "to", value: String(to)),
        ])
    }

    /// `GET /v1/state/{key}`: one key's value or absence, at `height` or the latest.
    public func state(key: [UInt8], height: UInt64? = nil) async throws(NodeError) -> NodeAPI.ProvenState {
        try await get(["v1", "state", Hex.encode(key)], query: height.map { [URLQueryItem(name: "height", value: String($0))] } ?? [])
    }

    /// `GET /v1/state?prefix=`: every key starting with `prefix`, at `height` or the latest.
    public func state(prefix: [UInt8], height: UInt64? = nil) async throws(NodeError) -> NodeAPI.ProvenState {
        var query = [URLQueryItem(name: "prefix", value: Hex.encode(prefix))]
        if let height { query.append(URLQueryItem(name: "height", value: String(height))) }
        return try await get(["v1", "state"], query: query)
    }
}
