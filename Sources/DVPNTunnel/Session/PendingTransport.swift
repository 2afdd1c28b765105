import DVPNCrypto

/// A transport packet ready to be encrypted: what `WireGuardDevice.prepareOutgoingIPPacket`
/// leaves to the caller. It holds the key and counter, so sealing needs no access to the device
/// and may run on any thread.
public struct PendingSeal: Sendable {
    /// Where to send the sealed datagram.
    public let endpoint: Endpoint
    let key: SecureBytes
    let counter: UInt64
    let paddedCount: Int

    /// Encrypts, in place, the packet in the buffer it was prepared in, and returns the finished
    /// datagram (a view into `buffer`, starting at its first byte).
    @inline(__always)
    public func seal(_ buffer: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer {
        let header = TransportHeader.byteCount
        let sealedCount = key.withUnsafeBytes { key in
            ChaChaPoly.sealInPlace(
                UnsafeMutableRawBufferPointer(rebasing: buffer[header..<(header + paddedCount + ChaChaPoly.tagByteCount)]),
                plaintextCount: paddedCount, key: key, counter: counter)
        }
        return UnsafeRawBufferPointer(rebasing: buffer[..<(header + sealedCount)])
    }
}

/// A received transport message whose key pair is known: what `WireGuardDevice.prepareDatagram`
/// leaves to the caller. Opening needs no access to the device and may run on any thread.
public struct PendingOpen: Sendable {
    let key: SecureBytes
    let counter: UInt64
    let receiverIndex: UInt32

    /// Decrypts `datagram` (the one it was prepared from) in place and returns the plaintext
    /// length; the plaintext starts at offset 16. Nil when it does not authenticate.
    @inline(__always)
    public func open(_ datagram: UnsafeMutableRawBufferPointer) -> Int? {
        let content = UnsafeMutableRawBufferPointer(rebasing: datagram[TransportHeader.byteCount...])
        return key.withUnsafeBytes { ChaChaPoly.openInPlace(content, key: $0, counter: counter) }
    }
}
