import Foundation

/// A `dvpn-node serve --dev` child process on a temporary data directory and a free loopback
/// port, for tests that drive the CLI against a real node. Started by `start`, stopped by `stop`
/// (SIGTERM, then SIGKILL after a grace period) and, whatever happens, killed in `deinit`.
final class DevNodeProcess {
    let dataDirectory: String
    private(set) var url = ""
    private let process = Process()
    private let logFile: String

    /// Starts the node and waits until its API answers (it writes `api-address` once it listens).
    init(dataDirectory: String, blockInterval: String = "1", timeout: TimeInterval = 60) throws {
        self.dataDirectory = dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        logFile = dataDirectory + "/../" + (dataDirectory as NSString).lastPathComponent + ".log"
        let addressFile = dataDirectory + "/api-address"
        try? FileManager.default.removeItem(atPath: addressFile)
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.executableURL = ExecutableRunner.binDirectory.appendingPathComponent("dvpn-node")
        process.arguments = [
            "serve", "--dev", "--data-dir", dataDirectory, "--api", "127.0.0.1:0",
            "--insecure-no-passphrase", "--block-interval", blockInterval,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DVPN_PASSPHRASE")
        process.environment = environment
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: addressFile, encoding: .utf8),
               let address = text.split(whereSeparator: \.isNewline).first {
                url = "http://\(address)"
                return
            }
            guard process.isRunning else {
                throw NodeProcessError.exited(status: process.terminationStatus, log: self.log(tail: 40))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw NodeProcessError.notReady(log: self.log(tail: 40))
    }

    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// SIGTERM and wait up to `grace` seconds (then SIGKILL); returns the exit status.
    @discardableResult
    func stop(grace: TimeInterval = 10) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The last lines the node logged, for failure messages.
    func log(tail lines: Int) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    enum NodeProcessError: Error, CustomStringConvertible {
        case exited(status: Int32, log: String)
        case notReady(log: String)

        var description: String {
            switch self {
            case .exited(let status, let log): "dvpn-node exited with status \(status) while starting:\n\(log)"
            case .notReady(let log): "dvpn-node did not listen in time:\n\(log)"
            }
        }
    }
}
