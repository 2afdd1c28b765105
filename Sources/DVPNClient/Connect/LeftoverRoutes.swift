import Foundation

/// The undo commands of the routes and rules a connect applied, in `DATA/routes.json` (0600)
/// while they are in force: a connect killed with SIGKILL cannot remove its policy rules and
/// bypass routes (the interface and its table's route go with the process, the rest stays), so
/// the next connect runs them first. Removed when the routes are removed.
public enum LeftoverRoutes {
    public static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("routes.json")
    }

    public static func record(_ plan: RoutePlan, dataDirectory: String) throws(ClientError) {
        do {
            try PrivateFile.replace(at: path(dataDirectory: dataDirectory), with: JSONEncoder().encode(plan.undoCommands))
        } catch {
            throw ClientError(.system, "cannot record the routes in \(path(dataDirectory: dataDirectory)): \(error)")
        }
    }

    static func clear(dataDirectory: String) { unlink(path(dataDirectory: dataDirectory)) }

    /// Removes what an earlier connect left; returns how many commands were run.
    public static func removeIfLeftBehind(dataDirectory: String, namespace: String? = nil) -> Int {
        let path = path(dataDirectory: dataDirectory)
        guard let data = FileManager.default.contents(atPath: path),
            let commands = try? JSONDecoder().decode([[String]].self, from: data)
        else { return 0 }
        for command in commands { _ = try? SystemCommand.ip(command, namespace: namespace) }
        unlink(path)
        return commands.count
    }
}
