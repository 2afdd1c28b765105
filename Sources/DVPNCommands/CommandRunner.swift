import ArgumentParser
import Foundation

/// Runs a root command the way both executables want: help and usage errors as
/// swift-argument-parser prints them (exit 64 for usage), and every runtime failure as ONE line
/// `PROGRAM: message` on stderr with exit code 1 — never a stack trace, never a crash.
public enum CommandRunner {
    public static func main<Root: ParsableCommand, Profile: ProgramProfile>(
        _ root: Root.Type, profile: Profile.Type, arguments: [String]? = nil
    ) async -> Never {
        let command: ParsableCommand
        do {
            command = try Root.parseAsRoot(arguments)
        } catch {
            Root.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            exit(0)
        } catch {
            // Help (`--help` parses to a command whose run throws), clean exits, explicit exit
            // codes and usage errors are swift-argument-parser's to print. Everything else is a
            // runtime failure of ours: one line and exit code 1.
            if error is ExitCode || Root.exitCode(for: error) != .failure {
                Root.exit(withError: error)
            }
            FileHandle.standardError.write(Data("\(Profile.programName): \(describe(error))\n".utf8))
            exit(1)
        }
    }

    /// One line: our module errors print their reason; anything else its description.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
