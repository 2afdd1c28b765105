/// What differs between the two executables that share these commands: the program's name and
/// the default data directory (`~/.dvpn` for the client, `~/.dvpn-node` for the operator node).
public protocol ProgramProfile: Sendable {
    static var programName: String { get }
    static var defaultDataDirectoryName: String { get }
}

/// The client, `dvpn`.
public enum ClientProfile: ProgramProfile {
    public static let programName = "dvpn"
    public static let defaultDataDirectoryName = ".dvpn"
}

/// The operator node, `dvpn-node`.
public enum NodeProfile: ProgramProfile {
    public static let programName = "dvpn-node"
    public static let defaultDataDirectoryName = ".dvpn-node"
}
