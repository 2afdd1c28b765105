import DVPNCrypto

/// The one public error type of DVPNPayments: an extensible code, a reason a person can act on,
/// and where it was raised (the shape of `LedgerError`, see `ModuleError`).
///
/// Expected rejections in the payment protocol (a stale voucher, a voucher for another channel)
/// are values returned by the state machines, not this error; it is thrown only where input
/// cannot be understood at all or a local operation (signing) fails.
public struct PaymentError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// Bytes or text that do not decode (a voucher's hex, a contract's return value).
        public static let malformed = Code(name: "malformed")
        /// Signing with the local key failed.
        public static let signing = Code(name: "signing")
        /// An amount computation overflowed or a value is outside what the protocol allows.
        public static let outOfRange = Code(name: "out of range")

        public var description: String { name }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: UInt

    @inline(never)
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }
}
