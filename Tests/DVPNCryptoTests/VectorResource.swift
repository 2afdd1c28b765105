import Foundation

/// Loads committed test vectors from `Tests/DVPNCryptoTests/Vectors/` (copied into the test
/// bundle by the package's `.copy("Vectors")` resource rule).
enum VectorResource {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "test vector file Vectors/\(name) is not in the test bundle" }
    }

    /// The raw bytes of `Vectors/<name>`.
    static func data(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: name)
        guard let found = Bundle.module.url(
            forResource: url.deletingPathExtension().lastPathComponent,
            withExtension: url.pathExtension,
            subdirectory: "Vectors")
        else { throw Missing(name: name) }
        return try Data(contentsOf: found)
    }

    /// The lines of a text vector file, without line terminators (LF or CRLF) or blank lines.
    static func lines(_ name: String) throws -> [String] {
        String(decoding: try data(name), as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map(String.init)
            .filter { !$0.isEmpty }
    }

    /// Bytes from a hex string (either case); the vector files are trusted, so bad hex is a
    /// broken vector file and fails the test.
    static func bytes(hex: String) throws -> [UInt8] {
        struct BadHex: Error { let hex: String }
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { throw BadHex(hex: hex) }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
                throw BadHex(hex: hex)
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
