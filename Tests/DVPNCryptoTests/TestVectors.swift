import Foundation

/// Loads the committed test vectors (Vectors/ is a resource folder of this test target).
enum TestVectors {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Vectors") else {
            throw VectorError.missing(name)
        }
        return url
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(name)))
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    enum VectorError: Error { case missing(String), badHex(String) }
}

extension Array where Element == UInt8 {
    /// Parses lowercase or uppercase hex; throws on odd length or a non-hex character.
    init(hex: String) throws {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { throw TestVectors.VectorError.badHex(hex) }
        func nibble(_ c: UInt8) throws -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: throw TestVectors.VectorError.badHex(hex)
            }
        }
        self = try stride(from: 0, to: chars.count, by: 2).map { try nibble(chars[$0]) << 4 | nibble(chars[$0 + 1]) }
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
