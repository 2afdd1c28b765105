import NIOCore

/// What the UAPI server asks of the running tunnel. Called on the tunnel's event loop, so the
/// implementation reads and changes the core directly.
protocol UAPIConfigurable: AnyObject {
    /// The full `get=1` answer (keys, then `errno=0`, then a blank line).
    func uapiGet() -> String
    /// Applies a parsed `set=1`; throws with the errno to report.
    func uapiSet(_ request: UAPISetRequest) throws(TunnelIOError)
}

/// One client connection of the UAPI socket (`wg`, usually): reads operations line by line and
/// answers each, as wireguard-go's `IpcHandle` does. A connection may carry several operations;
/// an unknown operation line closes it.
///
/// Requests are small (a `set` with every allowed IP of a large configuration is a few hundred
/// KiB at most), so lines are buffered until the blank line that ends the operation; a client
/// that sends more than `maximumRequestBytes` without finishing is disconnected.
final class UAPIConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumRequestBytes = 4 << 20

    private weak var target: (any UAPIConfigurable)?
    private var pending = ByteBuffer()

    private enum State {
        case awaitingOperation
        case awaitingGetTerminator
        case readingSet(lines: [Substring], bytes: Int)
    }

    private var state = State.awaitingOperation

    init(target: any UAPIConfigurable) {
        self.target = target
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        pending.writeBuffer(&incoming)
        while let line = nextLine() {
            guard handle(line: line, context: context) else {
                context.close(promise: nil)
                return
            }
        }
        if pending.readableBytes > Self.maximumRequestBytes {
            context.close(promise: nil)
        }
    }

    private func nextLine() -> Substring? {
        guard let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let length = newline - pending.readerIndex
        let line = pending.readString(length: length) ?? ""
        pending.moveReaderIndex(forwardBy: 1)
        pending.discardReadBytes()
        return Substring(line)
    }

    /// Returns false when the connection must close.
    private func handle(line: Substring, context: ChannelHandlerContext) -> Bool {
        switch state {
        case .awaitingOperation:
            switch line {
            case "get=1": state = .awaitingGetTerminator
            case "set=1": state = .readingSet(lines: [], bytes: 0)
            default: return false
            }
        case .awaitingGetTerminator:
            state = .awaitingOperation
            guard line.isEmpty else {
                reply(UAPISerializer.failure(errno: UAPIErrno.invalid), context: context)
                return true
            }
            reply(target?.uapiGet() ?? UAPISerializer.failure(errno: UAPIErrno.io), context: context)
        case .readingSet(var lines, let bytes):
            if !line.isEmpty {
                let total = bytes + line.utf8.count
                guard total <= Self.maximumRequestBytes else { return false }
                lines.append(line)
                state = .readingSet(lines: lines, bytes: total)
                return true
            }
            state = .awaitingOperation
            reply(applySet(lines), context: context)
        }
        return true
    }

    private func applySet(_ lines: [Substring]) -> String {
        do {
            let request = try UAPIParser.parseSet(lines)
            guard let target else { return UAPISerializer.failure(errno: UAPIErrno.io) }
            try target.uapiSet(request)
            return "errno=0\n\n"
        } catch {
            return UAPISerializer.failure(errno: error.errno == 0 ? UAPIErrno.invalid : error.errno)
        }
    }

    private func reply(_ text: String, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

@available(*, unavailable)
extension UAPIConnectionHandler: Sendable {}
