import ArgumentParser
import DVPNTunnelPosix
import Foundation
import Testing

@testable import DVPNCommands

/// `dvpn tunnel up` before it touches the system: arguments, the interface name, and a bad
/// configuration file reported as one line naming the file, the line and the key.
@Suite struct TunnelCommandTests {
    func file(_ name: String, _ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-tunnel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func parse(_ arguments: [String]) throws -> TunnelUpCommand {
        let command = try TunnelCommand.parseAsRoot(["up"] + arguments)
        return try #require(command as? TunnelUpCommand)
    }

    @Test func interfaceNameDefaultsToTheFileName() throws {
        #expect(try parse(["--config", "/etc/wireguard/wg7.conf"]).interfaceName == "wg7")
        #expect(try parse(["--config", "x.conf", "--interface", "dvpn0"]).interfaceName == "dvpn0")
    }

    @Test func invalidInterfaceNamesAreUsageErrors() {
        for name in ["", "a/b", "sixteen-chars-xx", "with space"] {
            #expect(throws: (any Error).self, "\(name)") {
                _ = try TunnelCommand.parseAsRoot(["up", "--config", "x.conf", "--interface", name])
            }
        }
    }

    @Test func aBadFileFailsWithOneLineNamingFileLineAndKey() async throws {
        let path = try file("bad.conf", "[Interface]\nPrivateKey = \(String(repeating: "A", count: 43))=\nListenPort = 99999\n")
        let command = try parse(["--config", path])
        do {
            try await command.run()
            Issue.record("a bad configuration was accepted")
        } catch let error as TunnelIOError {
            #expect(error.description.hasPrefix("bad.conf:3: ListenPort: "), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func aMissingFileIsReported() async throws {
        let command = try parse(["--config", "/nonexistent/dvpn/wg0.conf"])
        await #expect(throws: CommandFailure.self) { try await command.run() }
    }
}
