import DVPNCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where passphrases come from: the `DVPN_PASSPHRASE` environment variable (for scripts and
/// services), else the controlling terminal with echo off. With neither, a clear error instead
/// of a hang.
enum PassphraseSource {
    static let environmentVariable = "DVPN_PASSPHRASE"

    static func obtain(prompt: String, confirm: Bool) throws -> Passphrase {
        if let value = ProcessInfo.processInfo.environment[environmentVariable] {
            guard !value.isEmpty else {
                throw CommandFailure("\(environmentVariable) is empty; use --insecure-no-passphrase for an unprotected devnet key")
            }
            return Passphrase(value)
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandFailure("no passphrase: set \(environmentVariable) or run on a terminal (--insecure-no-passphrase for devnets)")
        }
        let first = try readHidden(prompt)
        if confirm {
            let second = try readHidden("Repeat passphrase: ")
            guard first == second else { throw CommandFailure("the passphrases do not match") }
        }
        guard !first.isEmpty else { throw CommandFailure("empty passphrase; use --insecure-no-passphrase for devnets") }
        return Passphrase(first)
    }

    /// Reads one line from the terminal without echoing it.
    private static func readHidden(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        defer {
            if haveTerminal { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CommandFailure("no passphrase entered") }
        return line
    }
}
