import DVPNCrypto
import DVPNLedger
import NIOCore
import NIOPosix
@testable import DVPNGossip

/// A raw TCP client that speaks the link protocol by hand, so a test can send whatever it likes:
/// a correct handshake and then garbage, or a handshake with a forged identity proof.
final class HostilePeer {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffer = ByteBuffer()
    var session: LinkSession?

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Connects, runs `body`, and closes the connection whatever happens.
    static func connect(to address: PeerAddress, _ body: (HostilePeer) async throws -> Void) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: address.host, port: Int(address.port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await body(HostilePeer(inbound: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    func sendFrame(_ body: [UInt8]) async throws {
        var out = ByteBuffer()
        FrameCodec.writeFrame(body, to: &out)
        try await outbound.write(out)
    }

    /// The next frame body, or nil when the node closed the link.
    func readFrame() async throws -> [UInt8]? {
        while true {
            if let frame = try FrameCodec.readFrame(from: &buffer, maxLength: 1 << 24) { return Array(buffer: frame) }
            guard var more = try await inbound.next() else { return nil }
            buffer.writeBuffer(&more)
        }
    }

    /// True once the node has closed the link (reads and discards anything still in flight).
    func isClosedByNode() async -> Bool {
        do {
            while try await readFrame() != nil {}
            return true
        } catch {
            return true
        }
    }

    /// A full, honest handshake as initiator.
    func handshake(identity: LinkIdentity, chainID: String) async throws {
        var handshake = try LinkHandshake(role: .initiator, identity: identity, chainID: chainID)
        try await sendFrame(try handshake.start())
        guard let second = try await readFrame() else { throw GossipError(.handshakeFailed, "closed") }
        guard case .established(let session, let reply?) = try handshake.receive(second) else {
            throw GossipError(.handshakeFailed, "unexpected step")
        }
        try await sendFrame(reply)
        self.session = session
    }

    /// Seals and sends an envelope's bytes (or any plaintext) on the established link.
    func sendSealed(_ plaintext: [UInt8]) async throws {
        guard var session else { throw GossipError(.handshakeFailed, "no session") }
        let ciphertext = try session.seal(plaintext)
        self.session = session
        try await sendFrame(ciphertext)
    }

    /// The next envelope the node sent on the established link, decrypted; nil when it closed.
    func receiveEnvelope() async throws -> GossipEnvelope? {
        guard var session else { throw GossipError(.handshakeFailed, "no session") }
        guard let frame = try await readFrame() else { return nil }
        let plaintext = try session.open(frame)
        self.session = session
        return try GossipEnvelope(canonicalBytes: plaintext)
    }
}
