import DVPNLedger
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client for the node's HTTP API (`NodeAPI`), used by the `dvpn` commands.
///
/// Foundation's `URLSession` is enough here: the CLI makes a handful of sequential requests to a
/// node on loopback, so a connection pool or an event loop of its own would buy nothing. Every
/// failure becomes a `NodeError` whose reason fits on one line: the node's own `{"error": …}` text
/// when it answered, or what went wrong reaching it.
public struct NodeClient: Sendable {
    public let baseURL: URL
    /// How long one request may take before the CLI gives up on the node.
    public var requestTimeout: Duration

    public init(url: String, requestTimeout: Duration = .seconds(10)) throws(NodeError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", parsed.host != nil
        else {
            throw NodeError(.badRequest, "node URL '\(url)' is not an http(s) URL")
        }
        self.baseURL = parsed
        self.requestTimeout = requestTimeout
    }

    // MARK: Endpoints

    public func status() async throws(NodeError) -> NodeAPI.Status {
        try await get(["v1", "status"])
    }

    public func account(_ address: String) async throws(NodeError) -> NodeAPI.Account {
        try await get(["v1", "accounts", address])
    }

    public func block(height: UInt64?) async throws(NodeError) -> NodeAPI.Block {
        try await get(["v1", "blocks", height.map(String.init) ?? "latest"])
    }

    public func transaction(hash: String) async throws(NodeError) -> NodeAPI.TransactionStatus {
        try await get(["v1", "transactions", hash])
    }

    public func offers(country: String? = nil, maxPricePerGiB: UInt64? = nil) async throws(NodeError)
        -> [NodeAPI.Offer]
    {
        var query: [URLQueryItem] = []
        if let country { query.append(URLQueryItem(name: "country", value: country)) }
        if let maxPricePerGiB { query.append(URLQueryItem(name: "max_price", value: String(maxPricePerGiB))) }
        return try await get(["v1", "offers"], query: query)
    }

    public func channels(payer: String? = nil, payee: String? = nil) async throws(NodeError)
        -> [NodeAPI.Channel]
    {
        var query: [URLQueryItem] = []
        if let payer { query.append(URLQueryItem(name: "payer", value: payer)) }
        if let payee { query.append(URLQueryItem(name: "payee", value: payee)) }
        return try await get(["v1", "channels"], query: query)
    }

    public func channel(id: UInt64) async throws(NodeError) -> NodeAPI.Channel {
        try await get(["v1", "channels", String(id)])
    }

    /// Submits a transaction's canonical bytes. A refusal by the node is returned as a value
    /// (`accepted == false` with the reason), not thrown: it is an expected answer.
    public func submit(transaction bytes: [UInt8]) async throws(NodeError) -> NodeAPI.SubmitResult {
        let body = NodeAPI.SubmitRequest(hex: Hex.encode(bytes))
        let (status, data) = try await send(method: "POST", path: ["v1", "transactions"], body: body)
        if let result = try? JSONDecoder().decode(NodeAPI.SubmitResult.self, from: data) {
            return result
        }
        throw Self.failure(status: status, data: data)
    }

    /// Polls a transaction until it is committed, or throws `.timeout` after `timeout`, or
    /// `.rejected` if the node forgets it (evicted from the mempool).
    public func waitForCommit(
        hash: String, timeout: Duration = .seconds(60), pollInterval: Duration = .milliseconds(200)
    ) async throws(NodeError) -> NodeAPI.TransactionStatus {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var unknownStreak = 0
        while true {
            let status = try await transaction(hash: hash)
            switch status.status {
            case .committed:
                return status
            case .pending:
                unknownStreak = 0
            case .unknown:
                // Right after acceptance the answer is `pending`; `unknown` several times in a row
                // means the mempool dropped it.
                unknownStreak += 1
                if unknownStreak >= 5 {
                    throw NodeError(.rejected, "transaction \(hash) was dropped by the node before it was committed")
                }
            }
            if clock.now >= deadline {
                throw NodeError(.timeout, "transaction \(hash) was not committed within \(timeout)")
            }
            do { try await Task.sleep(for: pollInterval) } catch {
                throw NodeError(.timeout, "waiting for transaction \(hash) was cancelled")
            }
        }
    }

    // MARK: Transport

    func get<Answer: Decodable>(_ path: [String], query: [URLQueryItem] = []) async throws(NodeError)
        -> Answer
    {
        let (status, data) = try await send(method: "GET", path: path, query: query, body: Optional<NodeAPI.ErrorBody>.none)
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw NodeError(.unreachable, "the node at \(baseURL.absoluteString) sent an answer this client cannot read")
        }
    }

    func send<Body: Encodable>(
        method: String, path: [String], query: [URLQueryItem] = [], body: Body?
    ) async throws(NodeError) -> (Int, Data) {
        let encoded = body.flatMap { try? JSONEncoder().encode($0) }
        return try await send(method: method, path: path, query: query, body: encoded, contentType: "application/json")
    }

    /// One request with a raw body (`contentType` describes it); the status and the body of the answer.
    func send(
        method: String, path: [String], query: [URLQueryItem] = [], body: Data?, contentType: String
    ) async throws(NodeError) -> (Int, Data) {
        var url = baseURL
        for component in path { url.appendPathComponent(component) }
        if !query.isEmpty, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            components.queryItems = query
            if let withQuery = components.url { url = withQuery }
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Double(requestTimeout.components.seconds) + 1
        if let body {
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            request.httpBody = body
        }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                throw NodeError(.unreachable, "the node at \(baseURL.absoluteString) did not answer over HTTP")
            }
            return (http.statusCode, data)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(
                .unreachable,
                "cannot reach the node at \(baseURL.absoluteString) (\(error.localizedDescription)); is `dvpn-node serve` running?"
            )
        }
    }

    /// Turns a non-2xx answer into an error carrying the node's own reason.
    static func failure(status: Int, data: Data) -> NodeError {
        let reason = (try? JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data))?.error
            ?? "the node answered HTTP \(status)"
        switch status {
        case 403: return NodeError(.refused, reason)
        case 404: return NodeError(.notFound, reason)
        case 422: return NodeError(.rejected, reason)
        case 400..<500: return NodeError(.badRequest, reason)
        default: return NodeError(.unreachable, reason)
        }
    }
}
