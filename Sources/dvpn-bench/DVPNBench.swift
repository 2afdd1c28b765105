import ArgumentParser

/// `dvpn-bench`: micro-benchmarks that run side by side with a reference implementation and
/// report ratios (DESIGN.md, "What done means"). `Scripts/bench/*.sh` build it in release mode and
/// run it; this executable only parses arguments, measures and prints.
@main
struct DVPNBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dvpn-bench",
        abstract: "dvpn micro-benchmarks (run through Scripts/bench/*.sh).",
        subcommands: [
            CryptoBenchmarkCommand.self, LedgerBenchmarkCommand.self, ConsensusBenchmarkCommand.self, VoucherBenchmarkCommand.self,
        ],
        defaultSubcommand: CryptoBenchmarkCommand.self)
}
