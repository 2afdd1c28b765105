import DVPNTunnel

/// The core's output sink for one call: datagrams into the batch, packets to the TUN (through the
/// coalescer when the TUN has offloads).
///
/// It lives for one synchronous call into the core, while the driver holds the batch and the
/// coalescer, so `unowned(unsafe)` is safe and spares two reference counts per packet.
struct DriverOutput: TunnelOutput {
    unowned(unsafe) let batch: DatagramBatch
    let tun: TunDevice
    unowned(unsafe) let coalescer: TunWriteCoalescer
    var tunWriteFailures: UInt64 = 0

    init(batch: DatagramBatch, tun: TunDevice, coalescer: TunWriteCoalescer) {
        self.batch = batch
        self.tun = tun
        self.coalescer = coalescer
    }

    mutating func sendDatagram(_ datagram: UnsafeRawBufferPointer, to endpoint: Endpoint) {
        batch.append(datagram, to: endpoint)
    }

    mutating func writeToTUN(_ packet: UnsafeRawBufferPointer) {
        if tun.hasVirtioHeader {
            coalescer.write(packet)
        } else if !tun.write(packet) {
            tunWriteFailures &+= 1
        }
    }
}
