import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import Foundation
import Testing
@testable import DVPNNode

/// The modules compiled into the node are byte for byte the committed `Contracts/build/*.wasm`
/// (rerun `Scripts/embed-contracts.sh` after rebuilding the contracts when this fails).
@Suite struct EmbeddedContractsTests {
    static let buildDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Contracts/build")

    @Test func embeddedModulesMatchContractsBuild() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.buildDirectory.path)
            .filter { $0.hasSuffix(".wasm") }.sorted()
        #expect(!files.isEmpty)
        #expect(EmbeddedContract.all.map { $0.name + ".wasm" } == files)
        for contract in EmbeddedContract.all {
            let onDisk = try [UInt8](Data(contentsOf: Self.buildDirectory.appendingPathComponent(contract.name + ".wasm")))
            #expect(contract.code == onDisk, "\(contract.name) differs from Contracts/build")
            #expect(contract.sha256 == Hex.encode(SHA256.hash(onDisk)))
        }
    }

    @Test func devGenesisPinsTheEmbeddedModules() throws {
        let sums = try String(contentsOf: Self.buildDirectory.appendingPathComponent("SHA256SUMS"), encoding: .utf8)
        for contract in EmbeddedContract.devnet {
            #expect(sums.contains("\(contract.sha256)  \(contract.name).wasm"))
        }
    }
}
