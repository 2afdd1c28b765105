import DVPNClient
import DVPNLedger
import Foundation
import Testing

/// The files a connect keeps in its data directory: the status file `dvpn status` reads (atomic,
/// 0600, stale detection by pid, removed only by its owner) and the channel book.
@Suite struct ConnectStatusFileTests {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-connect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func status(pid: Int32) -> ConnectStatus {
        ConnectStatus(
            pid: pid, state: "connected", node: "dvpn1xyz", country: "DE", pricePerGiB: "0.5", pricePerHour: nil, channel: 4,
            interface: "dvpn0", bytes: 12_345, spentUdvpn: 1_500_000, bytesPerSecond: 99, since: 1, updated: 2)
    }

    @Test func writtenAtomicallyPrivateAndReadBack() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try StatusFile.read(dataDirectory: dir) == .none)
        let mine = Self.status(pid: getpid())
        try StatusFile.write(mine, dataDirectory: dir)
        #expect(try StatusFile.read(dataDirectory: dir) == .running(mine))
        #expect(mine.spent == "1.5")
        let attributes = try FileManager.default.attributesOfItem(atPath: StatusFile.path(dataDirectory: dir))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["session.json"])
        StatusFile.remove(dataDirectory: dir)
        #expect(try StatusFile.read(dataDirectory: dir) == .none)
    }

    @Test func aDeadPidIsStaleAndAnotherProcessesFileIsKept() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let other = Self.status(pid: 4_000_000)
        try StatusFile.write(other, dataDirectory: dir)
        #expect(try StatusFile.read(dataDirectory: dir) == .stale(other))
        #expect(try StatusFile.read(dataDirectory: dir, isAlive: { _ in true }) == .running(other))
        StatusFile.remove(dataDirectory: dir)
        #expect(FileManager.default.fileExists(atPath: StatusFile.path(dataDirectory: dir)), "only its owner removes it")
        #expect(StatusFile.isAlive(getpid()))
        #expect(!StatusFile.isAlive(0))
    }

    @Test func aDamagedFileIsOneLine() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("{".utf8).write(to: URL(fileURLWithPath: StatusFile.path(dataDirectory: dir)))
        #expect(throws: ClientError.self) { try StatusFile.read(dataDirectory: dir) }
    }

    @Test func theChannelBookOnlyRaisesAndRemembersAbandonedChannels() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var book = try ChannelBook.load(dataDirectory: dir)
        #expect(book.entries.isEmpty)
        book.recordSigned(Amount(udvpn: 500), channel: 3, payee: "dvpn1a")
        book.recordSigned(Amount(udvpn: 200), channel: 3, payee: "dvpn1a")
        #expect(book.signed(3) == Amount(udvpn: 500))
        #expect(book.signed(4) == .zero)
        book.markAbandoned(3, payee: "dvpn1a", at: 42)
        book.markAbandoned(8, payee: "dvpn1b", at: 43)
        try book.save(dataDirectory: dir)
        let read = try ChannelBook.load(dataDirectory: dir)
        #expect(read == book)
        #expect(read.abandoned.map(\.channel) == [3, 8])
        #expect(read.signed(3) == Amount(udvpn: 500))
        let attributes = try FileManager.default.attributesOfItem(atPath: ChannelBook.path(dataDirectory: dir))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        var settled = read
        settled.remove(3)
        #expect(settled.abandoned.map(\.channel) == [8])
    }
}
