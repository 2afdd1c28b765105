import ArgumentParser

/// A user-facing failure: printed as one line (`dvpn: <message>`) and exit code 1. Commands throw
/// this (or a module's error, which reads the same way) instead of trapping.
public struct CommandFailure: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
