import Foundation

/// Runs one of the repository's shell scripts on the built executables (`BIN`), output and
/// errors together, and returns its exit status and text.
enum ScriptRunner {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws
        -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repository.appendingPathComponent(script).path] + arguments
        var merged = ProcessInfo.processInfo.environment
        merged["BIN"] = ExecutableRunner.binDirectory.path
        merged.removeValue(forKey: "DVPN_PASSPHRASE")
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
