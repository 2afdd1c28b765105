import Testing
@testable import DVPNCrypto

/// HMAC-BLAKE2s against values from Python's own `hmac` module (see the vector generator).
@Suite("HMAC-BLAKE2s")
struct HMACBLAKE2sTests {
    @Test("Matches Python hmac + hashlib.blake2s for keys shorter than, equal to and longer than a block")
    func vectors() throws {
        let file = try TestVectors.json("hmac-blake2s.json", as: BLAKE2sVectors.Cases<BLAKE2sVectors.HMACCase>.self)
        #expect(file.cases.count == 63)
        #expect(file.cases.contains { $0.key.count / 2 > HMACBLAKE2s.blockByteCount })
        for c in file.cases {
            let key = try [UInt8](hex: c.key)
            let message = try [UInt8](hex: c.message)
            let mac = HMACBLAKE2s.authenticate(message, key: key)
            #expect(mac.count == HMACBLAKE2s.byteCount)
            #expect(mac == (try [UInt8](hex: c.mac)), "key \(key.count) B, message \(message.count) B")
        }
    }

    @Test("Follows RFC 2104 literally: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ m)) for a one-block key")
    func definition() {
        let key = (0..<64).map { UInt8($0 &* 3) }
        let message = Array("WireGuard".utf8)
        let inner = BLAKE2s.hash(key.map { $0 ^ 0x36 } + message)
        let outer = BLAKE2s.hash(key.map { $0 ^ 0x5C } + inner)
        #expect(HMACBLAKE2s.authenticate(message, key: key) == outer)
    }

    @Test("A key longer than the block is hashed first")
    func longKeyIsHashed() {
        let key = [UInt8](repeating: 0xAB, count: 65)
        let message = Array("message".utf8)
        #expect(HMACBLAKE2s.authenticate(message, key: key) == HMACBLAKE2s.authenticate(message, key: BLAKE2s.hash(key)))
    }
}
