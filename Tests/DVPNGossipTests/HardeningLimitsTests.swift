import DVPNCrypto
import Testing
@testable import DVPNGossip

/// The pure limits behind the hardening of docs/p2p.md, "Limits": per-peer outbound queues bounded
/// by count and bytes, inbound handshakes capped per host and in total, periodic PEX that takes
/// only answers it asked for, and the one `HOST:PORT` syntax shared with DVPNNode's `HostPort`.
@Suite("Gossip limits")
struct HardeningLimitsTests {
    @Test func outboundQueueIsBoundedByCount() {
        var queue = OutboundQueue(maxCount: 3, maxBytes: 1000)
        for i in 0..<3 { #expect(queue.push([UInt8(i)]) == .queued(dropped: 0)) }
        #expect(queue.push([3]) == .queued(dropped: 1))
        #expect(queue.count == 3)
        // The oldest went first; order is kept.
        #expect(queue.pop() == [1])
        #expect(queue.pop() == [2])
        #expect(queue.pop() == [3])
        #expect(queue.pop() == nil)
        #expect(queue.byteCount == 0)
    }

    @Test func outboundQueueIsBoundedByBytesDroppingTheOldest() {
        var queue = OutboundQueue(maxCount: 1000, maxBytes: 100)
        for i in 0..<4 { #expect(queue.push([UInt8](repeating: UInt8(i), count: 30)) == .queued(dropped: i == 3 ? 1 : 0)) }
        #expect(queue.byteCount == 90 && queue.count == 3)
        // One item of 100 bytes needs the whole budget: everything older goes.
        #expect(queue.push([UInt8](repeating: 9, count: 100)) == .queued(dropped: 3))
        #expect(queue.byteCount == 100 && queue.count == 1)
        // An item larger than the budget is refused and drops nothing.
        #expect(queue.push([UInt8](repeating: 8, count: 101)) == .tooLarge)
        #expect(queue.count == 1)
        #expect(queue.pop()?.first == 9)
    }

    @Test func outboundQueueStaysWithinBothBoundsUnderRandomUse() {
        var queue = OutboundQueue(maxCount: 50, maxBytes: 4096)
        var generator = SystemRandomNumberGenerator()
        var model: [[UInt8]] = []
        for step in 0..<20_000 {
            if Int.random(in: 0..<3, using: &generator) > 0 {
                let item = [UInt8](repeating: UInt8(step % 251), count: Int.random(in: 0...300, using: &generator)) + [UInt8(step & 0xFF), UInt8(step >> 8 & 0xFF)]
                _ = queue.push(item)
                model.append(item)
                while model.count > 50 || model.reduce(0, { $0 + $1.count }) > 4096 { model.removeFirst() }
            } else {
                #expect(queue.pop() == model.first)
                if !model.isEmpty { model.removeFirst() }
            }
            #expect(queue.count <= 50 && queue.byteCount <= 4096)
            #expect(queue.count == model.count && queue.byteCount == model.reduce(0, { $0 + $1.count }))
        }
    }

    @Test func handshakeSlotsCapPerHostAndInTotal() {
        var slots = HandshakeSlots(maxTotal: 5, maxPerHost: 2)
        let hosts = ["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
        let taken = hosts.map { slots.acquire(host: $0) }
        // A third from one host is refused, and so is the sixth in all.
        #expect(taken == [true, true, false, true, true, true, false])
        #expect(slots.total == 5)
        slots.release(host: "10.0.0.1")
        #expect(slots.inProgress(from: "10.0.0.1") == 1)
        let afterRelease = slots.acquire(host: "10.0.0.4")
        #expect(afterRelease)
        // Releasing a host with nothing in progress changes nothing.
        slots.release(host: "10.9.9.9")
        #expect(slots.total == 5)
        for host in ["10.0.0.1", "10.0.0.2", "10.0.0.2", "10.0.0.3", "10.0.0.4"] { slots.release(host: host) }
        #expect(slots.total == 0 && slots.inProgress(from: "10.0.0.2") == 0)
    }

    @Test func pexIsAskedAtLinkUpThenPeriodicallyAndTakesOnlyAnswers() {
        var configuration = PeerBook.Configuration()
        configuration.pexInterval = .seconds(30)
        var book = PeerBook(configuration: configuration, localPeer: PeerBookTests.peer(), seeds: [])
        let peer = PeerBookTests.peer()
        var answered = book.takePexResponse(from: peer)
        #expect(!answered, "not linked")
        var now = GossipInstant.zero
        #expect(book.admit(peer, direction: .inbound, address: nil, now: now) == .accepted)
        answered = book.takePexResponse(from: peer)
        #expect(!answered, "unsolicited before any request")
        #expect(book.takePexDue(now: now) == [peer], "asked at link-up")
        #expect(book.takePexDue(now: now).isEmpty)
        answered = book.takePexResponse(from: peer)
        #expect(answered)
        answered = book.takePexResponse(from: peer)
        #expect(!answered, "one answer per request")
        now = now.advanced(by: .seconds(29))
        #expect(book.takePexDue(now: now).isEmpty)
        now = now.advanced(by: .seconds(1))
        #expect(book.takePexDue(now: now) == [peer], "asked again after the interval")
        book.disconnected(peer, now: now)
        answered = book.takePexResponse(from: peer)
        #expect(!answered)
        #expect(book.takePexDue(now: now.advanced(by: .seconds(60))).isEmpty)
    }

    /// Every case parses the same for `HostPortText` (what DVPNNode's `HostPort` wraps) and
    /// `PeerAddress`, except port 0, which only a listening address may use.
    @Test func peerAddressesFollowTheSharedHostPortSyntax() throws {
        let valid: [(String, String, Int)] = [
            ("127.0.0.1:26656", "127.0.0.1", 26656), ("node.example:1", "node.example", 1),
            ("[::1]:7", "::1", 7), ("[fd00::1]:65535", "fd00::1", 65535), ("h:00080", "h", 80),
        ]
        for (text, host, port) in valid {
            #expect(HostPortText.parse(text) == .valid(host: host, port: port), "\(text)")
            let address = try PeerAddress(parsing: text)
            #expect(address.host == host && Int(address.port) == port)
            #expect(try PeerAddress(parsing: address.description) == address, "round trip of \(text)")
        }
        let invalid = [
            "nohost", ":5", "h:", "h:70000", "h:x", "h:+80", "h: 80", "h:-1", "h:123456", "[::1]5", "[::1]x:80", "[::1",
            "::1:80", "[h]:80", "a b:80", "http://h:80", "h/x:80", "[]:80", "héllo:80", String(repeating: "a", count: 254) + ":1",
        ]
        for text in invalid {
            guard case .invalid = HostPortText.parse(text) else {
                Issue.record("\(text) parsed")
                continue
            }
            #expect(throws: GossipError.self, "\(text)") { try PeerAddress(parsing: text) }
        }
        // Port 0 is a listening address ("any free port"), never a peer to dial.
        #expect(HostPortText.parse("node.local:0") == .valid(host: "node.local", port: 0))
        #expect(throws: GossipError.self) { try PeerAddress(parsing: "node.local:0") }
        // The host rules apply to addresses built from parts too (PEX answers decode through it).
        #expect(throws: GossipError.self) { try PeerAddress(host: "a b", port: 1) }
        #expect(throws: GossipError.self) { try PeerAddress(host: "[::1]", port: 1) }
        #expect(try PeerAddress(host: "::1", port: 1).description == "[::1]:1")
        #expect(HostPortText.format(host: "::1", port: 1) == "[::1]:1")
    }
}
