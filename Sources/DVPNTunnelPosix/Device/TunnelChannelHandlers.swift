import Logging
import NIOCore

/// Receives the IP packets NIO reads from the TUN descriptor (one `channelRead` per packet, a
/// batch per wake-up) and hands them to the driver. Thin, as NIO handlers should be.
///
/// The driver is held `unowned(unsafe)`: `TunnelIO` keeps it alive until it has closed every
/// channel whose pipeline holds one of these handlers, and no reference count per packet is paid.
final class TunReadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private unowned(unsafe) let driver: TunnelDriver

    init(driver: TunnelDriver) {
        self.driver = driver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.outgoing(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        driver.endOfBurst()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        driver.logger.error("TUN read failed: \(error)")
    }
}

@available(*, unavailable)
extension TunReadHandler: Sendable {}

/// Receives the datagrams of the UDP socket (a vector read per wake-up) for the driver (held as
/// in `TunReadHandler`).
///
/// Errors are logged and the socket stays open: an ICMP port-unreachable from a peer that is down
/// surfaces as `ECONNREFUSED` on the next read, and that must not stop the tunnel.
final class UDPReadHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private unowned(unsafe) let driver: TunnelDriver

    init(driver: TunnelDriver) {
        self.driver = driver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        driver.incoming(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        driver.endOfBurst()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        driver.logger.debug("UDP socket error (ignored): \(error)")
    }
}

@available(*, unavailable)
extension UDPReadHandler: Sendable {}
