import Foundation
internal import CSodium

/// Standard base64 with padding (RFC 4648 §4), the form `wg` uses for keys. Decoding is strict:
/// no whitespace, no missing padding, no trailing garbage.
public enum Base64 {
    public static func encode(_ bytes: some ContiguousBytes) -> String {
        _ = Sodium.ready
        return bytes.withUnsafeBytes { raw in
            let variant = sodium_base64_VARIANT_ORIGINAL
            let length = sodium_base64_encoded_len(raw.count, variant)
            var out = [CChar](repeating: 0, count: length)
            out.withUnsafeMutableBufferPointer { o in
                _ = sodium_bin2base64(o.baseAddress!, length, raw.bytes, raw.count, variant)
            }
            return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Returns nil when `text` is not canonical base64.
    public static func decode(_ text: String) -> [UInt8]? {
        _ = Sodium.ready
        let input = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3 + 3)
        var length = 0
        var end: UnsafePointer<CChar>? = nil
        let rc = input.withUnsafeBufferPointer { inp in
            inp.withMemoryRebound(to: CChar.self) { cin in
                out.withUnsafeMutableBufferPointer { o in
                    sodium_base642bin(o.baseAddress!, o.count, cin.baseAddress ?? UnsafePointer(OpaquePointer(emptyScratch)), cin.count, nil, &length, &end, sodium_base64_VARIANT_ORIGINAL)
                }
            }
        }
        guard rc == 0 else { return nil }
        // sodium_base642bin stops at the first invalid character; require it to have consumed all.
        let consumed = input.withUnsafeBufferPointer { inp in
            inp.withMemoryRebound(to: CChar.self) { cin in
                end.map { cin.baseAddress!.distance(to: $0) } ?? -1
            }
        }
        guard consumed == input.count else { return nil }
        out.removeSubrange(length...)
        // Reject non-canonical encodings (non-zero bits in the last character's unused bits).
        guard encode(out) == text else { return nil }
        return out
    }
}
