import DVPNCrypto

/// The one public error type of DVPNTunnelPosix: an extensible code, a reason that names what was
/// wrong (for configuration errors: the file, the line and the key), and where it was raised
/// (after swift-certificates' `X509.Error`).
///
/// Packets from the network never produce one of these: the core drops and counts them. These are
/// for the edges a person controls (a configuration file, a UAPI request, the system calls that
/// create the interface).
public struct TunnelIOError: ModuleError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// A wg-quick configuration file is malformed.
        public static let invalidConfiguration = Code(name: "invalid configuration")
        /// A UAPI request is malformed or names an unknown key (wireguard-go answers `errno=22`).
        public static let invalidRequest = Code(name: "invalid request")
        /// A system call on the TUN device, a socket or a file failed.
        public static let system = Code(name: "system")
        /// An external command (`ip`) failed.
        public static let command = Code(name: "command")
        /// A `TunnelControl` call while its tunnel is not running.
        public static let notRunning = Code(name: "not running")

        public var description: String { name }
    }

    public let code: Code
    public let reason: String
    /// For `.system`: the errno value, so that the UAPI can report it; 0 otherwise.
    public let errno: Int32
    public let file: String
    public let line: UInt

    @inline(never)
    public init(_ code: Code, _ reason: String, errno: Int32 = 0, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.errno = errno
        self.file = file
        self.line = line
    }

    /// Also compares the errno, which `ModuleError`'s default equality does not know about.
    public static func == (lhs: TunnelIOError, rhs: TunnelIOError) -> Bool {
        lhs.code == rhs.code && lhs.reason == rhs.reason && lhs.errno == rhs.errno
    }
}

extension TunnelIOError {
    /// A failed system call, with the errno text (`strerror`).
    @inline(never)
    static func system(_ call: String, errno code: Int32, file: String = #fileID, line: UInt = #line) -> TunnelIOError {
        TunnelIOError(.system, "\(call): \(String(cString: strerror(code)))", errno: code, file: file, line: line)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
