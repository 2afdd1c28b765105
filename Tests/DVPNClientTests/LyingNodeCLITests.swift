import DVPNCrypto
import DVPNLedger
import Foundation
import Testing

/// The built `dvpn` against in-process lying nodes: the one line on stderr names the node and
/// the check, and the answer comes from the honest node next in `--node`.
@Suite struct LyingNodeCLITests {
    struct Run: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the built `dvpn` off the cooperative pool (the in-process servers need it), with a
    /// deadline after which the child is killed.
    static func dvpn(_ arguments: [String], timeout: TimeInterval = 60) async throws -> Run {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var bin = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: bin.appendingPathComponent("dvpn").path), bin.pathComponents.count > 1 {
            bin.deleteLastPathComponent()
        }
        let executable = bin.appendingPathComponent("dvpn")
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do { try process.run() } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // Drain both pipes before waiting, so a chatty child cannot block on a full pipe.
                nonisolated(unsafe) var outData = Data(), errData = Data()
                let readers = DispatchGroup()
                readers.enter()
                DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); readers.leave() }
                readers.enter()
                DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); readers.leave() }
                if readers.wait(timeout: .now() + timeout) == .timedOut {
                    process.terminate()
                    _ = readers.wait(timeout: .now() + 5)
                }
                process.waitUntilExit()
                continuation.resume(returning: Run(
                    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                    stderr: String(decoding: errData, as: UTF8.self)))
            }
        }
    }

    @Test func dvpnBalanceNamesTheLiarAndAnswersFromTheHonestNode() async throws {
        let network = try LyingNodeTests.network()
        let genesis = network.directory.appendingPathComponent("genesis.json").path
        try network.writeGenesis(to: genesis)
        let data = network.directory.appendingPathComponent("dvpn").path
        let address = network.aliceAddress.string
        try await withServers([LyingBackend(honest: network.node, forgery: .balance), network.node]) { urls in
            let run = try await Self.dvpn(["balance", address, "--node", urls.joined(separator: ","), "--genesis", genesis, "--data-dir", data])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr == "dvpn: node \(urls[0]) lied: balance proof does not match the state root of verified block 3; trying \(urls[1])\n")
            #expect(run.stdout == "address  \(address)\nbalance  999.9 DVPN\nnonce    1\n")
        }
    }

    @Test func dvpnOffersRefusesAForgedHeaderAndALoneLiarExitsOne() async throws {
        let network = try LyingNodeTests.network()
        let genesis = network.directory.appendingPathComponent("genesis.json").path
        try network.writeGenesis(to: genesis)
        let data = network.directory.appendingPathComponent("dvpn").path
        let liar = LyingBackend(honest: network.node, forgery: .resignedHeader(height: 2, key: network.keys[1]))
        try await withServers([liar, network.node]) { urls in
            let lone = try await Self.dvpn(["offers", "--json", "--node", urls[0], "--genesis", genesis, "--data-dir", data])
            #expect(lone.status == 1)
            #expect(lone.stdout.isEmpty)
            #expect(lone.stderr == "dvpn: node \(urls[0]) lied: the commit for height 2 holds 10 of 30 voting power, needs more than 2/3\n")

            let both = try await Self.dvpn(["offers", "--json", "--node", "\(urls[0]),\(urls[1])", "--genesis", genesis, "--data-dir", data])
            #expect(both.status == 0, "\(both.stderr)")
            #expect(both.stderr.split(separator: "\n").count == 1)
            #expect(both.stderr.hasPrefix("dvpn: node \(urls[0]) lied: the commit for height 2 holds 10 of 30 voting power"))
            #expect(both.stdout.contains("\"pricePerGiBUdvpn\" : 50000") || both.stdout.contains("\"pricePerGiBUdvpn\":50000"), "\(both.stdout)")
        }
    }
}
