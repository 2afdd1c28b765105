import DVPNCrypto
import Testing
@testable import DVPNGossip

@Suite("Peer book")
struct PeerBookTests {
    static func peer() -> PeerID { PeerID(Schnorr.PrivateKey().publicKey) }
    static func address(_ port: UInt16) throws -> PeerAddress { try PeerAddress(host: "10.0.0.1", port: port) }

    static func book(seeds: [PeerAddress] = [], _ tweak: (inout PeerBook.Configuration) -> Void = { _ in }) -> PeerBook {
        var configuration = PeerBook.Configuration()
        configuration.initialBackoff = .seconds(1)
        configuration.maxBackoff = .seconds(60)
        configuration.banDuration = .seconds(600)
        tweak(&configuration)
        return PeerBook(configuration: configuration, localPeer: peer(), seeds: seeds)
    }

    @Test func seedsAreDialledOnceThenBackOffExponentiallyWithJitter() throws {
        let seed = try Self.address(1)
        var book = Self.book(seeds: [seed])
        var now = GossipInstant.zero
        #expect(book.takeDialable(now: now) == [seed])
        #expect(book.takeDialable(now: now).isEmpty, "a dial in progress is not repeated")
        var delays: [Duration] = []
        for random in [UInt64.max, 0, UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max] {
            book.dialFailed(seed, now: now, random: random)
            var waited = Duration.zero
            while book.takeDialable(now: now).isEmpty {
                now = now.advanced(by: .milliseconds(100))
                waited += .milliseconds(100)
            }
            delays.append(waited)
        }
        // Doubling from 1 s, each delay in the upper half of its step, capped at 60 s.
        #expect(delays[0] >= .milliseconds(500) && delays[0] <= .seconds(1))
        #expect(delays[1] >= .seconds(1) && delays[1] <= .milliseconds(1100), "random 0 gives the lower bound")
        #expect(delays[2] >= .seconds(2) && delays[2] <= .seconds(4))
        #expect(delays.last! >= .seconds(30) && delays.last! <= .seconds(60))
        for failures in 1...100 {
            let delay = book.backoff(failures: failures, random: UInt64(failures) &* 0x9E37_79B9)
            #expect(delay <= .seconds(60) && delay >= .milliseconds(500))
        }
    }

    @Test func limitsRefuseExtraLinksAndOurselves() throws {
        var book = Self.book { $0.maxInbound = 2; $0.maxOutbound = 1 }
        let now = GossipInstant.zero
        let (a, b, c) = (Self.peer(), Self.peer(), Self.peer())
        #expect(book.admit(a, direction: .inbound, address: nil, now: now) == .accepted)
        #expect(book.admit(a, direction: .inbound, address: nil, now: now) != .accepted, "one link per peer")
        #expect(book.admit(b, direction: .inbound, address: nil, now: now) == .accepted)
        #expect(book.admit(c, direction: .inbound, address: nil, now: now) != .accepted)
        #expect(book.admit(c, direction: .outbound, address: try Self.address(3), now: now) == .accepted)
        #expect(book.admit(Self.peer(), direction: .outbound, address: try Self.address(4), now: now) != .accepted)
        #expect(book.admit(book.localPeer, direction: .inbound, address: nil, now: now) != .accepted)
        // A full outbound side dials nothing more.
        book.learn([try Self.address(5)])
        #expect(book.takeDialable(now: now).isEmpty)
        book.disconnected(c, now: now)
        #expect(book.count(.outbound) == 0)
        #expect(!book.takeDialable(now: now.advanced(by: .seconds(2))).isEmpty)
    }

    @Test func misbehaviourLowersTheScoreThenBansUntilTheBanExpires() throws {
        var book = Self.book()
        var now = GossipInstant.zero
        let bad = Self.peer()
        #expect(book.admit(bad, direction: .inbound, address: nil, now: now) == .accepted)
        let r1 = book.penalize(bad, .invalid, now: now)
        #expect(!r1)
        #expect(book.score(of: bad) == -20)
        let r2 = book.penalize(bad, .undecodable, now: now)
        #expect(!r2)
        let r3 = book.penalize(bad, .invalid, now: now)
        #expect(!r3)
        let r4 = book.penalize(bad, .undecodable, now: now)
        #expect(r4, "-120 is below the threshold")
        #expect(book.isBanned(bad, now: now))
        book.disconnected(bad, now: now)
        now = now.advanced(by: .seconds(599))
        #expect(book.admit(bad, direction: .inbound, address: nil, now: now) != .accepted)
        now = now.advanced(by: .seconds(2))
        #expect(!book.isBanned(bad, now: now))
        #expect(book.admit(bad, direction: .inbound, address: nil, now: now) == .accepted)
        #expect(book.score(of: bad) == 0, "a new link starts afresh")
    }

    @Test func goodMessagesEarnBackACappedScoreAndACorruptStreamBansAtOnce() throws {
        var book = Self.book()
        let now = GossipInstant.zero
        let peer = Self.peer()
        _ = book.admit(peer, direction: .inbound, address: nil, now: now)
        for _ in 0..<500 { book.reward(peer) }
        #expect(book.score(of: peer) == PeerScore.maxScore)
        let r5 = book.penalize(peer, .corruptStream, now: now)
        #expect(r5)
    }

    @Test func floodsExhaustTheRateLimitAndEndInABan() throws {
        var book = Self.book { $0.messagesPerSecond = 10; $0.messageBurst = 20 }
        var now = GossipInstant.zero
        let peer = Self.peer()
        _ = book.admit(peer, direction: .inbound, address: nil, now: now)
        #expect((0..<20).allSatisfy { _ in book.admitMessage(from: peer, now: now) })
        let r6 = book.admitMessage(from: peer, now: now)
        #expect(!r6)
        now = now.advanced(by: .milliseconds(500))
        #expect((0..<5).allSatisfy { _ in book.admitMessage(from: peer, now: now) }, "refilled at 10/s")
        var refused = 0
        while !book.isBanned(peer, now: now) && refused < 100 {
            if !book.admitMessage(from: peer, now: now) { refused += 1 }
        }
        #expect(book.isBanned(peer, now: now) && book.mustDisconnect(peer))
        #expect(refused > 1)
    }

    @Test func pexLearningIsBounded() throws {
        var book = Self.book { $0.maxKnownAddresses = 10 }
        book.learn(try (1...50).map { try Self.address(UInt16($0)) })
        #expect(book.knownAddressCount == 10)
    }

    @Test func seenCacheForgetsTheOldestPastItsCapacity() throws {
        var cache = SeenCache(capacity: 3)
        let hashes = (0..<5).map { GossipEnvelope(kind: .transaction, payload: [UInt8($0)]).hash }
        #expect(cache.insert(hashes[0]) && !cache.insert(hashes[0]))
        for h in hashes[1...] { cache.insert(h) }
        #expect(cache.count == 3)
        #expect(!cache.contains(hashes[0]) && !cache.contains(hashes[1]) && cache.contains(hashes[4]))
    }
}
