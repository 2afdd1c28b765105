import DVPNNodeAPI
import Foundation

/// Runs the system tools the exit configures the host with (`nft`, `ip`), with arguments as an
/// array (no shell) and optional standard input; a non-zero exit throws its standard error.
enum HostCommand {
    /// Runs `tool ARGUMENTS` and returns its standard output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], input: String? = nil) throws(NodeError) -> String {
        let path = locate(tool)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do { try process.run() } catch {
            throw NodeError(.configuration, "cannot run \(path): \(error)")
        }
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw NodeError(.configuration, "\(tool) \(arguments.joined(separator: " ")): \(message)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// The tool in the usual system directories (the exit runs as root, often with a short PATH).
    static func locate(_ tool: String) -> String {
        for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/sbin/\(tool)"
    }
}
