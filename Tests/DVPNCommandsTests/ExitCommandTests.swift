import Foundation
import Testing

@testable import DVPNCommands

/// `dvpn-node exit up`: argument errors before anything is touched, and the namespace test
/// (`Scripts/test/exit-policy.sh`) of the whole exit: policy, counters, NAT, forwarding, cleanup.
@Suite struct ExitCommandTests {
    func parse(_ arguments: [String]) throws -> ExitUpCommand {
        let command = try ExitCommand.parseAsRoot(["up"] + arguments)
        return try #require(command as? ExitUpCommand)
    }

    @Test func parsesItsOptions() throws {
        let command = try parse([
            "--config", "/etc/wireguard/wg9.conf", "--egress", "eth0", "--allow", "10.99.0.0/16", "--allow",
            "[::/0]:25/tcp", "--deny", "198.51.100.0/24",
        ])
        #expect(command.interfaceName == "wg9")
        #expect(command.egress == "eth0")
        #expect(command.allow == ["10.99.0.0/16", "[::/0]:25/tcp"])
        #expect(command.deny == ["198.51.100.0/24"])
    }

    @Test func badRulesAndNamesAreUsageErrors() {
        for arguments in [
            ["--allow", "10.0.0.0/33"], ["--deny", "10.0.0.0/8:0"], ["--allow", "fc00::/7:53"], ["--egress", "eth 0"],
            ["--interface", "sixteen-chars-xx"],
        ] {
            #expect(throws: (any Error).self, "\(arguments)") {
                _ = try ExitCommand.parseAsRoot(["up", "--config", "x.conf"] + arguments)
            }
        }
    }

    @Test func aBadRuleIsOneLineAndExitCode64() throws {
        let result = try ExecutableRunner.run("dvpn-node", ["exit", "up", "--config", "x.conf", "--deny", "10.0.0.0/8:70000"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--deny '10.0.0.0/8:70000'"), "\(result.stderr)")
    }

    static var missingPrerequisite: String? {
        if geteuid() != 0 { return "the exit test needs root (network namespaces, /dev/net/tun, nftables)" }
        if !FileManager.default.fileExists(atPath: "/dev/net/tun") { return "/dev/net/tun is missing" }
        for tool in ["/usr/sbin/nft", "/usr/bin/wg"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is not installed"
        }
        return nil
    }

    @Test(
        "exit in namespaces: public reachable with NAT; private, own, loopback and port 25 refused and counted; --allow; cleanup",
        .enabled(if: missingPrerequisite == nil, "skipped: \(missingPrerequisite ?? "")"),
        .timeLimit(.minutes(5)))
    func exitPolicyInNamespaces() throws {
        let (status, text) = try ScriptRunner.run("Scripts/test/exit-policy.sh")
        let summary = text.split(separator: "\n").last(where: { $0.contains(" passed, ") }) ?? "no summary"
        #expect(status == 0, "exit-policy.sh: \(summary)\n\(text.split(separator: "\n").suffix(60).joined(separator: "\n"))")
        #expect(summary.hasSuffix(", 0 failed"), "exit-policy.sh: \(summary)")
    }
}
