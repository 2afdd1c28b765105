import ArgumentParser
import DVPNClient
import DVPNNodeAPI
import Foundation

/// `--genesis FILE`: what the light client trusts. Reads of accounts, offers and channels go
/// through `LightClient` (docs/light-client.md), which keeps its verified header chain in the
/// data directory and says on stderr, one line each, which node failed or lied.
struct LightClientOptions<Profile: ProgramProfile>: ParsableArguments {
    @Option(name: .customLong("genesis"), help: ArgumentHelp(
        "The chain's genesis file, the only thing the light client trusts (default: genesis.json in the data directory).",
        valueName: "FILE"))
    var genesis: String?

    init() {}

    /// Opens the light client over `nodes`, its header chain under `dataDirectory`.
    func open(nodes: NodeOptions, dataDirectory: DataDirectoryOptions<Profile>) throws -> LightClient {
        let directory = dataDirectory.path
        let trusted = try TrustedGenesis.load(file: genesis, dataDirectory: directory)
        _ = try dataDirectory.ensureExists()
        let program = Profile.programName
        return try LightClient(
            genesis: trusted, store: HeaderStore(genesis: trusted, dataDirectory: directory), nodes: nodes.clients(),
            report: { line in FileHandle.standardError.write(Data("\(program): \(line)\n".utf8)) },
            progress: { verified, target in
                FileHandle.standardError.write(Data("\(program): verified headers up to block \(verified) of \(target)\n".utf8))
            })
    }
}
