import DVPNPayments
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The session protocol over HTTP (docs/session-protocol.md, "Where it runs"): the client side of
/// the three exchanges a paid session makes with the operator's public API.
///
/// Bodies in both directions are one message's canonical bytes (`application/octet-stream`), so
/// what is signed is exactly what travels. A refusal is an error body (JSON) whose `code` is the
/// `AdmissionRefusal` code; it becomes `NodeError.refused` with the operator's reason.
extension NodeAPI {
    /// The session endpoints' paths under the API's base URL.
    public enum SessionPaths {
        /// `POST /v1/sessions`: `SessionRequest` → `SessionGrant`; 403 with a refusal code.
        public static let open = ["v1", "sessions"]
        /// `POST /v1/sessions/{session id hex}/vouchers`: `VoucherSubmission` → `VoucherReceipt`
        /// (a receipt can carry the cut-off reason; the node answers 200 either way).
        public static func vouchers(sessionID: [UInt8]) -> [String] { open + [hex(sessionID), "vouchers"] }
        /// `POST /v1/sessions/{session id hex}/end`: `SessionEnd` → `CloseCoSignature`.
        public static func end(sessionID: [UInt8]) -> [String] { open + [hex(sessionID), "end"] }

        static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    }

    public static let sessionContentType = "application/octet-stream"
}

extension OfferTerms {
    /// The `services` entry that names the operator's public API, where clients run the session
    /// protocol: `api-PORT`, meaning `http://ENDPOINT-HOST:PORT`. (The registry allows only 1–32
    /// of `a-z 0-9 -` in a service name, so a URL cannot be stored; the host is the offer's
    /// endpoint host.)
    public static let sessionAPIServicePrefix = "api-"

    /// The `services` entry for an operator whose public API listens on `port` of its endpoint host.
    public static func sessionAPIService(port: Int) -> String { sessionAPIServicePrefix + "\(port)" }

    /// The operator's public API URL from `services` and `endpoint`, if the offer names one.
    public var sessionAPIURL: String? {
        guard let entry = services.first(where: { $0.hasPrefix(Self.sessionAPIServicePrefix) }),
            let port = UInt16(entry.dropFirst(Self.sessionAPIServicePrefix.count)), port > 0,
            let colon = endpoint.lastIndex(of: ":")
        else { return nil }
        return "http://\(endpoint[..<colon]):\(port)"
    }
}

extension NodeClient {
    /// Asks the operator for a session; the grant or `NodeError.refused`.
    public func openSession(_ request: SessionRequest) async throws(NodeError) -> SessionGrant {
        let bytes = try await post(NodeAPI.SessionPaths.open, request.encoded)
        do { return try SessionGrant(decoding: bytes) } catch { throw Self.unreadable(baseURL, "session grant", error) }
    }

    /// Submits a voucher; the operator's signed receipt (which may carry a cut-off reason).
    public func submitVoucher(_ submission: VoucherSubmission) async throws(NodeError) -> VoucherReceipt {
        let bytes = try await post(NodeAPI.SessionPaths.vouchers(sessionID: submission.sessionID), submission.encoded)
        do { return try VoucherReceipt(decoding: bytes) } catch { throw Self.unreadable(baseURL, "voucher receipt", error) }
    }

    /// Ends the session; the operator's co-signature of the cooperative close.
    public func endSession(_ end: SessionEnd) async throws(NodeError) -> CloseCoSignature {
        let bytes = try await post(NodeAPI.SessionPaths.end(sessionID: end.sessionID), end.encoded)
        do { return try CloseCoSignature(decoding: bytes) } catch { throw Self.unreadable(baseURL, "close co-signature", error) }
    }

    private func post(_ path: [String], _ body: [UInt8]) async throws(NodeError) -> [UInt8] {
        let (status, data) = try await send(
            method: "POST", path: path, body: Data(body), contentType: NodeAPI.sessionContentType)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        return [UInt8](data)
    }

    private static func unreadable(_ url: URL, _ what: String, _ error: PaymentError) -> NodeError {
        NodeError(.unreachable, "the operator at \(url.absoluteString) sent a \(what) this client cannot read: \(error.reason)")
    }
}
