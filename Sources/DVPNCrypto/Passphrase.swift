import Foundation

/// What protects a key file. `.none` exists only for throwaway devnet keys and must be asked for
/// explicitly (`--insecure-no-passphrase`); the file then records that it is unprotected.
public enum Passphrase: Sendable {
    case none
    case secret(SecureBytes)

    /// A passphrase from UTF-8 text. The caller should drop its own copy of the text promptly.
    public init(_ text: String) {
        var bytes = Array(text.utf8)
        defer { SecureZero.zero(&bytes) }
        self = .secret(SecureBytes(bytes))
    }

    /// False for `.none`.
    public var isProtected: Bool {
        if case .secret = self { return true }
        return false
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .none: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .secret(let bytes): return try bytes.withUnsafeBytes(body)
        }
    }
}
