@testable import DVPNCrypto
import Foundation
import Testing

/// The key file format at the library level: what is on disk, and what is refused.
@Suite struct KeyFileTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-keyfile-\(UUID().uuidString).json").path
    }

    @Test func roundTripKeepsBothIdentities() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let identity = KeyFile.Identity.generate()
        try KeyFile.write(identity, to: path, passphrase: Passphrase("pw"))
        let read = try KeyFile.read(at: path, passphrase: Passphrase("pw"))
        #expect(read.ledgerKey.publicKey == identity.ledgerKey.publicKey)
        #expect(read.ledgerKey.secret == identity.ledgerKey.secret)
        #expect(read.tunnelKey.publicKey == identity.tunnelKey.publicKey)
        #expect(read.tunnelKey.secret == identity.tunnelKey.secret)
        #expect(try KeyFile.isProtected(at: path))
    }

    @Test func fileHoldsNoSecretInAnyCommonEncoding() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let identity = KeyFile.Identity.generate()
        try KeyFile.write(identity, to: path, passphrase: .none)
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        for secret in [identity.ledgerKey.secret.unsafeCopy(), identity.tunnelKey.secret.unsafeCopy()] {
            #expect(!contents.contains(secret.hex))
            #expect(!contents.contains(Base64.encode(secret)))
            #expect(raw.range(of: Data(secret)) == nil)
            // Any 8-byte window of the secret, in hex, would be a leak too.
            #expect(!contents.contains(Array(secret[8..<16]).hex))
        }
        var mode = stat()
        #expect(stat(path, &mode) == 0)
        #expect(mode.st_mode & 0o777 == 0o600)
    }

    @Test func wrongPassphraseAndMissingPassphraseAreDistinctErrors() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        try KeyFile.write(.generate(), to: path, passphrase: Passphrase("right"))
        #expect(throws: CryptoError.self) { try KeyFile.read(at: path, passphrase: Passphrase("wrong")) }
        do {
            _ = try KeyFile.read(at: path, passphrase: .none)
            Issue.record("an unprotected read of a protected file succeeded")
        } catch {
            #expect(error.code == .wrongPassphrase)
            #expect(error.reason.contains("a passphrase is needed"))
        }
    }

    @Test func refusesToOverwriteUnlessAsked() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let first = KeyFile.Identity.generate()
        try KeyFile.write(first, to: path, passphrase: .none)
        #expect(throws: CryptoError.self) { try KeyFile.write(.generate(), to: path, passphrase: .none) }
        #expect(try KeyFile.read(at: path, passphrase: .none).address == first.address)
        let second = KeyFile.Identity.generate()
        try KeyFile.write(second, to: path, passphrase: .none, overwrite: true)
        #expect(try KeyFile.read(at: path, passphrase: .none).address == second.address)
        // No temporary files are left behind in the directory.
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".\(name).") }
        #expect(leftovers.isEmpty)
    }

    @Test func hostileKDFCostsAreRefusedBeforeAllocating() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        try KeyFile.write(.generate(), to: path, passphrase: .none)
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var kdf = json["kdf"] as! [String: Any]
        kdf["memLimit"] = UInt64(1) << 40
        json["kdf"] = kdf
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        do {
            _ = try KeyFile.read(at: path, passphrase: .none)
            Issue.record("a 1 TiB memory cost was accepted")
        } catch {
            #expect(error.code == .invalidEncoding)
        }
    }
}
