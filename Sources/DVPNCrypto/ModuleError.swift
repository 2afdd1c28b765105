/// The shape every module's one public error type shares (`CryptoError`, `TunnelError`,
/// `LedgerError`, …), after swift-certificates' `X509.Error`: an extensible code, a reason that
/// reads as one line, and the place it was raised.
///
/// Equality and hashing look at the code and the reason only, so the same failure compares equal
/// whichever call site raised it; `description` is the reason, which is what the executables
/// print. A conforming type declares its stored properties and its `Code`, nothing else.
public protocol ModuleError: Error, Hashable, CustomStringConvertible, Sendable {
    associatedtype Code: Hashable & Sendable
    var code: Code { get }
    var reason: String { get }
    var file: String { get }
    var line: UInt { get }
}

extension ModuleError {
    public var description: String { reason }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(reason)
    }
}
