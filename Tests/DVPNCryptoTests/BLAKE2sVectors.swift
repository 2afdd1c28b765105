import Foundation
import Testing

/// Loads the committed BLAKE2s / HMAC-BLAKE2s / WireGuard KDF vectors from `Vectors/` (see
/// `Vectors/generate-blake2s-vectors.py` for where each file comes from).
enum BLAKE2sVectors {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// One row of the known-answer table: `hash = BLAKE2s-256(input, key)`.
    struct KnownAnswer {
        let input: [UInt8]
        let key: [UInt8]
        let hash: [UInt8]
    }

    struct RFC7693: Decodable {
        struct ABC: Decodable {
            let `in`: String
            let hash: String
        }
        struct SelfTest: Decodable {
            let outputLengths: [Int]
            let inputLengths: [Int]
            let grandHash: String
        }
        let abc: ABC
        let selfTest: SelfTest
    }

    struct Cases<Case: Decodable>: Decodable {
        let cases: [Case]
    }

    struct OutputLengthCase: Decodable {
        let outputByteCount: Int
        let key: String
        let `in`: String
        let hash: String
    }

    struct LongInputCase: Decodable {
        let length: Int
        let key: String
        let hash: String
    }

    struct HMACCase: Decodable {
        let key: String
        let message: String
        let mac: String
    }

    struct KDFFile: Decodable {
        struct Case: Decodable {
            let chainingKey: String
            let input: String
            let tau1: String
            let tau2: String
            let tau3: String
        }
        let construction: String
        let identifier: String
        let initialChainKey: String
        let initialHash: String
        let cases: [Case]
    }

    static func url(_ name: String, _ ext: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Vectors") else {
            throw LoadError(description: "missing test vector file Vectors/\(name).\(ext)")
        }
        return url
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name, "json")))
    }

    /// Parses the official KAT text format: `in:`, `key:`, `hash:` lines, blank-line separated;
    /// `#` lines are comments.
    static func knownAnswers() throws -> [KnownAnswer] {
        let text = try String(contentsOf: url("blake2s-kat", "txt"), encoding: .utf8)
        var rows: [KnownAnswer] = []
        var fields: [String: [UInt8]] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { continue }
            if line.isEmpty {
                if !fields.isEmpty { rows.append(try row(fields)) }
                fields = [:]
                continue
            }
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].hasSuffix(":") else {
                throw LoadError(description: "malformed KAT line: \(line)")
            }
            fields[String(parts[0].dropLast())] = try bytes(hex: String(parts[1]))
        }
        if !fields.isEmpty { rows.append(try row(fields)) }
        return rows
    }

    private static func row(_ fields: [String: [UInt8]]) throws -> KnownAnswer {
        guard let input = fields["in"], let key = fields["key"], let hash = fields["hash"] else {
            throw LoadError(description: "KAT entry without in/key/hash: \(fields.keys.sorted())")
        }
        return KnownAnswer(input: input, key: key, hash: hash)
    }

    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { throw LoadError(description: "odd-length hex: \(hex)") }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: throw LoadError(description: "not hex: \(hex)")
            }
        }
        return try stride(from: 0, to: digits.count, by: 2).map { try nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }
}
