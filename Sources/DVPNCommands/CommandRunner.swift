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
        } catch let exitCode as ExitCode {
            exit(exitCode.rawValue)
        } catch is CleanExit {
            Root.exit(withError: CleanExit.message(""))
        } catch let error as ValidationError {
            Root.exit(withError: error)
        } catch {
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
