import DVPNCrypto
import DVPNTestSupport
import Testing
@testable import DVPNTunnel

/// Hostile datagrams and packets: none may trap, and every one must be accounted for.
@Suite struct FuzzTests {
    /// Real messages from a handshake and a session, as the fuzzer's seeds: an initiation, a
    /// response, a cookie reply, transport packets with data and a keepalive.
    private static func seeds() throws -> (net: TwoPeers, seeds: [[UInt8]]) {
        var net = try TwoPeers()
        var seeds: [[UInt8]] = []
        net.b.isUnderLoad = true
        net.sendFromA(TwoPeers.aToB([1]))
        let initiation = try #require(net.aOut.drain().datagrams.first).bytes
        net.b.receive(initiation, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        let cookieReply = try #require(net.bOut.drain().datagrams.first).bytes
        net.b.isUnderLoad = false
        seeds += [initiation, cookieReply]
        net.b.receive(initiation, from: TwoPeers.aEndpoint, now: net.now, output: &net.bOut)
        let response = try #require(net.bOut.datagrams.first).bytes
        seeds.append(response)
        net.deliverAll()
        for payload in [[], [7], IPPackets.payload(200), IPPackets.payload(1400)] as [[UInt8]] {
            net.sendFromA(TwoPeers.aToB(payload))
            seeds += net.aOut.datagrams.map(\.bytes)
            net.deliverAll()
        }
        net.run(for: 11, deliver: false)  // b's keepalive
        seeds += net.bOut.drain().datagrams.map(\.bytes)
        return (net, seeds)
    }

    @Test func hundredThousandDatagramsNeverTrapAndAreAllCounted() throws {
        var (net, seeds) = try Self.seeds()
        #expect(Set(seeds.map { $0.first ?? 0 }) == [1, 2, 3, 4])
        var fuzzer = Fuzzer(seed: 0xD1CE_2026)
        var devices = [net.b, net.a]
        let before = devices.map { Self.accounted($0.statistics) }
        var outputs = [CapturedOutput(), CapturedOutput()]
        var sent = [0, 0]
        var count = 0
        let inputs = Array(fuzzer.inputs(count: 100_000, seeds: seeds)) + Self.wellFramedRandom(20_000, fuzzer: &fuzzer)
        for input in inputs {
            let target = count % 2
            devices[target].isUnderLoad = count % 3 == 0
            net.clock.advance(milliseconds: 1)
            devices[target].receive(input, from: count % 5 == 0 ? TwoPeers.aEndpoint : TwoPeers.bEndpoint,
                                    now: net.now, output: &outputs[target])
            sent[target] += 1
            count += 1
            if count % 1000 == 0 { devices[target].handleTimers(now: net.now, output: &outputs[target]) }
        }
        #expect(count == 120_000)
        for i in 0..<2 {
            let s = devices[i].statistics
            let dropped = Self.accounted(s) - before[i]
            let accepted = UInt64(outputs[i].tunPackets.count + outputs[i].count(ofType: 2))
            #expect(dropped + accepted == UInt64(sent[i]), "device \(i): \(s)")
            #expect(s.invalidMessages > 0 && s.invalidMAC1 > 0 && s.decryptionFailures > 0)
        }
    }

    @Test func aDeviceWithoutAKeyDropsEverything() throws {
        let (_, seeds) = try Self.seeds()
        var device = WireGuardDevice(configuration: InterfaceConfiguration())
        try device.addOrUpdatePeer(PeerConfiguration(publicKey: X25519.PrivateKey().publicKey, allowedIPs: [try IPPrefix(parsing: "0.0.0.0/0")]))
        var fuzzer = Fuzzer(seed: 99)
        var output = CapturedOutput()
        let now = ManualClock().now
        for input in fuzzer.inputs(count: 20_000, seeds: seeds) {
            device.receive(input, from: TwoPeers.aEndpoint, now: now, output: &output)
        }
        #expect(output.datagrams.isEmpty && output.tunPackets.isEmpty)
        device.send(TwoPeers.aToB([1]), now: now, output: &output)
        #expect(output.datagrams.isEmpty, "no handshake without a private key")
    }

    @Test func outgoingPacketsNeverTrap() throws {
        var net = try TwoPeers()
        net.handshake()
        let seeds = [
            TwoPeers.aToB(IPPackets.payload(40)),
            IPPackets.v6(from: "fd00::1", to: "fd00::2", payload: IPPackets.payload(60)),
        ]
        var fuzzer = Fuzzer(seed: 5)
        var inputs = 0
        for input in fuzzer.inputs(count: 30_000, seeds: seeds) {
            net.sendFromA(input)
            inputs += 1
        }
        let s = net.a.statistics
        let sent = net.aOut.count(ofType: 4)
        #expect(UInt64(sent) + s.noRoute + s.invalidOutgoingPackets == UInt64(inputs))
        // Whatever went out decrypts at b and is either delivered or refused by b's checks.
        net.deliverAll()
        let b = net.b.statistics
        #expect(UInt64(net.bReceived.count) + b.invalidInnerPackets + b.disallowedSourceAddress == UInt64(sent) + 1)
    }

    /// Every counter that counts a received datagram.
    private static func accounted(_ s: TunnelStatistics) -> UInt64 {
        s.invalidMessages + s.invalidMAC1 + s.cookieRepliesSent + s.rateLimitedHandshakes
            + s.invalidInitiations + s.replayedInitiations + s.floodedInitiations + s.invalidResponses
            + s.cookieRepliesReceived + s.invalidCookieReplies + s.unknownReceiverIndex + s.expiredKeypair
            + s.decryptionFailures + s.replayedPackets + s.invalidInnerPackets + s.disallowedSourceAddress
            + s.keepalivesReceived
    }

    /// Datagrams with a valid type and size but random contents, which reach past the framing
    /// checks into MAC, index and decryption code.
    private static func wellFramedRandom(_ count: Int, fuzzer: inout Fuzzer) -> [[UInt8]] {
        (0..<count).map { i in
            let (type, size): (UInt8, Int) = [(1, 148), (2, 92), (3, 64), (4, 32 + 16 * fuzzer.next(below: 8))][i % 4]
            var bytes = fuzzer.bytes(count: size)
            bytes.replaceSubrange(0..<4, with: [type, 0, 0, 0])
            return bytes
        }
    }
}
