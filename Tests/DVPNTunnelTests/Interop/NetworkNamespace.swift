import Foundation

/// A network namespace with a veth link to the test's own namespace, removed again by
/// `tearDown()` (and by `deinit` if a test forgets): what the wireguard-go cross-checks run in.
/// Needs root and `ip`; `NetworkNamespace.unavailableReason` says why a test must skip.
final class NetworkNamespace {
    let name: String
    let hostLink: String
    let hostAddress: String
    let namespaceAddress: String
    private var processes: [Process] = []
    private var removed = false

    static var unavailableReason: String? {
        if getuid() != 0 { return "needs root for network namespaces" }
        for tool in ["/usr/sbin/ip", "/usr/bin/wireguard-go", "/usr/bin/wg"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed"
        }
        return nil
    }

    /// - Parameter subnet: the third octet of the 10.213.x.0/30 transfer network.
    init(tag: String, subnet: Int) throws {
        let unique = "\(getpid() % 100_000)"
        name = "dvpnc-\(tag)-\(unique)"
        hostLink = "dvc\(tag.prefix(3))\(unique)"
        hostAddress = "10.213.\(subnet).1"
        namespaceAddress = "10.213.\(subnet).2"
        try run("ip netns add \(name)")
        do {
            try run("ip link add \(hostLink) type veth peer name eth0 netns \(name)")
            try run("ip addr add \(hostAddress)/30 dev \(hostLink)")
            try run("ip link set \(hostLink) up")
            try inside("ip addr add \(namespaceAddress)/30 dev eth0")
            try inside("ip link set eth0 up")
            try inside("ip link set lo up")
        } catch {
            tearDown()
            throw error
        }
    }

    deinit { tearDown() }

    /// Runs a shell command inside the namespace and returns its standard output.
    @discardableResult
    func inside(_ command: String) throws -> String {
        try run("ip netns exec \(name) \(command)")
    }

    /// Starts a long-running command inside the namespace; it is killed by `tearDown()`.
    @discardableResult
    func start(_ command: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec ip netns exec \(name) \(command)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    func tearDown() {
        guard !removed else { return }
        removed = true
        for process in processes where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        _ = try? run("ip link del \(hostLink)")
        _ = try? run("ip netns del \(name)")
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "`\(command)` failed: \(output)" }
    }

    @discardableResult
    func run(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw CommandFailed(command: command, output: output) }
        return output
    }
}
