import Foundation

/// Runs one batch of the reference implementation for a row. The command alternates reference
/// batches with ours, so that both numbers of a ratio are taken under the same machine load.
///
/// The reference is an external command (Scripts/bench/crypto.sh passes a CPython script). It is
/// called as `<command> <arguments> <seconds>`, calibrates, times one batch of about `<seconds>`
/// and prints one JSON object:
/// `{"implementation": "CPython 3.11.7 hashlib", "megabytesPerSecond": 791.3}`.
struct ReferenceRunner {
    struct Batch: Decodable {
        let implementation: String
        let megabytesPerSecond: Double
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A shell command line; the row's arguments and the seconds are appended.
    let command: String

    func measure(arguments: String, seconds: Double) throws -> Batch {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "\(command) \(arguments) \(seconds)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "reference command `\(command) \(arguments)` exited with status \(process.terminationStatus)")
        }
        do {
            return try JSONDecoder().decode(Batch.self, from: data)
        } catch {
            throw Failure(description: "reference command `\(command) \(arguments)` printed no result: \(String(decoding: data, as: UTF8.self))")
        }
    }
}
