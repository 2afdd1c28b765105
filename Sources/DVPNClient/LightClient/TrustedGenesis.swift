import DVPNLedger
import Foundation

/// The genesis file: the one thing a light client takes on trust (docs/light-client.md). Every
/// header it accepts descends from this genesis through commits of validators it names.
public enum TrustedGenesis {
    /// The file name looked for in the data directory; a dev node writes the same name into its
    /// own data directory.
    public static let fileName = "genesis.json"

    /// Loads `file`, or `genesis.json` in `dataDirectory` when `file` is nil.
    public static func load(file: String?, dataDirectory: String) throws(ClientError) -> Genesis {
        let path = file.map { ($0 as NSString).expandingTildeInPath }
            ?? (dataDirectory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            if file != nil { throw ClientError(.genesis, "cannot read the genesis file \(path)") }
            throw ClientError(.genesis, "no genesis file: pass --genesis FILE or copy the chain's genesis.json into \(dataDirectory) (a dev node writes it to DATA/genesis.json)")
        }
        do {
            return try Genesis(json: data)
        } catch {
            throw ClientError(.genesis, "\(path) is not a dvpn genesis file: \(error.reason)")
        }
    }
}
