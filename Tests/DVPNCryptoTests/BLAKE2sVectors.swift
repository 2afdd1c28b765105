import Foundation

/// The shapes of the committed BLAKE2s / HMAC-BLAKE2s / WireGuard KDF vector files in `Vectors/`
/// (see `Vectors/generate-blake2s-vectors.py` for where each comes from), read with `TestVectors`.
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

    /// Parses the official KAT text format: `in:`, `key:`, `hash:` lines, blank-line separated;
    /// `#` lines are comments.
    static func knownAnswers() throws -> [KnownAnswer] {
        let text = try TestVectors.text("blake2s-kat.txt")
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
            fields[String(parts[0].dropLast())] = try [UInt8](hex: String(parts[1]))
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
}
