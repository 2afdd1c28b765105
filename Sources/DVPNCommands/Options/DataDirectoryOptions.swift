import ArgumentParser
import Foundation

/// `--data-dir DIR`: where a program keeps its key file, database and configuration.
public struct DataDirectoryOptions<Profile: ProgramProfile>: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Data directory (default: ~/\(Profile.defaultDataDirectoryName)).", valueName: "DIR"))
    public var dataDirectory: String?

    public init() {}

    /// The directory, with `~` expanded, without creating it.
    public var path: String {
        if let dataDirectory { return (dataDirectory as NSString).expandingTildeInPath }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(Profile.defaultDataDirectoryName)
    }

    /// Creates the directory (mode 0700: it holds secrets) if it does not exist yet.
    public func ensureExists() throws -> String {
        let path = self.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandFailure("\(path) exists and is not a directory") }
            return path
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create data directory \(path): \(error.localizedDescription)")
        }
        return path
    }
}
