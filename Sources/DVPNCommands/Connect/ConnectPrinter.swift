import DVPNClient
import DVPNLedger
import Foundation

/// How `dvpn connect` shows its events: lines for people (one status line rewritten in place on
/// a terminal), or one JSON object per line for machines (`--json`, each with an `event` key).
struct ConnectPrinter: Sendable {
    let json: Bool
    let program: String
    /// Whether standard output is a terminal (the status line is then rewritten in place).
    let terminal = isatty(STDOUT_FILENO) == 1

    func print(_ event: ConnectEvent) {
        if json {
            write(JSONLine.render(ConnectEventJSON(event)) + "\n")
            return
        }
        switch event {
        case .status(let status), .connected(let status):
            let line = Self.statusLine(status)
            if terminal {
                write("\r\u{1B}[2K" + line)
            } else if case .connected = event {
                write(line + "\n")
            }
        case .summary(let summary):
            write((terminal ? "\r\u{1B}[2K" : "") + Self.summaryLine(summary) + "\n")
        default:
            if let line = Self.line(event) { write((terminal ? "\r\u{1B}[2K" : "") + line + "\n") }
        }
    }

    /// `dvpn1… DE 0.5 DVPN/GiB | 12.3 MiB | spent 0.006 DVPN | 1.2 MiB/s`
    static func statusLine(_ status: ConnectStatus) -> String {
        let price = status.pricePerHour.map { "\(status.pricePerGiB) DVPN/GiB + \($0) DVPN/h" } ?? "\(status.pricePerGiB) DVPN/GiB"
        return "\(status.node) \(status.country) \(price) | \(ByteText.describe(status.bytes)) | spent \(status.spent) DVPN | \(ByteText.describe(status.bytesPerSecond))/s"
    }

    static func summaryLine(_ summary: ConnectSummary) -> String {
        var line = "Disconnected: \(ByteText.describe(summary.bytes)) (\(summary.bytes) bytes), paid \(Amount(udvpn: summary.paid).dvpnString) DVPN, refunded \(Amount(udvpn: summary.refunded).dvpnString) DVPN"
        if !summary.abandonedChannels.isEmpty {
            line += "; channel(s) \(summary.abandonedChannels.map(String.init).joined(separator: ", ")) to reclaim after their window"
        }
        if !summary.keptChannels.isEmpty {
            line += "; channel(s) \(summary.keptChannels.map(String.init).joined(separator: ", ")) kept open for the next connect"
        }
        return line + "."
    }

    static func line(_ event: ConnectEvent) -> String? {
        switch event {
        case .selected(let address, let country, let price, let rtt, let count):
            return "Selected \(address) in \(country) at \(price) (round trip \(rtt) ms; \(count) matching operator(s) answer)."
        case .channelOpened(let channel, let deposit, let height):
            return "Opened channel \(channel) with \(deposit.dvpnString) DVPN in block \(height)."
        case .channelReused(let channel, let left):
            return "Reusing channel \(channel) (\(left.dvpnString) DVPN left)."
        case .toppedUp(let channel, let amount, let deposit):
            return "Topped up channel \(channel) by \(amount.dvpnString) DVPN (deposit \(deposit.dvpnString) DVPN)."
        case .switched(let from, let to, let reason):
            return "Switched from \(from) to \(to): \(reason)."
        case .channelSettling(let channel, let what):
            return "Channel \(channel): \(what)."
        case .cutOff(let reason):
            return "Cut off: \(reason)."
        case .warning(let text):
            return "warning: \(text)"
        case .status, .connected, .summary:
            return nil
        }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Binary units for people: `512 B`, `12.3 MiB`.
enum ByteText {
    static func describe(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}

/// One JSON object on one line (the `--json` event stream).
enum JSONLine {
    static func render(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
