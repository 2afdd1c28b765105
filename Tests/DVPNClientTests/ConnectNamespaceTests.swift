import DVPNClient
import Foundation
import Testing

/// The routes, rules and DNS of `dvpn connect` applied for real, in a network namespace this test
/// creates (root only), then removed: everything is as before, and in between traffic takes the
/// tunnel except what carries the tunnel's mark and the bypassed host. A veth interface stands
/// in for the tunnel (routes and rules do not care what is behind it).
@Suite(.serialized) struct ConnectNamespaceTests {
    static var isRoot: Bool { geteuid() == 0 }

    /// `ip` in the namespace, output trimmed.
    static func ip(_ namespace: String, _ arguments: String) throws -> String {
        try SystemCommand.ip(arguments.split(separator: " ").map(String.init), namespace: namespace)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A namespace of our own, without IPv6 duplicate address detection (so that link-local
    /// addresses and their routes do not change between two snapshots).
    static func makeNamespace() throws -> String {
        let namespace = "dvpnct\(UInt32.random(in: 0..<1_000_000))"
        _ = try SystemCommand.ip(["netns", "add", namespace])
        _ = try exec(namespace, ["sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad; echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad"])
        return namespace
    }

    /// Every route of every table and every rule, both families.
    static func snapshot(_ namespace: String) throws -> String {
        try ["-4 rule show", "-6 rule show", "-4 route show table all", "-6 route show table all"]
            .map { try ip(namespace, $0) }.joined(separator: "\n----\n")
    }

    @Test(.enabled(if: isRoot, "needs root to create a network namespace"), .timeLimit(.minutes(1)))
    func routesRulesAndDNSAreAppliedAndRemovedExactly() throws {
        let namespace = try Self.makeNamespace()
        let netnsDirectory = "/etc/netns/\(namespace)"
        defer {
            _ = try? SystemCommand.ip(["netns", "del", namespace])
            try? FileManager.default.removeItem(atPath: netnsDirectory)
        }
        for command in [
            "link set lo up", "link add uplink0 type veth peer name uplink1", "link set uplink1 up", "link set uplink0 up", "address add 10.77.0.2/24 dev uplink0",
            "-6 address add fd77::2/64 dev uplink0 nodad", "route add default via 10.77.0.1 dev uplink0",
            "link add dvpn0 type veth peer name dvpn1", "link set dvpn1 up", "link set dvpn0 up", "address add 10.66.0.2/32 dev dvpn0",
            "-6 address add fd66::2/128 dev dvpn0 nodad",
        ] {
            _ = try Self.ip(namespace, command)
        }
        try FileManager.default.createDirectory(atPath: netnsDirectory, withIntermediateDirectories: true)
        let resolvPath = "\(netnsDirectory)/resolv.conf"
        let original = "nameserver 10.77.0.53\n"
        try original.write(toFile: resolvPath, atomically: true, encoding: .utf8)
        let hostResolv = FileManager.default.contents(atPath: "/etc/resolv.conf")
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-ns-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }

        let before = try Self.snapshot(namespace)
        let bypass = try #require(try SystemCommand.bypass(for: "10.88.0.5", namespace: namespace))
        #expect(bypass == RoutePlan.Bypass(host: "10.88.0.5", isIPv4: true, gateway: "10.77.0.1", device: "uplink0"))
        #expect(try SystemCommand.bypass(for: "127.0.0.1", namespace: namespace) == nil, "loopback needs no bypass")
        let plan = RoutePlan(interface: "dvpn0", ipv4: true, ipv6: true, bypass: [bypass])
        let resolver = ResolverConfiguration(path: resolvPath, dataDirectory: dataDirectory)

        try SystemCommand.apply(plan, namespace: namespace)
        try resolver.apply(servers: ["10.66.0.1", "fd66::1"])
        do {
            // Everything takes the tunnel ...
            #expect(try Self.ip(namespace, "-4 route get 1.1.1.1").contains("dev dvpn0 table 51820"))
            #expect(try Self.ip(namespace, "-6 route get 2001:db8::1").contains("dev dvpn0"))
            // ... except the tunnel's own UDP (it carries the mark) and the bypassed host.
            #expect(try Self.ip(namespace, "-4 route get 1.1.1.1 mark 51820").contains("via 10.77.0.1 dev uplink0"))
            #expect(try Self.ip(namespace, "-4 route get 10.88.0.5").contains("via 10.77.0.1 dev uplink0"))
            // The local subnet stays local (suppress_prefixlength 0 keeps main's specific routes).
            #expect(try Self.ip(namespace, "-4 route get 10.77.0.9").contains("dev uplink0"))
            // DNS: the namespace's file is what `ip netns exec` shows as /etc/resolv.conf; the
            // machine's own file is untouched.
            let seen = try Self.exec(namespace, ["cat", "/etc/resolv.conf"])
            #expect(seen == ResolverConfiguration.content(servers: ["10.66.0.1", "fd66::1"]))
            #expect(FileManager.default.contents(atPath: "/etc/resolv.conf") == hostResolv)
        }
        #expect(SystemCommand.undo(plan, namespace: namespace).isEmpty)
        try resolver.restore()

        #expect(try Self.snapshot(namespace) == before)
        #expect(try String(contentsOfFile: resolvPath, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: resolver.backupPath))
        #expect(try resolver.recoverIfLeftBehind() == false)
    }

    @Test(.enabled(if: isRoot, "needs root to create a network namespace"), .timeLimit(.minutes(1)))
    func aFailureHalfWayRemovesWhatWasAdded() throws {
        let namespace = try Self.makeNamespace()
        defer { _ = try? SystemCommand.ip(["netns", "del", namespace]) }
        _ = try Self.ip(namespace, "link add dvpn0 type veth peer name dvpn1")
        _ = try Self.ip(namespace, "link set dvpn1 up")
        _ = try Self.ip(namespace, "link set dvpn0 up")
        let before = try Self.snapshot(namespace)
        // The bypass names a device that does not exist: the IPv4 steps before it are undone.
        let plan = RoutePlan(
            interface: "dvpn0", ipv4: true, ipv6: false,
            bypass: [RoutePlan.Bypass(host: "10.1.2.3", isIPv4: true, gateway: nil, device: "dvpn0"),
                     RoutePlan.Bypass(host: "10.1.2.4", isIPv4: true, gateway: nil, device: "nosuch0")])
        #expect(throws: ClientError.self) { try SystemCommand.apply(plan, namespace: namespace) }
        #expect(try Self.snapshot(namespace) == before)
    }

    @Test(.enabled(if: isRoot, "needs root to create a network namespace"), .timeLimit(.minutes(1)))
    func routesLeftByAKilledConnectAreRemovedByTheNext() throws {
        let namespace = try Self.makeNamespace()
        defer { _ = try? SystemCommand.ip(["netns", "del", namespace]) }
        _ = try Self.ip(namespace, "link add dvpn0 type veth peer name dvpn1")
        _ = try Self.ip(namespace, "link set dvpn1 up")
        _ = try Self.ip(namespace, "link set dvpn0 up")
        _ = try Self.ip(namespace, "address add 10.66.0.2/32 dev dvpn0")
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-left-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let before = try Self.snapshot(namespace)
        let plan = RoutePlan(interface: "dvpn0", ipv4: true, ipv6: false, bypass: [])
        try LeftoverRoutes.record(plan, dataDirectory: dataDirectory)
        try SystemCommand.apply(plan, namespace: namespace)
        #expect(try Self.snapshot(namespace) != before)
        // The process is killed here; the next connect finds the file.
        #expect(LeftoverRoutes.removeIfLeftBehind(dataDirectory: dataDirectory, namespace: namespace) == plan.steps.count)
        #expect(try Self.snapshot(namespace) == before)
        #expect(LeftoverRoutes.removeIfLeftBehind(dataDirectory: dataDirectory, namespace: namespace) == 0)
    }

    /// A resolver crash leftover: the backup restores the file on the next connect.
    @Test func aBackupLeftBehindIsRestored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-resolv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/resolv.conf"
        try "nameserver 9.9.9.9\n".write(toFile: path, atomically: true, encoding: .utf8)
        let resolver = ResolverConfiguration(path: path, dataDirectory: dir)
        try resolver.apply(servers: ["10.0.0.1"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "# written by dvpn connect; restored when it exits\nnameserver 10.0.0.1\n")
        // The process dies here; the next one finds the backup.
        let next = ResolverConfiguration(path: path, dataDirectory: dir)
        #expect(try next.recoverIfLeftBehind())
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "nameserver 9.9.9.9\n")
        #expect(try next.recoverIfLeftBehind() == false)
    }

    static func exec(_ namespace: String, _ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SystemCommandPath.ip)
        process.arguments = ["netns", "exec", namespace] + command
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

enum SystemCommandPath {
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/ip"
}
