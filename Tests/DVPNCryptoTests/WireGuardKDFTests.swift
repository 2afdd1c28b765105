import Testing
@testable import DVPNCrypto

/// The WireGuard KDF (whitepaper §5.4) against values computed in Python with hmac + hashlib.blake2s.
@Suite("WireGuard KDF")
struct WireGuardKDFTests {
    @Test("kdf1/kdf2/kdf3 match independently computed τ1, τ2, τ3")
    func vectors() throws {
        let file = try TestVectors.json("wireguard-kdf.json", as: BLAKE2sVectors.KDFFile.self)
        #expect(file.cases.count == 4)
        for c in file.cases {
            let chainingKey = try [UInt8](hex: c.chainingKey)
            let input = try [UInt8](hex: c.input)
            let tau1 = try [UInt8](hex: c.tau1)
            let tau2 = try [UInt8](hex: c.tau2)
            let tau3 = try [UInt8](hex: c.tau3)

            #expect(WireGuardKDF.kdf1(chainingKey: chainingKey, input: input).unsafeCopy() == tau1)
            let (a, b) = WireGuardKDF.kdf2(chainingKey: chainingKey, input: input)
            #expect(a.unsafeCopy() == tau1)
            #expect(b.unsafeCopy() == tau2)
            let (x, y, z) = WireGuardKDF.kdf3(chainingKey: chainingKey, input: input)
            #expect([x, y, z].map { $0.unsafeCopy() } == [tau1, tau2, tau3])
        }
    }

    @Test("The KDF is HKDF over HMAC-BLAKE2s as the whitepaper writes it")
    func definition() {
        let chainingKey = BLAKE2s.hash(Array("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".utf8))
        let input = (0..<32).map { UInt8($0) }
        let tau0 = HMACBLAKE2s.authenticate(input, key: chainingKey)
        let tau1 = HMACBLAKE2s.authenticate([0x01], key: tau0)
        let tau2 = HMACBLAKE2s.authenticate(tau1 + [0x02], key: tau0)
        let tau3 = HMACBLAKE2s.authenticate(tau2 + [0x03], key: tau0)
        let (x, y, z) = WireGuardKDF.kdf3(chainingKey: chainingKey, input: input)
        #expect(x == SecureBytes(tau1))
        #expect(y == SecureBytes(tau2))
        #expect(z == SecureBytes(tau3))
        #expect(x.count == WireGuardKDF.byteCount)
    }
}
