import Foundation
import Testing

/// Runs `Scripts/test/tunnel-interop.sh` (ours against stock wireguard-go in network namespaces)
/// with the `dvpn` built for these tests. It needs root, /dev/net/tun, wireguard-go and wg; where
/// they are missing the test is skipped and says which. On CI (`CI=true`) a missing tool fails it
/// instead, so that the interop cases cannot silently stop running.
@Suite struct InteropScriptTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Why the script cannot run here, or nil when it can.
    static var missingPrerequisite: String? {
        if geteuid() != 0 { return "tunnel interop needs root (network namespaces, /dev/net/tun)" }
        if !FileManager.default.fileExists(atPath: "/dev/net/tun") { return "/dev/net/tun is missing" }
        for tool in ["/usr/bin/wireguard-go", "/usr/bin/wg"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed (Scripts/setup.sh installs it)"
        }
        return nil
    }

    static var canRun: Bool {
        missingPrerequisite == nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The directory holding the built executables (the test bundle sits beside them).
    static var binDirectory: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("dvpn").path), dir.pathComponents.count > 1 {
            dir.deleteLastPathComponent()
        }
        return dir
    }

    @Test(
        "ours against wireguard-go in namespaces: both roles, IPv4/IPv6, PSK, wg show/set, wrong key, cookies, default route, garbage",
        .enabled(if: canRun, "skipped: \(missingPrerequisite ?? "")"),
        .timeLimit(.minutes(20)))
    func interop() throws {
        if let missing = Self.missingPrerequisite {
            Issue.record("CI must run the tunnel interop test: \(missing)")
            return
        }
        let dvpn = Self.binDirectory.appendingPathComponent("dvpn")
        // `dvpn tunnel up` without --config is a usage error that names --config only when the
        // command is registered.
        let probe = Process()
        probe.executableURL = dvpn
        probe.arguments = ["tunnel", "up"]
        let probeOutput = Pipe()
        probe.standardOutput = probeOutput
        probe.standardError = probeOutput
        try probe.run()
        let usage = String(decoding: probeOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        try #require(usage.contains("--config"), "`dvpn tunnel up` is missing: register TunnelCommand in Sources/dvpn/DVPN.swift")

        let script = Self.repositoryRoot.appendingPathComponent("Scripts/test/tunnel-interop.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        var environment = ProcessInfo.processInfo.environment
        environment["DVPN_BIN"] = dvpn.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        print(text)
        let summary = text.split(separator: "\n").last(where: { $0.contains(" passed, ") }) ?? "no summary"
        #expect(process.terminationStatus == 0, "tunnel-interop.sh: \(summary)")
        #expect(summary.hasSuffix(", 0 failed"), "tunnel-interop.sh: \(summary)")
    }
}
