import Foundation
import Testing

/// `dvpn keys new|show` and `dvpn-node keys …`, run as real processes.
@Suite struct KeysCommandTests {
    let passphrase = ["DVPN_PASSPHRASE": "correct horse battery staple"]

    @Test func newThenShowRoundTrips() throws {
        let dir = try TemporaryDirectory()
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path, "--json"], environment: passphrase)
        #expect(created.status == 0, "\(created.stderr)")
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path, "--json"], environment: passphrase)
        #expect(shown.status == 0, "\(shown.stderr)")

        let a = try JSONDecoder().decode([String: AnyJSON].self, from: Data(created.stdout.utf8))
        let b = try JSONDecoder().decode([String: AnyJSON].self, from: Data(shown.stdout.utf8))
        #expect(a == b)
        let address = try #require(b["address"]?.string)
        #expect(address.hasPrefix("dvpn1") && address.count == 63)
        let tunnelKey = try #require(b["tunnelPublicKey"]?.string)
        #expect(tunnelKey.count == 44 && tunnelKey.hasSuffix("="))
        #expect(b["passphraseProtected"] == .bool(true))
    }

    @Test func humanOutputIsAligned() throws {
        let dir = try TemporaryDirectory()
        let created = try ExecutableRunner.run("dvpn-node", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        #expect(created.status == 0, "\(created.stderr)")
        let lines = created.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("address            dvpn1"))
        #expect(lines[1].hasPrefix("tunnel public key  "))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/key.json"))
    }

    @Test func keyFileIsPrivateAndHoldsNoPlaintextSecret() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/k.json"
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--key-file", path], environment: passphrase)
        #expect(created.status == 0, "\(created.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let json = try JSONDecoder().decode([String: AnyJSON].self, from: Data(text.utf8))
        // Only public facts and the sealed box: no field may carry a secret in the clear.
        #expect(Set(json.keys) == ["version", "protected", "address", "tunnelPublicKey", "kdf", "cipher", "nonce", "ciphertext"])
        #expect(json["cipher"] == .string("xchacha20poly1305"))
    }

    @Test func wrongPassphraseIsOneLineAndExitOne() throws {
        let dir = try TemporaryDirectory()
        _ = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path], environment: ["DVPN_PASSPHRASE": "wrong"])
        #expect(shown.status == 1)
        #expect(shown.stdout.isEmpty)
        #expect(shown.stderr.hasPrefix("dvpn: wrong passphrase for key file"))
        #expect(shown.stderr.split(separator: "\n").count == 1)
    }

    @Test func truncatedFileIsAClearError() throws {
        let dir = try TemporaryDirectory()
        _ = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        let path = dir.path + "/key.json"
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [0, 1, full.count / 3, full.count / 2, full.count - 3] {
            try full.prefix(cut).write(to: URL(fileURLWithPath: path))
            let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path], environment: passphrase)
            #expect(shown.status == 1, "cut at \(cut)")
            #expect(shown.stderr.hasPrefix("dvpn: key file"), "cut at \(cut): \(shown.stderr)")
            #expect(shown.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func otherVersionIsRefusedByName() throws {
        let dir = try TemporaryDirectory()
        _ = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        let path = dir.path + "/key.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 7")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path], environment: passphrase)
        #expect(shown.status == 1)
        #expect(shown.stderr.contains("format version 7"))
    }

    @Test func tamperedPublicFieldFailsToOpen() throws {
        let dir = try TemporaryDirectory()
        _ = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        let other = try TemporaryDirectory()
        _ = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", other.path], environment: passphrase)
        // Splice another file's address into this one: the associated data no longer matches.
        let path = dir.path + "/key.json"
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let foreign = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: other.path + "/key.json"))) as! [String: Any]
        json["address"] = foreign["address"]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path], environment: passphrase)
        #expect(shown.status == 1)
    }

    @Test func noPassphraseSourceIsAClearError() throws {
        let dir = try TemporaryDirectory()
        // stdin is a pipe, not a terminal, and DVPN_PASSPHRASE is unset.
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path])
        #expect(created.status == 1)
        #expect(created.stderr.contains("DVPN_PASSPHRASE"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/key.json"))
    }

    @Test func insecureDevnetKeyNeedsNoPassphrase() throws {
        let dir = try TemporaryDirectory()
        let created = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path, "--insecure-no-passphrase"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("NONE (insecure, devnet only)"))
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path])
        #expect(shown.status == 0, "\(shown.stderr)")
    }

    @Test func existingFileIsNotReplacedWithoutForce() throws {
        let dir = try TemporaryDirectory()
        let first = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path, "--json"], environment: passphrase)
        let second = try ExecutableRunner.run("dvpn", ["keys", "new", "--data-dir", dir.path], environment: passphrase)
        #expect(second.status == 1)
        #expect(second.stderr.contains("already exists"))
        let shown = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path, "--json"], environment: passphrase)
        #expect(shown.stdout == first.stdout)
    }

    @Test func missingFileAndBadArgumentsAreClearErrors() throws {
        let dir = try TemporaryDirectory()
        let missing = try ExecutableRunner.run("dvpn", ["keys", "show", "--data-dir", dir.path], environment: passphrase)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("dvpn: cannot open"))
        let unknown = try ExecutableRunner.run("dvpn", ["keys", "frobnicate"])
        #expect(unknown.status == 64)
    }
}

/// Just enough JSON to compare command output without depending on its Swift types.
enum AnyJSON: Decodable, Equatable {
    case string(String), number(Double), bool(Bool), object([String: AnyJSON]), array([AnyJSON]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}
