import Foundation
internal import CSodium

/// Secret bytes that are zeroed when the last reference goes away.
///
/// Like swift-crypto's `SecureBytes`, the storage is a class so copies share one buffer and
/// `deinit` can wipe it. The buffer is allocated once and never grown, so no stale copy of the
/// secret is left behind by a reallocation. Equality is constant-time.
public struct SecureBytes: Sendable, ContiguousBytes, Equatable {
    /// Owns the secret. Immutable after initialisation, so sharing it across threads is safe;
    /// that is why it may be `@unchecked Sendable`.
    final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutableRawBufferPointer

        init(count: Int) {
            _ = Sodium.ready
            // Not mlock'ed: small secrets share pages with other allocations, and unlocking one
            // secret's page at free time would silently unlock its neighbours. Deployments that
            // care about swap should run without swap or with encrypted swap.
            pointer = .allocate(byteCount: Swift.max(count, 1), alignment: 16)
            if count == 0 {
                pointer.storeBytes(of: 0, as: UInt8.self)
            }
        }

        deinit {
            sodium_memzero(pointer.baseAddress!, pointer.count)
            pointer.deallocate()
        }
    }

    let storage: Storage
    /// The number of secret bytes.
    public let count: Int

    /// Copies `bytes` into fresh protected storage. The caller should zero its own copy.
    public init(_ bytes: some ContiguousBytes) {
        let count = bytes.withUnsafeBytes { $0.count }
        storage = Storage(count: count)
        self.count = count
        bytes.withUnsafeBytes { src in
            if let base = src.baseAddress, count > 0 {
                storage.pointer.baseAddress!.copyMemory(from: base, byteCount: count)
            }
        }
    }

    /// Fresh random secret bytes.
    public init(randomCount count: Int) {
        storage = Storage(count: count)
        self.count = count
        SecureRandom.fill(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    /// Builds a secret by letting `body` write it directly into protected storage.
    public init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        storage = Storage(count: count)
        self.count = count
        try body(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    /// A plain copy of the secret, for the few places (serialisation under encryption) that need
    /// one. The caller owns the copy and should zero it with `SecureZero.zero(_:)`.
    public func unsafeCopy() -> [UInt8] {
        withUnsafeBytes { [UInt8]($0) }
    }

    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        ConstantTime.equals(lhs, rhs)
    }
}
