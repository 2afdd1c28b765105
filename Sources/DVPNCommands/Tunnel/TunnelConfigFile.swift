import DVPNTunnelPosix
import Foundation

/// What `dvpn tunnel up` and `dvpn-node exit up` share: the wg-quick file and the interface name
/// derived from it.
enum TunnelConfigFile {
    /// The interface name wg-quick would use: the file name without `.conf`.
    static func interfaceName(config: String, interface: String?) -> String {
        if let interface { return interface }
        let base = (config as NSString).lastPathComponent
        return base.hasSuffix(".conf") ? String(base.dropLast(5)) : base
    }

    /// Reads, parses and resolves the file; every failure is one line.
    static func load(_ path: String) throws -> WgQuickConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let fileName = (path as NSString).lastPathComponent
        let parsed = try WgQuickParser.parse(text, fileName: fileName)
        return try parsed.resolvingEndpoints(fileName: fileName)
    }

    /// The tunnel options the test scripts can set through the environment.
    static func optionsFromEnvironment() -> TunnelService.Options {
        var options = TunnelService.Options()
        // Test hook (Scripts/test/tunnel-interop.sh): answer every handshake with a cookie first.
        options.forceUnderLoad = ProcessInfo.processInfo.environment["DVPN_TUNNEL_FORCE_UNDER_LOAD"] == "1"
        if ProcessInfo.processInfo.environment["DVPN_TUNNEL_NO_OFFLOAD"] == "1" { options.useOffloads = false }
        return options
    }
}
