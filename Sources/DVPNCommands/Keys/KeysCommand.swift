import ArgumentParser
import DVPNCrypto
import Foundation

/// `keys new` / `keys show`: the participant's ledger identity (Schnorr, `dvpn1…` address) and
/// tunnel identity (X25519, shown in base64 as `wg` shows keys), in one encrypted key file.
public struct KeysCommand<Profile: ProgramProfile>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "keys",
            abstract: "Create and inspect the key file.",
            subcommands: [New.self, Show.self])
    }

    public init() {}

    /// `keys new`: generate both identities and write them encrypted, mode 0600.
    public struct New: ParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "new", abstract: "Generate a new key file.")
        }

        @OptionGroup public var dataDirectory: DataDirectoryOptions<Profile>
        @OptionGroup public var keys: KeyFileOptions
        @Flag(help: "Replace an existing key file (its keys are lost).") public var force = false
        @Flag(help: "Print JSON.") public var json = false

        public init() {}

        public func run() throws {
            let directory = keys.keyFile == nil ? try dataDirectory.ensureExists() : dataDirectory.path
            let path = keys.path(in: directory)
            if !force, FileManager.default.fileExists(atPath: path) {
                throw CommandFailure("\(path) already exists; pass --force to replace it")
            }
            let passphrase = try keys.passphraseForNewFile()
            let identity = KeyFile.Identity.generate()
            try KeyFile.write(identity, to: path, passphrase: passphrase, overwrite: force)
            print(KeySummary(identity: identity, path: path, protected: passphrase.isProtected).render(json: json))
        }
    }

    /// `keys show`: decrypt the key file and print the public halves.
    public struct Show: ParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "show", abstract: "Show the address and tunnel public key.")
        }

        @OptionGroup public var dataDirectory: DataDirectoryOptions<Profile>
        @OptionGroup public var keys: KeyFileOptions
        @Flag(help: "Print JSON.") public var json = false

        public init() {}

        public func run() throws {
            let path = keys.path(in: dataDirectory.path)
            let protected = try KeyFile.isProtected(at: path)
            let identity = try keys.loadIdentity(at: path)
            print(KeySummary(identity: identity, path: path, protected: protected).render(json: json))
        }
    }
}

/// The public facts about a key file, for people (aligned) or machines (`--json`).
struct KeySummary: Encodable {
    let address: String
    let tunnelPublicKey: String
    let keyFile: String
    let passphraseProtected: Bool

    init(identity: KeyFile.Identity, path: String, protected: Bool) {
        address = identity.address.string
        tunnelPublicKey = identity.tunnelKey.publicKey.base64
        keyFile = path
        passphraseProtected = protected
    }

    func render(json: Bool) -> String {
        if json { return JSONOutput.render(self) }
        return TextTable.keyValue([
            ("address", address),
            ("tunnel public key", tunnelPublicKey),
            ("key file", keyFile),
            ("passphrase", passphraseProtected ? "yes" : "NONE (insecure, devnet only)"),
        ])
    }
}
