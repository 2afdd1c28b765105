import Foundation

/// Bech32 (BIP-173) and bech32m (BIP-350) strings: a human-readable part (HRP), the separator
/// `1`, and a data part of 5-bit groups written in a 32-character alphabet, the last six of which
/// are a BCH checksum over the HRP and the data. The two variants differ only in the constant the
/// checksum is xored with (1 for bech32, 0x2bc830a3 for bech32m); BIP-350 replaced bech32 because
/// inserting or deleting a `q` before a final `p` could keep a bech32 checksum valid.
///
/// Decoding is strict, as both BIPs require: at most 90 characters, printable US-ASCII only, no
/// mixed case, a non-empty HRP, a six-character checksum, and (for byte payloads) at most four
/// zero padding bits. Every violation throws `CryptoError(.invalidEncoding, …)` saying which rule
/// failed; nothing here traps on input.
public enum Bech32 {
    /// Which checksum constant a string uses.
    public enum Variant: Sendable, Hashable, CustomStringConvertible {
        /// BIP-173.
        case bech32
        /// BIP-350.
        case bech32m

        /// The constant the checksum is xored with (BIP-350 §"Specification").
        var checksumConstant: UInt32 {
            switch self {
            case .bech32: 1
            case .bech32m: 0x2BC8_30A3
            }
        }

        public var description: String {
            switch self {
            case .bech32: "bech32"
            case .bech32m: "bech32m"
            }
        }
    }

    /// The longest string BIP-173 allows (the checksum's guarantees hold up to this length).
    public static let maxLength = 90
    /// The checksum is six 5-bit groups.
    static let checksumLength = 6
    /// The data alphabet; a character's index is its 5-bit value.
    static let alphabet: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    /// ASCII code → 5-bit value, or -1 for characters outside the alphabet.
    static let alphabetIndex: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = Int8(value)
        }
        return table
    }()

    // MARK: Strings of 5-bit groups

    /// Encodes 5-bit `groups` under `hrp`, in lowercase as the BIPs require of encoders.
    ///
    /// The HRP and the payload are chosen by the program, not read from outside, so a bad one is
    /// a programming error: `hrp` must be 1–83 printable US-ASCII characters (33–126), every group
    /// below 32, and the result at most `maxLength` characters.
    public static func encode(hrp: String, groups: [UInt8], variant: Variant) -> String {
        let hrpBytes = Array(hrp.lowercased().utf8)
        precondition(!hrpBytes.isEmpty && hrpBytes.allSatisfy { (33...126).contains($0) },
                     "bech32 human-readable part must be 1–83 printable US-ASCII characters")
        precondition(groups.allSatisfy { $0 < 32 }, "bech32 data groups must be 5-bit values")
        precondition(hrpBytes.count + 1 + groups.count + checksumLength <= maxLength,
                     "bech32 string would exceed \(maxLength) characters")
        var checksum = polymod(hrp: hrpBytes, groups: groups + [UInt8](repeating: 0, count: checksumLength))
        checksum ^= variant.checksumConstant
        var out = hrpBytes
        out.append(UInt8(ascii: "1"))
        for group in groups {
            out.append(alphabet[Int(group)])
        }
        for i in 0..<checksumLength {
            out.append(alphabet[Int((checksum >> (5 * UInt32(checksumLength - 1 - i))) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes any bech32 or bech32m string and reports which variant its checksum uses. The HRP
    /// is returned in lowercase; `groups` excludes the checksum.
    public static func decode(_ string: String) throws(CryptoError) -> (hrp: String, groups: [UInt8], variant: Variant) {
        // Length first, so a hostile megabyte-long input is rejected before it is copied.
        guard string.utf8.count <= maxLength else {
            throw invalid("bech32 string is \(string.utf8.count) bytes long, longer than \(maxLength) characters")
        }
        var bytes = Array(string.utf8)
        if let bad = bytes.firstIndex(where: { !(33...126).contains($0) }) {
            let found = bytes[bad] < 0x80 ? "0x\(hex(bytes[bad]))" : "(non-ASCII)"
            throw invalid("invalid character \(found) at byte \(bad): bech32 allows only printable US-ASCII (33–126)")
        }
        let hasLower = bytes.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        let hasUpper = bytes.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        guard !(hasLower && hasUpper) else {
            throw invalid("bech32 string mixes upper and lower case")
        }
        if hasUpper {
            bytes = bytes.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
        }
        guard let separator = bytes.lastIndex(of: UInt8(ascii: "1")) else {
            throw invalid("bech32 string has no separator character '1'")
        }
        guard separator > 0 else {
            throw invalid("bech32 string has an empty human-readable part")
        }
        let dataCount = bytes.count - separator - 1
        guard dataCount >= checksumLength else {
            throw invalid("bech32 data part is \(dataCount) characters, too short for the \(checksumLength)-character checksum")
        }
        var values = [UInt8]()
        values.reserveCapacity(dataCount)
        for position in (separator + 1)..<bytes.count {
            let value = alphabetIndex[Int(bytes[position])]
            guard value >= 0 else {
                let character = Character(Unicode.Scalar(bytes[position]))
                throw invalid("invalid character '\(character)' at position \(position): not in the bech32 alphabet")
            }
            values.append(UInt8(value))
        }
        let hrp = Array(bytes[..<separator])
        let variant: Variant
        switch polymod(hrp: hrp, groups: values) {
        case Variant.bech32.checksumConstant: variant = .bech32
        case Variant.bech32m.checksumConstant: variant = .bech32m
        default: throw invalid("bech32 checksum does not match: the string is mistyped or corrupted")
        }
        return (String(decoding: hrp, as: UTF8.self), Array(values.dropLast(checksumLength)), variant)
    }

    // MARK: Byte payloads

    /// Encodes `data` as 5-bit groups (zero-padded at the end) under `hrp`. The same preconditions
    /// as `encode(hrp:groups:variant:)` apply.
    public static func encode(hrp: String, data: some ContiguousBytes, variant: Variant) -> String {
        encode(hrp: hrp, groups: groups(fromBytes: data), variant: variant)
    }

    /// Decodes a string that must use `variant` and carry whole bytes. A string that is valid in
    /// the other variant is rejected with a reason that says so.
    public static func decode(_ string: String, variant: Variant) throws(CryptoError) -> (hrp: String, data: [UInt8]) {
        let decoded = try decode(string)
        guard decoded.variant == variant else {
            throw invalid("string has a \(decoded.variant) checksum, but \(variant) is required")
        }
        return (decoded.hrp, try bytes(fromGroups: decoded.groups))
    }

    /// Regroups bytes into 5-bit groups, padding the last group with zero bits.
    public static func groups(fromBytes data: some ContiguousBytes) -> [UInt8] {
        data.withUnsafeBytes { bytes in
            var out = [UInt8]()
            out.reserveCapacity((bytes.count * 8 + 4) / 5)
            var accumulator: UInt32 = 0
            var bits = 0
            for byte in bytes {
                accumulator = (accumulator << 8 | UInt32(byte)) & 0xFFF
                bits += 8
                while bits >= 5 {
                    bits -= 5
                    out.append(UInt8((accumulator >> UInt32(bits)) & 31))
                }
            }
            if bits > 0 {
                out.append(UInt8((accumulator << UInt32(5 - bits)) & 31))
            }
            return out
        }
    }

    /// Regroups 5-bit groups into bytes. Strict, as BIP-173 requires of decoders: the leftover
    /// bits must be fewer than five (no whole padding group) and all zero.
    public static func bytes(fromGroups groups: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(groups.count * 5 / 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for group in groups {
            guard group < 32 else { throw invalid("bech32 data group \(group) is not a 5-bit value") }
            accumulator = (accumulator << 5 | UInt32(group)) & 0xFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        guard bits < 5 else {
            throw invalid("bech32 data ends with \(bits) padding bits; at most 4 are allowed")
        }
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else {
            throw invalid("bech32 data has non-zero padding bits")
        }
        return out
    }

    // MARK: Checksum

    /// The BCH checksum polynomial of BIP-173 §"Checksum", computed over the HRP expanded to
    /// (high bits ‖ 0 ‖ low bits) followed by the data groups.
    static func polymod(hrp: [UInt8], groups: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        func feed(_ value: UInt8) {
            let top = checksum >> 25
            checksum = (checksum & 0x1FF_FFFF) << 5 ^ UInt32(value)
            for (i, generator) in generators.enumerated() where (top >> UInt32(i)) & 1 == 1 {
                checksum ^= generator
            }
        }
        for character in hrp { feed(character >> 5) }
        feed(0)
        for character in hrp { feed(character & 31) }
        for group in groups { feed(group) }
        return checksum
    }

    private static let generators: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    @inline(never)
    static func invalid(_ reason: String, file: String = #fileID, line: UInt = #line) -> CryptoError {
        CryptoError(.invalidEncoding, reason, file: file, line: line)
    }
}

/// Bech32m (BIP-350) with byte payloads: the encoding of `dvpn1…` account addresses.
public enum Bech32m {
    /// Encodes `data` under `hrp` with the bech32m checksum. The HRP must be 1–83 printable
    /// US-ASCII characters and the result at most 90 characters (programming errors otherwise).
    public static func encode(hrp: String, data: some ContiguousBytes) -> String {
        Bech32.encode(hrp: hrp, data: data, variant: .bech32m)
    }

    /// Decodes a bech32m string carrying whole bytes; throws `.invalidEncoding` with the rule
    /// that failed, including "bech32 checksum where bech32m is required".
    public static func decode(_ string: String) throws(CryptoError) -> (hrp: String, data: [UInt8]) {
        try Bech32.decode(string, variant: .bech32m)
    }
}
