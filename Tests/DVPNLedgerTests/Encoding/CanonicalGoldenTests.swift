import DVPNLedger
import Testing

/// Encodings written out by hand from docs/encoding.md, so a change to the format cannot pass
/// unnoticed by also changing the decoder.
@Suite("Canonical encoding: golden bytes")
struct CanonicalGoldenTests {
    @Test("integers are fixed-width big-endian; Int64 is two's complement")
    func integers() {
        #expect(UInt8(0xAB).canonicalBytes == [0xAB])
        #expect(UInt16(0x1234).canonicalBytes == [0x12, 0x34])
        #expect(UInt32(1).canonicalBytes == [0x00, 0x00, 0x00, 0x01])
        #expect(UInt64(0x0102_0304_0506_0708).canonicalBytes == [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])
        #expect(Int64(-1).canonicalBytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Int64(-2).canonicalBytes == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
        #expect(Int64.min.canonicalBytes == [0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
        #expect(true.canonicalBytes == [0x01])
        #expect(false.canonicalBytes == [0x00])
    }

    @Test("byte strings, strings, arrays and optionals")
    func variableLength() {
        var encoder = CanonicalEncoder()
        encoder.encode(bytes: [0xAB, 0xCD], maxLength: 8)
        #expect(encoder.bytes == [0x00, 0x00, 0x00, 0x02, 0xAB, 0xCD])

        encoder = CanonicalEncoder()
        encoder.encode(string: "dvpn", maxLength: 8)
        #expect(encoder.bytes == [0x00, 0x00, 0x00, 0x04, 0x64, 0x76, 0x70, 0x6E])

        encoder = CanonicalEncoder()
        encoder.encode(string: "é", maxLength: 8)
        #expect(encoder.bytes == [0x00, 0x00, 0x00, 0x02, 0xC3, 0xA9])

        encoder = CanonicalEncoder()
        encoder.encode(array: [UInt16(1), 2], maxCount: 8)
        #expect(encoder.bytes == [0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02])

        encoder = CanonicalEncoder()
        encoder.encode(optional: UInt16?.none)
        encoder.encode(optional: UInt16(7))
        #expect(encoder.bytes == [0x00, 0x01, 0x00, 0x07])
    }

    @Test("a composite value is its fields in order, nothing between them")
    func composite() throws {
        let expected: [UInt8] = [
            0x01,  // version
            0xCA, 0x6C,  // port 51820
            0x00, 0x00, 0x00, 0x07,  // height 7
            0x00, 0x00, 0x00, 0x00, 0x00, 0x0F, 0x42, 0x40,  // amount 1_000_000
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,  // delta -2
            0x01,  // active
            0xDE, 0xAD, 0xBE, 0xEF,  // key, fixed 4 bytes
            0x00, 0x00, 0x00, 0x02, 0x00, 0xFF,  // payload
            0x00, 0x00, 0x00, 0x03, 0x64, 0xC3, 0xA9,  // name "dé"
            0x00, 0x00, 0x00, 0x01,  // one entry:
            0x00, 0x00, 0x00, 0x01, 0x61,  //   label "a"
            0x00, 0x03,  //   weight 3
            0x00,  //   note nil
            0x00,  // parent nil
            0x00, 0x00, 0x00, 0x01,  // one alias:
            0x00, 0x00, 0x00, 0x01, 0x78,  //   "x"
        ]
        #expect(SampleRecord.small.canonicalBytes == expected)
        #expect(try SampleRecord(canonicalBytes: expected) == SampleRecord.small)
    }

    @Test("a signing message is len ‖ tag ‖ len ‖ chain id ‖ body")
    func signingMessage() {
        let message = SigningDomain.transaction.message(chainID: "dvpn-1", body: [0xAA, 0xBB])
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x0A,  // tag length 10
            0x64, 0x76, 0x70, 0x6E, 0x2F, 0x74, 0x78, 0x2F, 0x76, 0x31,  // "dvpn/tx/v1"
            0x00, 0x00, 0x00, 0x06,  // chain id length 6
            0x64, 0x76, 0x70, 0x6E, 0x2D, 0x31,  // "dvpn-1"
            0xAA, 0xBB,  // body
        ]
        #expect(message == expected)
    }
}
