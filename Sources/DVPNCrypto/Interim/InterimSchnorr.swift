// INTERIM: a stand-in for BIP340 Schnorr and AccountAddress from branch `schnorr`, written to the
// API in the helper brief so the ledger compiles before that branch lands. Delete this directory
// when merging `schnorr`.
import Foundation
internal import CSecp256k1

/// BIP340 Schnorr signatures over secp256k1 (libsecp256k1's schnorrsig module).
public enum Schnorr {
    /// One randomized context for signing and verification, shared: libsecp256k1 contexts are
    /// safe to use concurrently once randomized, and nothing mutates it afterwards.
    final class Context: @unchecked Sendable {
        static let shared = Context()
        let pointer: OpaquePointer

        private init() {
            pointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
            var seed = SecureRandom.bytes(count: 32)
            _ = secp256k1_context_randomize(pointer, &seed)
        }
    }

    public struct PrivateKey: Sendable {
        public let secret: SecureBytes
        public let publicKey: PublicKey

        public init() {
            while true {
                if let key = try? PrivateKey(rawRepresentation: SecureRandom.bytes(count: 32)) {
                    self = key
                    return
                }
            }
        }

        public init(rawRepresentation: some ContiguousBytes) throws(CryptoError) {
            let raw = rawRepresentation.withUnsafeBytes { [UInt8]($0) }
            guard raw.count == 32 else { throw CryptoError(.invalidLength, "Schnorr private key must be 32 bytes, got \(raw.count)") }
            var keypair = secp256k1_keypair()
            guard secp256k1_keypair_create(Context.shared.pointer, &keypair, raw) == 1 else {
                throw CryptoError(.invalidKey, "Schnorr private key is zero or not below the curve order")
            }
            var xonly = secp256k1_xonly_pubkey()
            var parity: Int32 = 0
            _ = secp256k1_keypair_xonly_pub(Context.shared.pointer, &xonly, &parity, &keypair)
            var out = [UInt8](repeating: 0, count: 32)
            _ = secp256k1_xonly_pubkey_serialize(Context.shared.pointer, &out, &xonly)
            secret = SecureBytes(raw)
            publicKey = try PublicKey(rawRepresentation: out)
        }

        public func signature(for message: some ContiguousBytes) throws(CryptoError) -> Signature {
            try signature(for: message, auxiliaryRandom: SecureRandom.bytes(count: 32))
        }

        public func signature(for message: some ContiguousBytes, auxiliaryRandom: some ContiguousBytes) throws(CryptoError) -> Signature {
            let msg = message.withUnsafeBytes { [UInt8]($0) }
            var aux = auxiliaryRandom.withUnsafeBytes { [UInt8]($0) }
            guard aux.count == 32 else { throw CryptoError(.invalidLength, "auxiliary randomness must be 32 bytes") }
            var keypair = secp256k1_keypair()
            let created = secret.withUnsafeBytes { s in
                secp256k1_keypair_create(Context.shared.pointer, &keypair, s.bindMemory(to: UInt8.self).baseAddress!)
            }
            guard created == 1 else { throw CryptoError(.libraryFailure, "secp256k1_keypair_create failed") }
            var sig = [UInt8](repeating: 0, count: 64)
            var extra = secp256k1_schnorrsig_extraparams()
            extra.magic = (0xda, 0x6f, 0xb3, 0x8c)
            let ok = aux.withUnsafeMutableBytes { a in
                extra.ndata = a.baseAddress
                return secp256k1_schnorrsig_sign_custom(Context.shared.pointer, &sig, msg, msg.count, &keypair, &extra)
            }
            guard ok == 1 else { throw CryptoError(.libraryFailure, "secp256k1_schnorrsig_sign_custom failed") }
            return try Signature(rawRepresentation: sig)
        }
    }

    public struct PublicKey: Hashable, Sendable {
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation: some ContiguousBytes) throws(CryptoError) {
            let raw = rawRepresentation.withUnsafeBytes { [UInt8]($0) }
            guard raw.count == 32 else { throw CryptoError(.invalidLength, "x-only public key must be 32 bytes, got \(raw.count)") }
            var xonly = secp256k1_xonly_pubkey()
            guard secp256k1_xonly_pubkey_parse(Context.shared.pointer, &xonly, raw) == 1 else {
                throw CryptoError(.invalidKey, "x-only public key is not on secp256k1")
            }
            self.rawRepresentation = raw
        }

        public func isValidSignature(_ s: Signature, for message: some ContiguousBytes) -> Bool {
            let msg = message.withUnsafeBytes { [UInt8]($0) }
            var xonly = secp256k1_xonly_pubkey()
            guard secp256k1_xonly_pubkey_parse(Context.shared.pointer, &xonly, rawRepresentation) == 1 else { return false }
            return secp256k1_schnorrsig_verify(Context.shared.pointer, s.rawRepresentation, msg, msg.count, &xonly) == 1
        }
    }

    public struct Signature: Hashable, Sendable {
        public let rawRepresentation: [UInt8]

        public init(rawRepresentation: some ContiguousBytes) throws(CryptoError) {
            let raw = rawRepresentation.withUnsafeBytes { [UInt8]($0) }
            guard raw.count == 64 else { throw CryptoError(.invalidLength, "Schnorr signature must be 64 bytes, got \(raw.count)") }
            self.rawRepresentation = raw
        }
    }
}

/// A ledger account: the bech32m ("dvpn1…") form of an x-only Schnorr public key.
public struct AccountAddress: Hashable, Sendable, CustomStringConvertible {
    public static let humanReadablePart = "dvpn"
    public let publicKey: Schnorr.PublicKey

    public init(publicKey: Schnorr.PublicKey) { self.publicKey = publicKey }

    public init(string: String) throws(CryptoError) {
        let (hrp, data) = try Bech32m.decode(string)
        guard hrp == Self.humanReadablePart else { throw CryptoError(.invalidEncoding, "address prefix must be dvpn1") }
        publicKey = try Schnorr.PublicKey(rawRepresentation: data)
    }

    public var string: String { Bech32m.encode(hrp: Self.humanReadablePart, data: publicKey.rawRepresentation) }
    public var description: String { string }
}

/// BIP350 bech32m over 8-bit data (converted to 5-bit groups with padding).
public enum Bech32m {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let constant: UInt32 = 0x2bc8_30a3

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let gen: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> i) & 1 == 1 { chk ^= gen[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    private static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0
        var out: [UInt8] = []
        let maxv = (1 << to) - 1
        for v in data {
            acc = (acc << from) | Int(v)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxv))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxv)) }
        } else if bits >= from || ((acc << (to - bits)) & maxv) != 0 {
            return nil
        }
        return out
    }

    public static func encode(hrp: String, data: [UInt8]) -> String {
        let h = Array(hrp.utf8)
        let values = convert(data, from: 8, to: 5, pad: true)!
        let pm = polymod(expand(h) + values + [0, 0, 0, 0, 0, 0]) ^ constant
        let checksum = (0..<6).map { UInt8((pm >> (5 * (5 - UInt32($0)))) & 31) }
        return hrp + "1" + String(decoding: (values + checksum).map { charset[Int($0)] }, as: UTF8.self)
    }

    public static func decode(_ string: String) throws(CryptoError) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(string.utf8)
        guard bytes.count <= 90, string.lowercased() == string,
              let sep = bytes.lastIndex(of: UInt8(ascii: "1")), sep >= 1, bytes.count - sep >= 7
        else { throw CryptoError(.invalidEncoding, "not a bech32m string") }
        let hrp = Array(bytes[..<sep])
        guard hrp.allSatisfy({ $0 >= 33 && $0 <= 126 }) else { throw CryptoError(.invalidEncoding, "bad bech32m prefix") }
        var values: [UInt8] = []
        for c in bytes[(sep + 1)...] {
            guard let i = charset.firstIndex(of: c) else { throw CryptoError(.invalidEncoding, "bad bech32m character") }
            values.append(UInt8(i))
        }
        guard polymod(expand(hrp) + values) == constant else { throw CryptoError(.invalidEncoding, "bech32m checksum mismatch") }
        guard let data = convert(Array(values.dropLast(6)), from: 5, to: 8, pad: false) else {
            throw CryptoError(.invalidEncoding, "bech32m padding is not zero")
        }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
