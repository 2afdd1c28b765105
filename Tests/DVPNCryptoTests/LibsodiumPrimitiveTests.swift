import DVPNCrypto
import Foundation
import Testing

/// The libsodium-backed primitives against their RFCs' own vectors.
@Suite struct LibsodiumPrimitiveTests {
    struct AEADFile: Decodable {
        struct Vector: Decodable { let name, key, nonce, aad, plaintext, ciphertext, tag: String }
        let vectors: [Vector]
    }

    struct X25519File: Decodable {
        struct Mult: Decodable { let scalar, u, output: String }
        struct DH: Decodable { let alicePrivate, alicePublic, bobPrivate, bobPublic, shared: String }
        let scalarmult: [Mult]
        let iterated: [String: String]
        let dh: DH
    }

    @Test func chaChaPolyRFC8439() throws {
        let file: AEADFile = try TestVectors.json("rfc8439-chacha20poly1305.json")
        #expect(file.vectors.count == 2)
        for v in file.vectors {
            let key = try [UInt8](hex: v.key), nonce = try [UInt8](hex: v.nonce), aad = try [UInt8](hex: v.aad)
            let plaintext = try [UInt8](hex: v.plaintext)
            let sealed = try [UInt8](hex: v.ciphertext) + [UInt8](hex: v.tag)
            #expect(try ChaChaPoly.seal(plaintext, key: key, nonce: nonce, authenticating: aad) == sealed, "\(v.name)")
            #expect(try ChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: aad) == plaintext, "\(v.name)")

            // Every single-bit change of ciphertext, tag or AAD must be refused.
            for index in stride(from: 0, to: sealed.count, by: 7) {
                var bad = sealed
                bad[index] ^= 0x01
                #expect(throws: CryptoError.self) { try ChaChaPoly.open(bad, key: key, nonce: nonce, authenticating: aad) }
            }
            var badAAD = aad
            badAAD[0] ^= 0x80
            #expect(throws: CryptoError.self) { try ChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: badAAD) }
        }
    }

    @Test func chaChaPolyInPlaceMatchesAllocatingForm() throws {
        let key = SecureRandom.bytes(count: 32)
        for length in [0, 1, 15, 16, 17, 1420] {
            let plaintext = SecureRandom.bytes(count: length)
            let counter: UInt64 = 0x0102_0304_0506_0708
            let expected = try ChaChaPoly.seal(plaintext, key: key, nonce: ChaChaPoly.nonce(counter: counter))
            var buffer = plaintext + [UInt8](repeating: 0, count: 16)
            let sealedCount = buffer.withUnsafeMutableBytes { b in
                key.withUnsafeBytes { k in ChaChaPoly.sealInPlace(b, plaintextCount: length, key: k, counter: counter) }
            }
            #expect(sealedCount == length + 16)
            #expect(buffer == expected)
            let opened = buffer.withUnsafeMutableBytes { b in
                key.withUnsafeBytes { k in ChaChaPoly.openInPlace(b, key: k, counter: counter) }
            }
            #expect(opened == length)
            #expect(Array(buffer.prefix(length)) == plaintext)
            buffer[0] ^= 1
            let refused = buffer.withUnsafeMutableBytes { b in
                key.withUnsafeBytes { k in ChaChaPoly.openInPlace(b, key: k, counter: counter &+ 1) }
            }
            #expect(refused == nil)
        }
    }

    @Test func wireGuardNonceLayout() {
        #expect(ChaChaPoly.nonce(counter: 1) == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        #expect(ChaChaPoly.nonce(counter: 0x0102) == [0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0])
    }

    @Test func xChaChaPolyRoundTripAndRejection() throws {
        let key = SecureRandom.bytes(count: 32), nonce = SecureRandom.bytes(count: 24)
        let sealed = try XChaChaPoly.seal(Array("cookie".utf8), key: key, nonce: nonce, authenticating: [1, 2, 3])
        #expect(try XChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: [1, 2, 3]) == Array("cookie".utf8))
        #expect(throws: CryptoError.self) { try XChaChaPoly.open(sealed, key: key, nonce: nonce, authenticating: [1, 2]) }
        #expect(throws: CryptoError.self) { try XChaChaPoly.open(sealed, key: key, nonce: Array(nonce.prefix(12))) }
        #expect(throws: CryptoError.self) { try XChaChaPoly.open([1, 2, 3], key: key, nonce: nonce) }
    }

    @Test func x25519RFC7748() throws {
        let file: X25519File = try TestVectors.json("rfc7748-x25519.json")
        for v in file.scalarmult {
            let key = try X25519.PrivateKey(rawRepresentation: [UInt8](hex: v.scalar))
            let shared = try key.sharedSecret(with: X25519.PublicKey(rawRepresentation: [UInt8](hex: v.u)))
            #expect(shared.unsafeCopy().hex == v.output)
        }
        // §5.2 iteration: k, u := X25519(k, u), k starting from the base point 9.
        var k = [UInt8](repeating: 0, count: 32), u = k
        k[0] = 9
        u[0] = 9
        for i in 1...1000 {
            let result = try X25519.PrivateKey(rawRepresentation: k).sharedSecret(with: X25519.PublicKey(rawRepresentation: u)).unsafeCopy()
            u = k
            k = result
            if let expected = file.iterated[String(i)] { #expect(k.hex == expected, "after \(i) iterations") }
        }
        let alice = try X25519.PrivateKey(rawRepresentation: [UInt8](hex: file.dh.alicePrivate))
        let bob = try X25519.PrivateKey(rawRepresentation: [UInt8](hex: file.dh.bobPrivate))
        #expect(alice.publicKey.rawRepresentation.hex == file.dh.alicePublic)
        #expect(bob.publicKey.rawRepresentation.hex == file.dh.bobPublic)
        #expect(try alice.sharedSecret(with: bob.publicKey).unsafeCopy().hex == file.dh.shared)
        #expect(try bob.sharedSecret(with: alice.publicKey).unsafeCopy().hex == file.dh.shared)
    }

    @Test func x25519RejectsLowOrderPoints() throws {
        let key = X25519.PrivateKey()
        // u = 0 and u = 1 are of small order: the output is all zeros and must be refused.
        for u in [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)] {
            #expect(throws: CryptoError.self) { try key.sharedSecret(with: X25519.PublicKey(rawRepresentation: u)) }
        }
    }

    @Test func generatedKeysAreClampedAndAgree() throws {
        let a = X25519.PrivateKey(), b = X25519.PrivateKey()
        let raw = a.secret.unsafeCopy()
        #expect(raw[0] & 7 == 0 && raw[31] & 0x80 == 0 && raw[31] & 0x40 == 0x40)
        #expect(try a.sharedSecret(with: b.publicKey) == b.sharedSecret(with: a.publicKey))
        #expect(try X25519.PublicKey(base64: a.publicKey.base64) == a.publicKey)
        #expect(try X25519.PrivateKey(base64: a.base64).publicKey == a.publicKey)
    }

    @Test func sha256AndTaggedHash() throws {
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var streaming = SHA256()
        streaming.update(Array("a".utf8))
        streaming.update(Array("bc".utf8))
        #expect(streaming.finalize() == SHA256.hash(Array("abc".utf8)))
        let tagHash = SHA256.hash(Array("BIP0340/challenge".utf8))
        #expect(SHA256.tagged("BIP0340/challenge", [1, 2], [3]) == SHA256.hash(tagHash + tagHash + [1, 2, 3]))
    }

    @Test func base64IsStrict() {
        #expect(Base64.encode([UInt8]()) == "")
        #expect(Base64.encode(Array("foob".utf8)) == "Zm9vYg==")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
        for bad in ["Zm9vYg=", "Zm9vYg", "Zm9v Yg==", "Zm9vYh==", "Zm9vYg==\n", "Zm9v!g==", "===="] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func constantTimeHelpers() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.isZero([0, 0, 0]))
        #expect(!ConstantTime.isZero([0, 0, 1]))
        var secret: [UInt8] = [9, 9, 9]
        SecureZero.zero(&secret)
        #expect(secret == [0, 0, 0])
        #expect(SecureBytes([1, 2]) == SecureBytes([1, 2]))
        #expect(SecureBytes([1, 2]) != SecureBytes([1, 3]))
    }
}
