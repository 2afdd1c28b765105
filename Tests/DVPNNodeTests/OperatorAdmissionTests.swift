import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// Session requests through the operator's HTTP API (loopback): every refusal is a 403 whose
/// body names the reason and carries its `AdmissionRefusal` code; nothing is granted, no peer is
/// added, and a valid request gets a signed grant with addresses, price and schedule.
@Suite struct OperatorAdmissionTests {
    static let contracts = !EmbeddedContract.devnet.isEmpty

    @Test(.enabled(if: contracts, "no contract modules are embedded"))
    func refusalsCarryTheirReasonAndNothingIsGranted() async throws {
        let harness = try await OperatorHarness()
        let tunnelKey = X25519.PrivateKey().publicKey
        let channel = try await harness.openChannel(tunnelKey: tunnelKey)
        let otherOperator = Schnorr.PrivateKey()
        let foreignChannel = try await harness.openChannel(payee: otherOperator.publicKey, tunnelKey: tunnelKey)
        let mallory = Schnorr.PrivateKey()

        var forged = try harness.request(channel: channel, tunnelKey: tunnelKey)
        forged.clientTunnelKey = X25519.PrivateKey().publicKey  // changed after signing
        let valid = try harness.request(channel: channel, tunnelKey: tunnelKey)
        let cases: [(String, [UInt8], AdmissionRefusal)] = [
            ("forged", forged.encoded, .badSignature),
            ("addressed to another operator",
             try harness.request(channel: channel, to: otherOperator.publicKey, tunnelKey: tunnelKey).encoded, .wrongOperator),
            ("stale", try harness.request(
                channel: channel, tunnelKey: tunnelKey,
                timestamp: PaymentInstant(milliseconds: harness.clock.now.milliseconds - 60_000)).encoded, .staleTimestamp),
            ("unknown channel", try harness.request(channel: 999, tunnelKey: tunnelKey).encoded, .unknownChannel),
            ("someone else's channel", try harness.request(channel: channel, payer: mallory, tunnelKey: tunnelKey).encoded,
             .notChannelPayer),
            ("a channel paying another operator", try harness.request(channel: foreignChannel, tunnelKey: tunnelKey).encoded,
             .otherPayee),
            ("a key the channel does not name",
             try harness.request(channel: channel, tunnelKey: X25519.PrivateKey().publicKey).encoded, .tunnelKeyMismatch),
        ]
        try await harness.withAPI { url in
            for (what, body, refusal) in cases {
                let (status, data) = try await rawPost(url, "/v1/sessions", body)
                #expect(status == 403, "\(what)")
                let error = try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data)
                #expect(error.code == refusal.code, "\(what): \(error.error)")
                #expect(error.error == refusal.description, "\(what)")
            }
            // Undecodable bytes are a 400 with a reason, not a crash.
            let (status, data) = try await rawPost(url, "/v1/sessions", [1, 2, 3])
            #expect(status == 400)
            #expect(try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data).error.contains("not a session request"))
            #expect(harness.plane.peer(tunnelKey) == nil)

            // The valid request is granted once; the same bytes again are a replay.
            let client = try NodeClient(url: url)
            let grant = try await client.openSession(valid)
            #expect(grant.isSigned(chainID: harness.chainID))
            #expect(grant.operator == harness.operatorKey)
            #expect(grant.requestNonce == valid.nonce)
            #expect(grant.clientTunnelKey == tunnelKey)
            #expect(grant.nodeTunnelKey == harness.operatorIdentity.tunnelKey.publicKey)
            #expect(grant.price == OperatorHarness.price)
            #expect(grant.schedule == .standard)
            #expect(grant.ipv4 == [10, 88, 0, 2])
            #expect(grant.endpoint == "198.51.100.1:51820")
            #expect(harness.plane.peer(tunnelKey)?.allowedIPs.map(\.description) == ["10.88.0.2/32", "fd00:88::2/128"])
            let (replayStatus, replayBody) = try await rawPost(url, "/v1/sessions", valid.encoded)
            #expect(replayStatus == 403)
            #expect(try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: replayBody).code == AdmissionRefusal.replayed.code)
            do throws(NodeError) {
                _ = try await client.openSession(valid)
                Issue.record("a replayed request was granted")
            } catch {
                #expect(error.code == .refused)
            }
        }
        // The refusals are counted by reason.
        let metrics = harness.metrics.render()
        #expect(metrics.contains("dvpn_operator_admission_refusals_total{reason=\"bad_signature\"} 1"))
        #expect(metrics.contains("dvpn_operator_admission_refusals_total{reason=\"replayed\"} 2"))
        #expect(metrics.contains("dvpn_operator_sessions_opened_total 1"))
    }

    @Test(.enabled(if: contracts, "no contract modules are embedded"))
    func maxSessionsAndDepositLeft() async throws {
        let harness = try await OperatorHarness { $0.maxSessions = 1 }
        let first = X25519.PrivateKey().publicKey
        let second = X25519.PrivateKey().publicKey
        let one = try await harness.openChannel(tunnelKey: first)
        let two = try await harness.openChannel(tunnelKey: second)
        guard case .granted = await harness.manager.open(try harness.request(channel: one, tunnelKey: first).encoded) else {
            Issue.record("the first session was not granted")
            return
        }
        guard case .refused(let refusal) = await harness.manager.open(try harness.request(channel: two, tunnelKey: second).encoded)
        else {
            Issue.record("a second session passed --max-sessions 1")
            return
        }
        #expect(refusal == .maxSessions)
        #expect(harness.plane.peer(second) == nil)
    }
}
