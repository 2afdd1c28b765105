import DVPNCrypto
import DVPNLedger
import DVPNPayments
import Testing

/// Replayed and forged session requests, channels for other keys or operators, and clients lying
/// about their key: each is refused with its reason (issue 8, "Bad input").
@Suite struct SessionAdmissionTests {
    let fixtures = PaymentFixtures()
    let now = PaymentInstant(milliseconds: 1_700_000_000_000)
    let height: UInt64 = 100

    func admission(maxSessions: Int = 10, capacity: Int = 1_000) -> SessionAdmission {
        SessionAdmission(
            configuration: .init(chainID: PaymentFixtures.chainID, operatorKey: fixtures.payee.publicKey, maxSessions: maxSessions),
            nonceCapacity: capacity)
    }

    @Test func anHonestRequestIsAdmittedOnceAndItsReplayRefused() throws {
        var gate = admission()
        let request = try fixtures.request()
        #expect(request.isSigned(chainID: PaymentFixtures.chainID))
        #expect(gate.admit(request, channel: fixtures.channel(), now: now, height: height) == .admitted(channel: fixtures.channel()))
        #expect(gate.admit(request, channel: fixtures.channel(), now: now.advanced(byMilliseconds: 29_000), height: height) == .refused(.replayed))
        // Decoded from the wire and sent again: still a replay.
        let copy = try SessionRequest(decoding: request.encoded)
        #expect(gate.admit(copy, channel: fixtures.channel(), now: now, height: height) == .refused(.replayed))
        // After the window, the timestamp refuses it (the nonce may be forgotten).
        gate.prune(now: now.advanced(byMilliseconds: 60_001))
        #expect(gate.admit(request, channel: fixtures.channel(), now: now.advanced(byMilliseconds: 30_001), height: height) == .refused(.staleTimestamp))
        // A fresh nonce is a new request.
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: height) == .admitted(channel: fixtures.channel()))
    }

    @Test func timestampsOutsideTheWindowAreRefused() throws {
        var gate = admission()
        let channel = fixtures.channel()
        #expect(gate.admit(try fixtures.request(at: now.milliseconds - 30_001), channel: channel, now: now, height: height) == .refused(.staleTimestamp))
        #expect(gate.admit(try fixtures.request(at: now.milliseconds + 30_001), channel: channel, now: now, height: height) == .refused(.staleTimestamp))
        #expect(gate.admit(try fixtures.request(at: now.milliseconds - 30_000), channel: channel, now: now, height: height) == .admitted(channel: channel))
    }

    @Test func forgedRequestsAreRefusedAndDoNotFillTheNonceCache() throws {
        var gate = admission()
        let channel = fixtures.channel()
        // Signed by a stranger who claims to be the payer: the request names the stranger's key,
        // so the channel's payer does not match; with the payer's key put in, the signature fails.
        let stranger = try fixtures.request(signer: fixtures.stranger)
        #expect(gate.admit(stranger, channel: channel, now: now, height: height) == .refused(.notChannelPayer))
        var claimed = stranger
        claimed.payer = fixtures.payer.publicKey
        #expect(gate.admit(claimed, channel: channel, now: now, height: height) == .refused(.badSignature))
        // Any changed field breaks the payer's signature.
        var changed = try fixtures.request()
        changed.channel = 8
        #expect(gate.admit(changed, channel: channel, now: now, height: height) == .refused(.badSignature))
        var retimed = try fixtures.request()
        retimed.timestamp = retimed.timestamp.advanced(byMilliseconds: 1)
        #expect(gate.admit(retimed, channel: channel, now: now, height: height) == .refused(.badSignature))
        // Signed for another chain.
        let otherChain = try SessionRequest(
            chainID: "other-chain", channel: 7, payerKey: fixtures.payer, operator: fixtures.payee.publicKey,
            clientTunnelKey: fixtures.clientTunnel.publicKey, nonce: SecureRandom.bytes(count: 16), timestamp: now)
        #expect(gate.admit(otherChain, channel: channel, now: now, height: height) == .refused(.badSignature))
        #expect(gate.nonces.count == 0)
    }

    @Test func theChannelMustNameThatKeyAndPayThisOperator() throws {
        var gate = admission()
        // A client that lies about its key: the channel names another tunnel key.
        let liar = try fixtures.request(tunnel: fixtures.otherTunnel.publicKey)
        #expect(gate.admit(liar, channel: fixtures.channel(), now: now, height: height) == .refused(.tunnelKeyMismatch))
        // A channel that names another key.
        var otherKey = fixtures.channel()
        otherKey.clientTunnelKey = fixtures.otherTunnel.publicKey.rawRepresentation
        #expect(gate.admit(try fixtures.request(), channel: otherKey, now: now, height: height) == .refused(.tunnelKeyMismatch))
        // A channel paying another operator, and a request addressed to another operator.
        var otherPayee = fixtures.channel()
        otherPayee.payee = fixtures.stranger.publicKey
        #expect(gate.admit(try fixtures.request(), channel: otherPayee, now: now, height: height) == .refused(.otherPayee))
        #expect(gate.admit(try fixtures.request(operator: fixtures.stranger.publicKey), channel: fixtures.channel(), now: now, height: height) == .refused(.wrongOperator))
        // No such channel.
        #expect(gate.admit(try fixtures.request(), channel: nil, now: now, height: height) == .refused(.unknownChannel))
        // None of the refused requests was recorded, so the honest one still goes through.
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: height) == .admitted(channel: fixtures.channel()))
    }

    @Test func closedExpiringAndEmptyChannels() throws {
        var gate = admission()
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(status: 1), now: now, height: height) == .refused(.channelNotOpen))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(status: 2), now: now, height: height) == .refused(.channelNotOpen))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(expiry: 130), now: now, height: height) == .refused(.channelExpiring))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(expiry: 131), now: now, height: height) == .admitted(channel: fixtures.channel(expiry: 131)))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(deposit: 500, redeemed: 500), now: now, height: height) == .refused(.depositUsedUp))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(deposit: 500), held: .u(500), now: now, height: height) == .refused(.depositUsedUp))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: .max) == .refused(.channelExpiring))
    }

    @Test func maxSessionsAndAFullNonceCache() throws {
        var gate = admission(maxSessions: 2, capacity: 2)
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), activeSessions: 2, now: now, height: height) == .refused(.maxSessions))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: height) == .admitted(channel: fixtures.channel()))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: height) == .admitted(channel: fixtures.channel()))
        #expect(gate.admit(try fixtures.request(), channel: fixtures.channel(), now: now, height: height) == .refused(.busy))
        // Once the window passed, the old nonces make room.
        let later = now.advanced(byMilliseconds: 30_001)
        #expect(gate.admit(try fixtures.request(at: later.milliseconds), channel: fixtures.channel(), now: later, height: height) == .admitted(channel: fixtures.channel()))
    }

    @Test func refusalCodesAreStableAndDistinct() {
        let codes = AdmissionRefusal.allCases.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(AdmissionRefusal.replayed.code == 4 && AdmissionRefusal.tunnelKeyMismatch.code == 8)
        #expect(AdmissionRefusal.allCases.allSatisfy { !$0.description.isEmpty })
    }
}
