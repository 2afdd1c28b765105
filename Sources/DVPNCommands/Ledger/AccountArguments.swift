import DVPNNodeAPI
import ArgumentParser
import DVPNCrypto
import DVPNNode

/// Where a command gets its signing identity: `--key-file` (or `key.json` in `--data-dir`).
struct SigningIdentity<Profile: ProgramProfile>: ParsableArguments {
    @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
    @OptionGroup var keys: KeyFileOptions

    init() {}

    func load() throws -> KeyFile.Identity {
        try keys.loadIdentity(at: keys.path(in: dataDirectory.path))
    }
}

enum AddressArgument {
    /// Parses a `dvpn1…` address typed by a person; the error names what was typed.
    static func parse(_ text: String, what: String = "address") throws -> AccountAddress {
        do {
            return try AccountAddress(string: text)
        } catch {
            throw CommandFailure("\(what) '\(text.prefix(100))' is not a dvpn1… address: \(error.reason)")
        }
    }

    /// The account, or a one-line "unknown address" failure when the chain has never seen it.
    static func account(_ address: AccountAddress, client: NodeClient) async throws -> NodeAPI.Account {
        let result: Result<NodeAPI.Account, NodeError>
        do {
            result = .success(try await client.account(address.string))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let account): return account
        case .failure(let error) where error.code == .notFound:
            throw CommandFailure("unknown address \(address.string): it has never held funds on this chain")
        case .failure(let error): throw error
        }
    }
}
