import ArgumentParser
import DVPNCrypto
import Foundation

/// `--key-file PATH` and how its passphrase is obtained.
///
/// The passphrase comes from `DVPN_PASSPHRASE` when set, else from a prompt on the terminal.
/// `--insecure-no-passphrase` writes (or reads) an unprotected key, for devnets only.
public struct KeyFileOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: ArgumentHelp(
        "Key file (default: key.json in the data directory).", valueName: "PATH"))
    public var keyFile: String?

    @Flag(name: .customLong("insecure-no-passphrase"), help: "Store the key without a passphrase (devnets only).")
    public var insecureNoPassphrase = false

    public init() {}

    /// The key file path: `--key-file`, else `key.json` inside `dataDirectory`.
    public func path(in dataDirectory: String) -> String {
        if let keyFile { return (keyFile as NSString).expandingTildeInPath }
        return (dataDirectory as NSString).appendingPathComponent("key.json")
    }

    /// The passphrase to protect a new key file with; asks twice on a terminal.
    public func passphraseForNewFile() throws -> Passphrase {
        if insecureNoPassphrase { return .none }
        return try PassphraseSource.obtain(prompt: "New passphrase: ", confirm: true)
    }

    /// The passphrase to open the key file at `path`; asks only if the file is protected.
    public func passphrase(forExisting path: String) throws -> Passphrase {
        guard try KeyFile.isProtected(at: path) else { return .none }
        return try PassphraseSource.obtain(prompt: "Passphrase for \(path): ", confirm: false)
    }

    /// Reads and decrypts the identity at `path`.
    public func loadIdentity(at path: String) throws -> KeyFile.Identity {
        try KeyFile.read(at: path, passphrase: passphrase(forExisting: path))
    }
}
