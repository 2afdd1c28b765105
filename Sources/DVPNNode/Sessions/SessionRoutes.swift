import DVPNNodeAPI
import DVPNPayments
import Foundation
import Hummingbird
import NIOCore

/// The session protocol's HTTP endpoints on the operator's public API (docs/session-protocol.md,
/// "Where it runs"), plus the operator's own view: `GET /v1/operator/sessions` (JSON) and
/// `GET /metrics` (Prometheus text). Bodies are one message's canonical bytes; refusals of a
/// session request are 403 with `{"error", "code"}` (the `AdmissionRefusal` code).
enum SessionRoutes {
    /// A session message is at most a few hundred bytes.
    static let maximumBody = 4096

    static func add(to router: Router<BasicRequestContext>, manager: SessionManager, store: OperatorStore, metrics: OperatorMetrics) {
        let sessions = router.group("v1/sessions")
        sessions.post { request, _ -> Response in
            let body = try await read(request)
            switch await manager.open(body) {
            case .granted(let grant):
                return octets(grant.encoded)
            case .refused(let refusal):
                return try JSONResponse.make(
                    NodeAPI.ErrorBody(error: refusal.description, code: refusal.code), status: .forbidden)
            case .failed(let error):
                throw error
            }
        }
        sessions.post(":id/vouchers") { request, context -> Response in
            let id = try context.parameters.require("id")
            return octets(try await manager.submitVoucher(sessionID: id, try await read(request)).encoded)
        }
        sessions.post(":id/end") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await read(request)
            do throws(NodeError) {
                return octets(try await manager.end(sessionID: id, body).encoded)
            } catch where error.code == .refused {
                return try JSONResponse.make(NodeAPI.ErrorBody(error: error.reason), status: .forbidden)
            }
        }
        router.get("v1/operator/sessions") { _, _ -> Response in
            try JSONResponse.make(try OperatorReport.make(store: store))
        }
        router.get("metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
    }

    private static func read(_ request: Request) async throws -> [UInt8] {
        var request = request
        do {
            return Array(buffer: try await request.collectBody(upTo: maximumBody))
        } catch is NIOTooManyBytesError {
            throw NodeError(.badRequest, "a session message is at most \(maximumBody) bytes")
        }
    }

    private static func octets(_ bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = NodeAPI.sessionContentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
