import Synchronization

/// Set once by the command's signal handler (SIGINT, SIGTERM), read by the connect's loop on
/// every tick: the loop then ends the session cleanly (final voucher, SessionEnd, cooperative
/// close) instead of being cancelled in the middle of a payment.
public final class StopSignal: Sendable {
    // Mutex: written by the signal task, read by the connect loop.
    private let flag = Mutex(false)

    public init() {}

    public func stop() { flag.withLock { $0 = true } }
    public var isStopped: Bool { flag.withLock { $0 } }
}

/// The result of a background top-up, handed to the loop that owns the `PayerSession`.
final class TopUpResult: Sendable {
    // Mutex: written by the top-up task, taken by the connect loop.
    private let value = Mutex<Result<UInt64, ClientError>?>(nil)

    func set(_ result: Result<UInt64, ClientError>) { value.withLock { $0 = result } }
    func take() -> Result<UInt64, ClientError>? { value.withLock { current in defer { current = nil }; return current } }
}
