import DVPNCrypto
import DVPNLedger
import DVPNPayments
import DVPNTestSupport
import Testing

/// The session protocol's messages: exact layouts, signatures under their own domains, and decoders
/// that refuse every malformed input without trapping.
@Suite struct SessionMessageTests {
    let fixtures = PaymentFixtures()
    let chainID = PaymentFixtures.chainID
    let sessionID = [UInt8](repeating: 0xA5, count: 16)

    func grant() throws -> SessionGrant {
        var grant = try SessionGrant(
            sessionID: sessionID, channel: 7, requestNonce: [UInt8](repeating: 1, count: 16),
            clientTunnelKey: fixtures.clientTunnel.publicKey, operator: fixtures.payee.publicKey,
            nodeTunnelKey: fixtures.otherTunnel.publicKey, endpoint: "203.0.113.7:51820", ipv4: [10, 77, 0, 2],
            ipv6: [0xFD, 0x77] + [UInt8](repeating: 0, count: 13) + [2], dnsIPv4: [10, 77, 0, 1],
            dnsIPv6: [0xFD, 0x77] + [UInt8](repeating: 0, count: 13) + [1], mtu: 1420,
            price: Price(perGiB: .u(1_000_000), perHour: .u(36_000)), schedule: .standard, gracePeriodMilliseconds: 10_000)
        try grant.sign(chainID: chainID, operatorKey: fixtures.payee)
        return grant
    }

    func receipt(_ outcome: VoucherReceipt.Outcome = .held) throws -> VoucherReceipt {
        try VoucherReceipt(
            chainID: chainID, sessionID: sessionID, channel: 7, accepted: .u(977), servingLimit: .u(1_954), outcome: outcome,
            operatorKey: fixtures.payee)
    }

    func end() throws -> SessionEnd {
        try SessionEnd(
            chainID: chainID, sessionID: sessionID, channel: 7, finalVoucher: try fixtures.voucher(5_000), used: .u(4_321),
            timestamp: PaymentInstant(milliseconds: 1_700_000_000_000), payerKey: fixtures.payer)
    }

    @Test func requestLayoutAndSignature() throws {
        let request = try fixtures.request(nonce: [UInt8](repeating: 9, count: 16), at: 0x0102_0304_0506_0708)
        let bytes = request.encoded
        #expect(bytes.count == 192)
        #expect(Array(bytes[0..<8]) == [0, 0, 0, 0, 0, 0, 0, 7])
        #expect(Array(bytes[8..<40]) == fixtures.payer.publicKey.rawRepresentation)
        #expect(Array(bytes[40..<72]) == fixtures.payee.publicKey.rawRepresentation)
        #expect(Array(bytes[72..<104]) == fixtures.clientTunnel.publicKey.rawRepresentation)
        #expect(Array(bytes[104..<120]) == [UInt8](repeating: 9, count: 16))
        #expect(Array(bytes[120..<128]) == [1, 2, 3, 4, 5, 6, 7, 8])
        // The signature covers the domain, the chain id and the first 128 bytes.
        let message = SessionWire.requestDomain.message(chainID: chainID, body: Array(bytes[0..<128]))
        #expect(fixtures.payer.publicKey.isValidSignature(request.signature, for: message))
        #expect(try SessionRequest(decoding: bytes) == request)
        #expect(throws: PaymentError.self) {
            try SessionRequest(
                chainID: chainID, channel: 7, payerKey: fixtures.payer, operator: fixtures.payee.publicKey,
                clientTunnelKey: fixtures.clientTunnel.publicKey, nonce: [1, 2, 3], timestamp: .zero)
        }
    }

    @Test func grantRoundTripAndSignature() throws {
        let grant = try grant()
        let decoded = try SessionGrant(decoding: grant.encoded)
        #expect(decoded == grant)
        #expect(decoded.isSigned(chainID: chainID))
        #expect(!decoded.isSigned(chainID: "other-chain"))
        var tampered = decoded
        tampered.price = Price(perGiB: .u(1))
        #expect(!tampered.isSigned(chainID: chainID))
        // Only the operator the grant names can sign it.
        var foreign = grant
        #expect(throws: PaymentError.self) { try foreign.sign(chainID: chainID, operatorKey: fixtures.stranger) }
        // Field ranges are checked on decode too.
        tampered.mtu = 576
        #expect(throws: PaymentError.self) { try SessionGrant(decoding: tampered.encoded) }
        var greedy = grant
        greedy.schedule.capBytes = 2 << 30
        #expect(throws: PaymentError.self) { try SessionGrant(decoding: greedy.encoded) }
    }

    @Test func receiptsCarryTheOutcomeAndTheOperatorsSignature() throws {
        for outcome in [VoucherReceipt.Outcome.held, .refused(.notIncreasing), .cutOff(.unpaid), .cutOff(.unknown(900))] {
            let receipt = try receipt(outcome)
            let decoded = try VoucherReceipt(decoding: receipt.encoded)
            #expect(decoded == receipt)
            #expect(decoded.encoded.count == 107)
            #expect(decoded.isSigned(by: fixtures.payee.publicKey, chainID: chainID))
            #expect(!decoded.isSigned(by: fixtures.payer.publicKey, chainID: chainID))
        }
        // Unknown outcome kinds and refusal codes are malformed.
        var bytes = try receipt(.refused(.badSignature)).encoded
        // sessionID 16 ‖ channel 8 ‖ accepted 8 ‖ servingLimit 8 ‖ outcome at byte 40 ‖ code 41–42.
        #expect(bytes[40] == 1 && bytes[42] == 2)
        bytes[40] = 3
        #expect(throws: PaymentError.self) { try VoucherReceipt(decoding: bytes) }
        bytes[40] = 1
        bytes[41] = 0xFF
        #expect(throws: PaymentError.self) { try VoucherReceipt(decoding: bytes) }
    }

    @Test func sessionEndAndSubmission() throws {
        let end = try end()
        let decoded = try SessionEnd(decoding: end.encoded)
        #expect(decoded == end)
        #expect(decoded.used == .u(4_321))
        // sessionID[16] ‖ channel ‖ reason ‖ 01 ‖ voucher[80] ‖ used ‖ timestamp ‖ signature[64].
        #expect(end.encoded.count == 16 + 8 + 2 + 1 + 80 + 8 + 8 + 64)
        #expect(Array(end.encoded[107..<115]) == Amount.u(4_321).canonicalBytes)
        // The payer's count is signed: changing it breaks the signature.
        var lowered = end.encoded
        lowered[114] ^= 1
        #expect(try SessionEnd(decoding: lowered).isSigned(by: fixtures.payer.publicKey, chainID: chainID) == false)
        #expect(decoded.isSigned(by: fixtures.payer.publicKey, chainID: chainID))
        #expect(!decoded.isSigned(by: fixtures.stranger.publicKey, chainID: chainID))
        let submission = VoucherSubmission(sessionID: sessionID, voucher: try fixtures.voucher(977))
        #expect(submission.encoded.count == 96)
        #expect(try VoucherSubmission(decoding: submission.encoded) == submission)
        // The voucher inside is the same 80 bytes as its hex form.
        #expect(Hex.encode(Array(submission.encoded[16...])) == submission.voucher.hex)
    }

    @Test func signaturesDoNotCrossDomains() throws {
        // The same key signs requests and ends; neither verifies as the other or as a voucher.
        let request = try fixtures.request()
        let end = try end()
        let body = Array(request.encoded[0..<128])
        #expect(!fixtures.payer.publicKey.isValidSignature(request.signature, for: SessionWire.endDomain.message(chainID: chainID, body: body)))
        #expect(!fixtures.payer.publicKey.isValidSignature(request.signature, for: SigningDomain.voucher.message(chainID: chainID, body: body)))
        let endBody = Array(end.encoded.dropLast(64))
        #expect(!fixtures.payer.publicKey.isValidSignature(end.signature, for: SessionWire.requestDomain.message(chainID: chainID, body: endBody)))
        let tags = [SessionWire.requestDomain, SessionWire.grantDomain, SessionWire.receiptDomain, SessionWire.endDomain] + SigningDomain.all
        #expect(Set(tags.map(\.tag)).count == tags.count)
    }

    @Test func cutOffReasonCodesAreStable() {
        let known: [CutOffReason] = [.clientEnded, .noFirstVoucher, .unpaid, .depositExhausted, .channelClosing, .channelExpiring, .maxSessions, .bandwidthCap, .operatorShutdown]
        #expect(known.map(\.code) == Array(0...8))
        for reason in known {
            #expect(CutOffReason(code: reason.code) == reason)
            #expect(!reason.summary.isEmpty && !reason.summary.contains("\n"))
        }
        #expect(CutOffReason(code: 77) == .unknown(77))
        #expect(CutOffReason(code: 77).summary.contains("77"))
    }

    /// Mutated and random bytes never trap a decoder; whatever decodes re-encodes to the input.
    @Test func decodersSurviveHostileInput() throws {
        let seeds: [[UInt8]] = [
            try fixtures.request().encoded, try grant().encoded, try receipt(.cutOff(.depositExhausted)).encoded, try end().encoded,
            VoucherSubmission(sessionID: sessionID, voucher: try fixtures.voucher(1)).encoded,
            try CloseCoSignature(chainID: chainID, channel: 7, amount: .u(5), payeeKey: fixtures.payee).encoded,
        ]
        var fuzzer = Fuzzer(seed: 0x5E55_1011)
        var decoded = 0
        for input in fuzzer.inputs(count: 20_000, seeds: seeds) {
            if let value = try? SessionRequest(decoding: input) { #expect(value.encoded == input); decoded += 1 }
            if let value = try? SessionGrant(decoding: input) { #expect(value.encoded == input); decoded += 1 }
            if let value = try? VoucherReceipt(decoding: input) { #expect(value.encoded == input); decoded += 1 }
            if let value = try? SessionEnd(decoding: input) { #expect(value.encoded == input); decoded += 1 }
            if let value = try? VoucherSubmission(decoding: input) { #expect(value.encoded == input); decoded += 1 }
            if let value = try? CloseCoSignature(decoding: input) { #expect(value.encoded == input); decoded += 1 }
        }
        // Some mutations keep a message valid (a flipped signature byte): the decoders were reached.
        #expect(decoded >= 100, "only \(decoded) inputs decoded")
    }
}
