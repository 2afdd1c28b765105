import DVPNContractRuntime
import DVPNCrypto
import Foundation
import Testing

/// The committed contracts are what `Scripts/build-contracts.sh` produces, byte for byte, and what
/// the runtime accepts (DESIGN.md: "Rebuilding them must reproduce the same bytes").
@Suite struct ContractBuildTests {
    static let contracts = ["registry", "channels"]

    @Test func committedHashesMatchTheCommittedModules() throws {
        let sums = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Contracts/build/SHA256SUMS"), encoding: .utf8)
        for name in Self.contracts {
            let digest = SHA256.hash(try Fixtures.contract(name)).map { String(format: "%02x", $0) }.joined()
            #expect(sums.contains("\(digest)  \(name).wasm"), "SHA256SUMS must list \(name).wasm as \(digest)")
        }
    }

    @Test func committedModulesLoadWithoutFloatsOrForeignImports() throws {
        let runtime = ContractRuntime()
        let registry = try runtime.load(code: try Fixtures.contract("registry"))
        #expect(registry.methods == ["get", "heartbeat", "list", "register", "update", "withdraw"])
        let channels = try runtime.load(code: try Fixtures.contract("channels"))
        #expect(channels.methods == ["close", "closeCooperative", "get", "open", "reclaim", "redeem", "topUp"])
    }

    @Test(.timeLimit(.minutes(5))) func theBuildScriptReproducesTheCommittedBytes() throws {
        let root = Fixtures.repositoryRoot
        let committedToolchain = try String(
            contentsOf: root.appendingPathComponent("Contracts/build/TOOLCHAIN"), encoding: .utf8
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-contracts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }

        let script = Process()
        script.executableURL = root.appendingPathComponent("Scripts/build-contracts.sh")
        script.arguments = [output.path]
        let log = Pipe()
        script.standardOutput = log
        script.standardError = log
        try script.run()
        let transcript = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()

        if script.terminationStatus == 77 {
            try Test.cancel("skipped: this toolchain cannot build wasm32 contracts: \(transcript)")
        }
        try #require(script.terminationStatus == 0, "build-contracts.sh failed:\n\(transcript)")
        let toolchain = try String(contentsOf: output.appendingPathComponent("TOOLCHAIN"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if toolchain != committedToolchain {
            try Test.cancel(
                "skipped: this toolchain is \"\(toolchain)\"; the committed contracts come from \"\(committedToolchain)\"")
        }
        for file in Self.contracts.map({ "\($0).wasm" }) + ["SHA256SUMS"] {
            let built = try Data(contentsOf: output.appendingPathComponent(file))
            let committed = try Data(contentsOf: root.appendingPathComponent("Contracts/build/\(file)"))
            #expect(built == committed, "\(file) differs from the committed build")
        }
    }
}
