import DVPNCrypto
import DVPNTestSupport
import Testing

/// Decoder robustness (issue 2, acceptance): at least 100,000 random and mutated inputs each to
/// `Bech32m.decode`, `AccountAddress(string:)`, `Schnorr.PublicKey(rawRepresentation:)` and
/// `Schnorr.Signature(rawRepresentation:)`. Each input must either round-trip or throw a
/// `CryptoError` of the expected code; a trap would end the test process, so finishing is itself
/// the "never traps" evidence. The generator is seeded, so a failure reproduces exactly.
@Suite("Schnorr and bech32m decoders under fuzzing")
struct SchnorrBech32FuzzTests {
    static let iterations = 100_000

    /// Inputs that did not behave, kept short for the failure message.
    struct Misbehaviour: CustomStringConvertible {
        var examples: [String] = []
        var count = 0
        mutating func record(_ what: @autoclosure () -> String) {
            count += 1
            if examples.count < 5 { examples.append(what()) }
        }
        var description: String { "\(count) inputs misbehaved, e.g. \(examples)" }
    }

    @Test("Bech32m.decode: round-trips or throws .invalidEncoding")
    func bech32mDecode() {
        var fuzz = FuzzInput(seed: 0xB3C3_2001)
        let seeds = fuzz.validBech32mStrings(count: 64)
        var bad = Misbehaviour()
        var decoded = 0
        for _ in 0..<Self.iterations {
            let input = fuzz.string(seeds: seeds)
            do throws(CryptoError) {
                let (hrp, data) = try Bech32m.decode(input)
                decoded += 1
                if Bech32m.encode(hrp: hrp, data: data) != input.lowercased() { bad.record(input) }
            } catch {
                if error.code != .invalidEncoding { bad.record("\(input): \(error)") }
            }
        }
        #expect(bad.count == 0, "\(bad)")
        // Both paths must have been exercised, or the fuzzing proved nothing.
        #expect(decoded > 1_000 && decoded < Self.iterations - 1_000, "decoded \(decoded)")
    }

    @Test("AccountAddress(string:): round-trips or throws .invalidEncoding / .invalidKey")
    func accountAddress() {
        var fuzz = FuzzInput(seed: 0xADD2_E550)
        // Well-formed dvpn1 strings of random 32-byte payloads: about half are keys on the curve
        // (round-trip path), half are not (.invalidKey path).
        let seeds = (0..<64).map { _ in Bech32m.encode(hrp: "dvpn", data: (0..<32).map { _ in fuzz.byte() }) }
        var bad = Misbehaviour()
        var decoded = 0
        var offCurve = 0
        for _ in 0..<Self.iterations {
            let input = fuzz.string(seeds: seeds)
            do throws(CryptoError) {
                let address = try AccountAddress(string: input)
                decoded += 1
                if address.string != input.lowercased() { bad.record(input) }
            } catch {
                if error.code == .invalidKey { offCurve += 1 }
                if error.code != .invalidEncoding && error.code != .invalidKey { bad.record("\(input): \(error)") }
            }
        }
        #expect(bad.count == 0, "\(bad)")
        #expect(decoded > 1_000 && offCurve > 1_000, "decoded \(decoded), off the curve \(offCurve)")
    }

    @Test("Schnorr.PublicKey(rawRepresentation:): round-trips or throws")
    func publicKey() {
        var fuzz = FuzzInput(seed: 0x9B_4E75)
        let seeds = (0..<64).map { _ in fuzz.validPrivateKey().publicKey.rawRepresentation }
        var bad = Misbehaviour()
        var parsed = 0
        var offCurve = 0
        for _ in 0..<Self.iterations {
            let input = fuzz.bytes(seeds: seeds, typicalCount: Schnorr.publicKeyByteCount)
            do throws(CryptoError) {
                let key = try Schnorr.PublicKey(rawRepresentation: input)
                parsed += 1
                if key.rawRepresentation != input { bad.record("\(input)") }
                // A parsed key is usable: its address round-trips.
                if (try? AccountAddress(string: AccountAddress(publicKey: key).string))?.publicKey != key {
                    bad.record("address of \(input)")
                }
            } catch {
                let expected: CryptoError.Code = input.count == Schnorr.publicKeyByteCount ? .invalidKey : .invalidLength
                if error.code == .invalidKey { offCurve += 1 }
                if error.code != expected { bad.record("\(input): \(error)") }
            }
        }
        #expect(bad.count == 0, "\(bad)")
        // About half of all 32-byte strings are x coordinates of points.
        #expect(parsed > 1_000 && offCurve > 1_000, "parsed \(parsed), off the curve \(offCurve)")
    }

    @Test("Schnorr.Signature(rawRepresentation:): round-trips or throws; mutants never verify")
    func signature() throws {
        var fuzz = FuzzInput(seed: 0x5167_0064)
        let key = fuzz.validPrivateKey()
        let message = Array("fuzzed signature".utf8)
        let genuine = try key.signature(for: message)
        let seeds = [genuine.rawRepresentation]
        var bad = Misbehaviour()
        var parsed = 0
        for iteration in 0..<Self.iterations {
            let input = fuzz.bytes(seeds: seeds, typicalCount: Schnorr.signatureByteCount)
            do throws(CryptoError) {
                let signature = try Schnorr.Signature(rawRepresentation: input)
                parsed += 1
                if signature.rawRepresentation != input { bad.record("\(input)") }
                // Verification costs ~50 µs, so only every 10th parsed input is checked.
                if iteration.isMultiple(of: 10), input != genuine.rawRepresentation,
                   key.publicKey.isValidSignature(signature, for: message) {
                    bad.record("mutant verified: \(input)")
                }
            } catch {
                if error.code != .invalidLength || input.count == Schnorr.signatureByteCount {
                    bad.record("\(input): \(error)")
                }
            }
        }
        #expect(bad.count == 0, "\(bad)")
        #expect(parsed > 1_000 && parsed < Self.iterations - 1_000, "parsed \(parsed)")
    }
}

/// A small deterministic input generator over `DVPNTestSupport.Fuzzer`: random strings over the bech32
/// alphabet (both cases, plus the separator, other printable ASCII and some non-ASCII), and
/// mutations of valid seeds (substitution, insertion, deletion, adjacent swap, case flip,
/// truncation, duplication, splicing two seeds; bit flips and length changes for bytes).
struct FuzzInput {
    /// The shared deterministic generator; this type adds string- and key-shaped mutations.
    private var random: Fuzzer

    init(seed: UInt64) {
        random = Fuzzer(seed: seed)
    }

    mutating func next() -> UInt64 {
        random.next()
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    mutating func byte() -> UInt8 {
        UInt8(truncatingIfNeeded: next())
    }

    /// A valid key drawn from this generator, so the seeds are reproducible too.
    mutating func validPrivateKey() -> Schnorr.PrivateKey {
        while true {
            let raw = (0..<Schnorr.privateKeyByteCount).map { _ in byte() }
            if let key = try? Schnorr.PrivateKey(rawRepresentation: raw) { return key }
        }
    }

    /// Valid bech32m strings with assorted HRPs and payload lengths.
    mutating func validBech32mStrings(count: Int) -> [String] {
        let hrps = ["dvpn", "a", "bc", "tb", "x", "an83", "?", "split"]
        return (0..<count).map { _ in
            let hrp = hrps[below(hrps.count)]
            let maxBytes = (Bech32.maxLength - hrp.count - 1 - 6) * 5 / 8
            let data = (0..<below(maxBytes + 1)).map { _ in byte() }
            return Bech32m.encode(hrp: hrp, data: data)
        }
    }

    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".unicodeScalars)
    private static let odd: [Unicode.Scalar] = ["1", "b", "i", "o", "B", "I", "O", " ", "\u{7F}", "\u{80}", "\u{FF}", "é", "€", "\u{0}", "\n", "🙂"]

    /// A random character: mostly alphabet letters in either case, sometimes anything else.
    mutating func scalar() -> Unicode.Scalar {
        switch below(20) {
        case 0..<12: return Self.alphabet[below(32)]
        case 12..<15: return Character(Self.alphabet[below(32)]).uppercased().unicodeScalars.first!
        case 15..<17: return Unicode.Scalar(UInt8(33 + below(94)))
        default: return Self.odd[below(Self.odd.count)]
        }
    }

    /// 45% fresh random strings, 45% mutations of `seeds`, 10% seeds left valid (half of them
    /// uppercased, which BIP-173 allows) so that the round-trip path is well exercised.
    mutating func string(seeds: [String]) -> String {
        var scalars: [Unicode.Scalar]
        let pick = below(20)
        if pick < 2 {
            let seed = seeds[below(seeds.count)]
            return pick == 0 ? seed : seed.uppercased()
        } else if pick < 11 {
            scalars = (0..<below(100)).map { _ in scalar() }
            if below(3) == 0 {
                // Give it a plausible shape: prefix and separator.
                scalars = Array("dvpn1".unicodeScalars) + scalars
            }
        } else {
            scalars = Array(seeds[below(seeds.count)].unicodeScalars)
            for _ in 0..<(1 + below(3)) {
                mutate(&scalars, seeds: seeds)
            }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    private mutating func mutate(_ s: inout [Unicode.Scalar], seeds: [String]) {
        let position = s.isEmpty ? 0 : below(s.count)
        switch below(8) {
        case 0 where !s.isEmpty: s[position] = scalar()
        case 1: s.insert(scalar(), at: s.isEmpty ? 0 : below(s.count + 1))
        case 2 where !s.isEmpty: s.remove(at: position)
        case 3 where s.count > 1: s.swapAt(position, (position + 1) % s.count)
        case 4 where !s.isEmpty:
            let flipped = Character(s[position]).isUppercase
                ? Character(s[position]).lowercased() : Character(s[position]).uppercased()
            s[position] = flipped.unicodeScalars.first!
        case 5: s = Array(s.prefix(below(s.count + 1)))
        case 6 where !s.isEmpty: s.insert(contentsOf: s[position...].prefix(1 + below(8)), at: position)
        case 7:
            let other = Array(seeds[below(seeds.count)].unicodeScalars)
            s = Array(s.prefix(position)) + other.suffix(below(other.count + 1))
        default: break  // a mutation that did not apply leaves the seed valid: the round-trip path
        }
    }

    /// Half random byte strings (length often exactly `typicalCount`), half mutations of `seeds`.
    mutating func bytes(seeds: [[UInt8]], typicalCount: Int) -> [UInt8] {
        if below(2) == 0 {
            let count = below(3) == 0 ? below(2 * typicalCount + 2) : typicalCount
            return (0..<count).map { _ in byte() }
        }
        var b = seeds[below(seeds.count)]
        for _ in 0..<(1 + below(3)) {
            let position = b.isEmpty ? 0 : below(b.count)
            switch below(6) {
            case 0 where !b.isEmpty: b[position] ^= 1 << UInt8(below(8))
            case 1 where !b.isEmpty: b[position] = byte()
            case 2: b.insert(byte(), at: b.isEmpty ? 0 : below(b.count + 1))
            case 3 where !b.isEmpty: b.remove(at: position)
            case 4: b = Array(b.prefix(below(b.count + 1)))
            default: break  // unmutated: the round-trip path
            }
        }
        return b
    }
}
