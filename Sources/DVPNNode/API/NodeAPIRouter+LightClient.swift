import DVPNLedger
import DVPNNodeAPI
import Hummingbird

/// The light-client routes (`NodeAPI+LightClient.swift`): signed headers by range and state
/// values with proofs. Parsing only; the answers come from the `LightClientBackend`.
extension NodeAPIRouter {
    static func addLightClientRoutes(to v1: RouterGroup<BasicRequestContext>, backend: any LightClientBackend) {
        v1.get("headers") { request, _ -> Response in
            let query = request.uri.queryParameters
            let from = try Self.height(query["from"].map(String.init), name: "from") ?? 1
            let to = try Self.height(query["to"].map(String.init), name: "to") ?? UInt64.max
            return try JSONResponse.make(try await backend.headers(from: from, to: to))
        }

        v1.get("state/:key") { request, context -> Response in
            let text = try context.parameters.require("key")
            let key = try Self.hex(text, name: "state key")
            let height = try Self.height(request.uri.queryParameters["height"].map(String.init), name: "height")
            return try JSONResponse.make(try await backend.state(key: key, height: height))
        }

        v1.get("state") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let text = query["prefix"].map(String.init) else {
                throw NodeError(.badRequest, "give the key prefix as ?prefix=HEX")
            }
            let prefix = try Self.hex(text, name: "prefix")
            let height = try Self.height(query["height"].map(String.init), name: "height")
            return try JSONResponse.make(try await backend.state(prefix: prefix, height: height))
        }
    }

    private static func height(_ text: String?, name: String) throws(NodeError) -> UInt64? {
        guard let text else { return nil }
        guard let value = UInt64(text) else {
            throw NodeError(.badRequest, "\(name) '\(text.prefix(40))' is not a non-negative integer height")
        }
        return value
    }

    private static func hex(_ text: String, name: String) throws(NodeError) -> [UInt8] {
        guard text.utf8.count <= 2 * 1_024, let bytes = Hex.decode(text) else {
            throw NodeError(.badRequest, "\(name) '\(text.prefix(80))' is not even-length hex of at most 1024 bytes")
        }
        return bytes
    }
}
