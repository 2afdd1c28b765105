import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Hummingbird
import NIOCore

/// Builds the Hummingbird router for the routes listed in `NodeAPI`.
///
/// Handlers are thin: read the path and query, call the `NodeBackend`, encode the answer. Every
/// failure leaves through `JSONErrorMiddleware` as `{"error": …}` with a 4xx status, so no input
/// can make a handler trap or answer 5xx.
public enum NodeAPIRouter {
    public static func build(backend: some NodeBackend) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        let v1 = router.group("v1")

        v1.post("transactions") { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: NodeAPI.maximumBodySize)
            } catch is NIOTooManyBytesError {
                return try JSONResponse.make(
                    NodeAPI.SubmitResult(
                        accepted: false,
                        error: "request body is larger than \(NodeAPI.maximumBodySize) bytes"
                    ),
                    status: .contentTooLarge
                )
            }
            let bytes: [UInt8]
            switch TransactionBody.decode(Array(buffer: body)) {
            case .success(let decoded): bytes = decoded
            case .failure(let error):
                return try JSONResponse.make(NodeAPI.SubmitResult(accepted: false, error: error.reason), status: .badRequest)
            }
            switch await backend.submit(transaction: bytes) {
            case .accepted(let hash):
                return try JSONResponse.make(NodeAPI.SubmitResult(accepted: true, hash: hash), status: .ok)
            case .malformed(let reason):
                return try JSONResponse.make(NodeAPI.SubmitResult(accepted: false, error: reason), status: .badRequest)
            case .rejected(let reason):
                return try JSONResponse.make(NodeAPI.SubmitResult(accepted: false, error: reason), status: .unprocessableContent)
            }
        }

        v1.get("transactions/:hash") { _, context -> Response in
            let hash = try context.parameters.require("hash")
            return try JSONResponse.make(try await backend.transactionStatus(hash: hash))
        }

        v1.get("accounts/:address") { _, context -> Response in
            let address = try context.parameters.require("address")
            return try JSONResponse.make(try await backend.account(address: address))
        }

        v1.get("blocks/latest") { _, _ -> Response in
            try JSONResponse.make(try await backend.block(height: nil))
        }

        v1.get("blocks/:height") { _, context -> Response in
            let text = try context.parameters.require("height")
            guard let height = UInt64(text) else {
                throw NodeError(.badRequest, "block height '\(text)' is not a non-negative integer")
            }
            return try JSONResponse.make(try await backend.block(height: height))
        }

        v1.get("status") { _, _ -> Response in
            try JSONResponse.make(try await backend.status())
        }

        v1.get("offers") { request, _ -> Response in
            let query = request.uri.queryParameters
            let country = query["country"].map { String($0).uppercased() }
            var maxPrice: UInt64?
            if let text = query["max_price"] {
                guard let value = UInt64(String(text)) else {
                    throw NodeError(.badRequest, "max_price '\(text)' is not an integer amount of udvpn")
                }
                maxPrice = value
            }
            return try JSONResponse.make(try await backend.offers(country: country, maxPricePerGiB: maxPrice))
        }

        v1.get("channels") { request, _ -> Response in
            let query = request.uri.queryParameters
            return try JSONResponse.make(
                try await backend.channels(payer: query["payer"].map(String.init), payee: query["payee"].map(String.init))
            )
        }

        v1.get("channels/:id") { _, context -> Response in
            let text = try context.parameters.require("id")
            guard let id = UInt64(text) else {
                throw NodeError(.badRequest, "channel id '\(text)' is not a non-negative integer")
            }
            return try JSONResponse.make(try await backend.channel(id: id))
        }

        if let light = backend as? any LightClientBackend {
            addLightClientRoutes(to: v1, backend: light)
        }
        return router
    }
}

/// The body of `POST /v1/transactions`: JSON `{"hex": …}` or `{"base64": …}`.
enum TransactionBody {
    static func decode(_ body: [UInt8]) -> Result<[UInt8], NodeError> {
        let request: NodeAPI.SubmitRequest
        do {
            request = try JSONDecoder().decode(NodeAPI.SubmitRequest.self, from: Data(body))
        } catch {
            return .failure(NodeError(.badRequest, "request body is not JSON of the form {\"hex\": \"…\"} or {\"base64\": \"…\"}"))
        }
        switch (request.hex, request.base64) {
        case (let hex?, nil):
            guard let bytes = Hex.decode(hex) else {
                return .failure(NodeError(.badRequest, "field 'hex' is not an even-length hexadecimal string"))
            }
            return .success(bytes)
        case (nil, let base64?):
            guard let data = Data(base64Encoded: base64) else {
                return .failure(NodeError(.badRequest, "field 'base64' is not valid base64"))
            }
            return .success(Array(data))
        default:
            return .failure(NodeError(.badRequest, "give the transaction in exactly one of 'hex' or 'base64'"))
        }
    }
}

/// JSON answers with stable key order, so that two identical states print identically.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error a handler throws into `{"error": reason}` with a 4xx status. An error this
/// layer does not know (it should not happen) is answered 500 with a generic reason and logged,
/// but never brings the server down.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as NodeError {
            return try JSONResponse.make(NodeAPI.ErrorBody(error: error.reason), status: Self.status(for: error.code))
        } catch let error as HTTPError {
            let reason = error.body ?? (error.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
            return try JSONResponse.make(NodeAPI.ErrorBody(error: reason), status: error.status)
        } catch {
            context.logger.error("unexpected error answering \(request.method) \(request.uri.path): \(error)")
            return try JSONResponse.make(NodeAPI.ErrorBody(error: "internal error"), status: .internalServerError)
        }
    }

    static func status(for code: NodeError.Code) -> HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .rejected: .unprocessableContent
        case .timeout: .serviceUnavailable
        case .storage, .configuration, .unreachable: .internalServerError
        default: .badRequest
        }
    }
}
