/// The `struct virtio_net_hdr` (linux/virtio_net.h) in front of every packet on a TUN descriptor
/// opened with `IFF_VNET_HDR`: 10 bytes, host byte order.
///
/// On reads the kernel says whether the packet is a TCP segment larger than the MTU that we must
/// cut (`gsoType` TCPv4/TCPv6, pieces of `gsoSize` payload bytes) and whether its checksum is still
/// partial (`needsChecksum`: the sum over `checksumStart...` goes at `checksumStart +
/// checksumOffset`). On writes the same fields let us hand the kernel a coalesced segment.
struct VirtioNetHeader {
    static let byteCount = 10

    static let flagNeedsChecksum: UInt8 = 1
    static let gsoNone: UInt8 = 0
    static let gsoTCPv4: UInt8 = 1
    static let gsoTCPv6: UInt8 = 4
    static let gsoECN: UInt8 = 0x80

    var flags: UInt8 = 0
    var gsoType: UInt8 = 0
    var headerLength: UInt16 = 0
    var gsoSize: UInt16 = 0
    var checksumStart: UInt16 = 0
    var checksumOffset: UInt16 = 0

    init() {}

    init(reading bytes: UnsafeRawBufferPointer) {
        flags = bytes[0]
        gsoType = bytes[1]
        headerLength = bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
        gsoSize = bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        checksumStart = bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        checksumOffset = bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
    }

    func write(to bytes: UnsafeMutableRawBufferPointer) {
        bytes[0] = flags
        bytes[1] = gsoType
        bytes.storeBytes(of: headerLength, toByteOffset: 2, as: UInt16.self)
        bytes.storeBytes(of: gsoSize, toByteOffset: 4, as: UInt16.self)
        bytes.storeBytes(of: checksumStart, toByteOffset: 6, as: UInt16.self)
        bytes.storeBytes(of: checksumOffset, toByteOffset: 8, as: UInt16.self)
    }

    var needsChecksum: Bool { flags & Self.flagNeedsChecksum != 0 }
    var isTCPSegmentation: Bool {
        let type = gsoType & ~Self.gsoECN
        return type == Self.gsoTCPv4 || type == Self.gsoTCPv6
    }
}
