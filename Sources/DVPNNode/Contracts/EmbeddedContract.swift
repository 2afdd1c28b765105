import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments

/// A contract module compiled into the node (see `Scripts/embed-contracts.sh`): its name, the
/// SHA-256 the dev genesis pins, and its bytes.
///
/// Base64 in a string literal rather than a `[UInt8]` literal: the compiler type-checks a string
/// in no time, an array of tens of thousands of integer literals slowly.
public struct EmbeddedContract: Sendable {
    public let name: String
    public let sha256: String
    private let base64: String

    init(name: String, sha256: String, base64: String) {
        self.name = name
        self.sha256 = sha256
        self.base64 = base64
    }

    /// A module given as bytes (tests deploy their own contracts this way).
    init(name: String, code: [UInt8]) {
        self.init(name: name, sha256: Hex.encode(SHA256.hash(code)), base64: Base64.encode(code))
    }

    /// The module's bytes. The generator wrote valid base64 and its hash; a mismatch would mean
    /// the generated file was edited by hand, which the precondition refuses to run with.
    public var code: [UInt8] {
        guard let bytes = Base64.decode(base64) else {
            preconditionFailure("EmbeddedContracts+Generated.swift holds invalid base64 for \(name)")
        }
        precondition(Hex.encode(SHA256.hash(bytes)) == sha256, "embedded contract \(name) does not match its SHA-256")
        return bytes
    }

    /// The contracts a dev genesis pins.
    public static var devnet: [EmbeddedContract] { all }
}
