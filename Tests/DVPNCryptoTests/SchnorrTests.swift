import DVPNCrypto
import Testing

/// One row of BIP340's `test-vectors.csv`.
struct BIP340Vector: Sendable {
    let index: Int
    let secretKey: [UInt8]?
    let publicKey: [UInt8]
    let auxiliaryRandom: [UInt8]?
    let message: [UInt8]
    let signature: [UInt8]
    let verifies: Bool
    let comment: String

    /// All rows of `Vectors/bip340-test-vectors.csv`: the official file from bitcoin/bips
    /// `bip-0340/test-vectors.csv`, including rows 15–18 (messages of 0, 1, 17 and 100 bytes).
    static func load() throws -> [BIP340Vector] {
        let lines = try TestVectors.text("bip340-test-vectors.csv")
            .split(whereSeparator: \.isNewline).map(String.init)
        #expect(lines.first?.hasPrefix("index,secret key,public key,aux_rand,message,signature") == true)
        return try lines.dropFirst().map { line in
            // Seven fixed columns, then a free-text comment (kept whole even if it held commas).
            let fields = line.split(separator: ",", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
            struct BadRow: Error { let line: String }
            guard fields.count >= 7, let index = Int(fields[0]) else { throw BadRow(line: line) }
            return BIP340Vector(
                index: index,
                secretKey: fields[1].isEmpty ? nil : try [UInt8](hex: fields[1]),
                publicKey: try [UInt8](hex: fields[2]),
                auxiliaryRandom: fields[3].isEmpty ? nil : try [UInt8](hex: fields[3]),
                message: try [UInt8](hex: fields[4]),
                signature: try [UInt8](hex: fields[5]),
                verifies: fields[6] == "TRUE",
                comment: fields.count > 7 ? fields[7] : "")
        }
    }
}

@Suite("BIP340 Schnorr")
struct SchnorrTests {
    @Test("every row of the official BIP340 vectors: signing rows sign exactly, failing rows fail")
    func officialVectors() throws {
        let vectors = try BIP340Vector.load()
        #expect(vectors.map(\.index) == Array(0...18), "the file should hold all 19 official rows")
        #expect(Set(vectors.map(\.message.count)).isSuperset(of: [0, 1, 17, 32, 100]))

        var signingRows = 0
        var failingRows = 0
        for vector in vectors {
            let row = "row \(vector.index) (\(vector.comment))"
            // Verification: a key that does not parse can verify nothing.
            var verified = false
            do throws(CryptoError) {
                let key = try Schnorr.PublicKey(rawRepresentation: vector.publicKey)
                let signature = try Schnorr.Signature(rawRepresentation: vector.signature)
                verified = key.isValidSignature(signature, for: vector.message)
            } catch {
                #expect(!vector.verifies, "\(row): \(error)")
                #expect(error.code == .invalidKey, "\(row): \(error)")
            }
            #expect(verified == vector.verifies, "\(row)")
            if !vector.verifies {
                failingRows += 1
            }
            // Rows 5 and 14 are invalid because of the key: parsing must already reject it.
            if vector.comment.hasPrefix("public key") {
                #expect(throws: CryptoError.self, "\(row)") {
                    try Schnorr.PublicKey(rawRepresentation: vector.publicKey)
                }
            }

            // Signing: the secret key derives the listed public key and, with the listed
            // auxiliary randomness, exactly the listed signature.
            if let secretKey = vector.secretKey, let auxiliary = vector.auxiliaryRandom {
                signingRows += 1
                let privateKey = try Schnorr.PrivateKey(rawRepresentation: secretKey)
                #expect(privateKey.publicKey.rawRepresentation == vector.publicKey, "\(row)")
                let signature = try privateKey.signature(for: vector.message, auxiliaryRandom: auxiliary)
                #expect(signature.rawRepresentation == vector.signature, "\(row)")
            }
        }
        #expect(signingRows == 8)
        #expect(failingRows == 10)
    }

    @Test("sign and verify round trip with random keys and messages of many lengths")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 17, 31, 32, 33, 64, 100, 1000, 4096] {
            let privateKey = Schnorr.PrivateKey()
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let signature = try privateKey.signature(for: message)
            #expect(privateKey.publicKey.isValidSignature(signature, for: message), "length \(length)")

            // Another message: one more byte, or one flipped bit.
            #expect(!privateKey.publicKey.isValidSignature(signature, for: message + [0]))
            if !message.isEmpty {
                var flipped = message
                flipped[Int.random(in: 0..<flipped.count)] ^= 1 << UInt8.random(in: 0...7)
                #expect(!privateKey.publicKey.isValidSignature(signature, for: flipped))
            }
            // Another key.
            #expect(!Schnorr.PrivateKey().publicKey.isValidSignature(signature, for: message))
            // A flipped bit anywhere in the signature.
            var tampered = signature.rawRepresentation
            tampered[Int.random(in: 0..<64)] ^= 1 << UInt8.random(in: 0...7)
            #expect(!privateKey.publicKey.isValidSignature(try Schnorr.Signature(rawRepresentation: tampered), for: message))
        }
    }

    @Test("fresh auxiliary randomness gives a new signature each time; fixed randomness is deterministic")
    func auxiliaryRandomness() throws {
        let privateKey = Schnorr.PrivateKey()
        let message = Array("tag ‖ chain id ‖ body".utf8)
        let first = try privateKey.signature(for: message)
        let second = try privateKey.signature(for: message)
        #expect(first != second)
        #expect(privateKey.publicKey.isValidSignature(first, for: message))
        #expect(privateKey.publicKey.isValidSignature(second, for: message))

        let auxiliary = [UInt8](repeating: 0x5A, count: 32)
        let fixed1 = try privateKey.signature(for: message, auxiliaryRandom: auxiliary)
        let fixed2 = try privateKey.signature(for: message, auxiliaryRandom: auxiliary)
        #expect(fixed1 == fixed2)
        #expect(throws: CryptoError.self) { try privateKey.signature(for: message, auxiliaryRandom: [UInt8](repeating: 0, count: 31)) }
    }

    /// n, the order of secp256k1's group (SEC 2 §2.4.1).
    static let order = try! [UInt8](hex: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141")
    /// x of the generator G (SEC 2 §2.4.1): the public key of both 1 and n − 1.
    static let generatorX = try! [UInt8](hex: "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")

    @Test("private keys must be scalars in 1..<n")
    func privateKeyRange() throws {
        func expectInvalidKey(_ raw: [UInt8], _ what: String) {
            let error = #expect(throws: CryptoError.self, "\(what)") { try Schnorr.PrivateKey(rawRepresentation: raw) }
            #expect(error?.code == .invalidKey, "\(what)")
        }
        expectInvalidKey([UInt8](repeating: 0, count: 32), "zero")
        expectInvalidKey(Self.order, "n")
        var nPlusOne = Self.order
        nPlusOne[31] += 1
        expectInvalidKey(nPlusOne, "n + 1")
        expectInvalidKey([UInt8](repeating: 0xFF, count: 32), "2^256 - 1")

        var one = [UInt8](repeating: 0, count: 32)
        one[31] = 1
        var nMinusOne = Self.order
        nMinusOne[31] -= 1
        #expect(try Schnorr.PrivateKey(rawRepresentation: one).publicKey.rawRepresentation == Self.generatorX)
        #expect(try Schnorr.PrivateKey(rawRepresentation: nMinusOne).publicKey.rawRepresentation == Self.generatorX)
    }

    @Test("keys and signatures of the wrong length are rejected with .invalidLength")
    func lengths() {
        for count in [0, 31, 33, 64] {
            let bytes = [UInt8](repeating: 7, count: count)
            let privateError = #expect(throws: CryptoError.self) { try Schnorr.PrivateKey(rawRepresentation: bytes) }
            #expect(privateError?.code == .invalidLength)
            let publicError = #expect(throws: CryptoError.self) { try Schnorr.PublicKey(rawRepresentation: bytes) }
            #expect(publicError?.code == .invalidLength)
        }
        for count in [0, 32, 63, 65, 128] {
            let error = #expect(throws: CryptoError.self) { try Schnorr.Signature(rawRepresentation: [UInt8](repeating: 7, count: count)) }
            #expect(error?.code == .invalidLength)
        }
    }

    @Test("the shared context serves many threads signing and verifying at once")
    func concurrentUse() async throws {
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let key = Schnorr.PrivateKey()
                    var allGood = true
                    for round in 0..<50 {
                        let message = Array("task \(task) round \(round)".utf8)
                        let signature = try key.signature(for: message)
                        allGood = allGood && key.publicKey.isValidSignature(signature, for: message)
                        allGood = allGood && !key.publicKey.isValidSignature(signature, for: message + [1])
                    }
                    return allGood
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [Bool](repeating: true, count: 8))
    }
}
