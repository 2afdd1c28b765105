import ArgumentParser
import DVPNClient
import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode
import Foundation

/// `channel open|voucher|redeem|close|reclaim|show|list`: payment channels, by hand.
///
/// The client opens a channel to an operator with a deposit, signs vouchers for the cumulative
/// amount it owes (offline: a voucher is a signature, not a transaction), the operator redeems
/// the best one, and the client closes and reclaims the rest after the settlement window.
public struct ChannelCommand<Profile: ProgramProfile>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "channel", abstract: "Open, pay through, settle and inspect payment channels.",
            subcommands: [Open.self, Voucher.self, Redeem.self, Close.self, Reclaim.self, Show.self, List.self])
    }

    public init() {}

    struct Open: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "open", abstract: "Lock a deposit for one operator (the payee).")
        }
        @Option(help: ArgumentHelp("The operator's address.", valueName: "ADDRESS")) var payee: String
        @Option(help: ArgumentHelp("Deposit to lock.", valueName: "DVPN")) var deposit: String
        @Option(name: .customLong("expiry-blocks"), help: ArgumentHelp(
            "Blocks from now until the channel expires.", valueName: "N"))
        var expiryBlocks: UInt64 = 10_000
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws {
            let payeeAddress = try AddressArgument.parse(payee, what: "payee")
            let amount = try LedgerFormat.parseAmount(deposit, what: "deposit")
            let identity = try call.identity.load()
            let height = try await call.node.client().status().latestHeight
            let (expiry, overflow) = height.addingReportingOverflow(expiryBlocks)
            guard !overflow, expiryBlocks > 0 else { throw CommandFailure("--expiry-blocks must be between 1 and 2^64 − height") }
            let sent = try await call.send(
                .contractCall(ChannelsContract.open(
                    payee: payeeAddress.publicKey, expiryHeight: expiry, clientTunnelKey: identity.tunnelKey.publicKey,
                    deposit: amount)),
                identity: identity)
            let id = try ChannelsContract.channelID(fromReturnValue: Hex.decode(sent.receipt?.returnValue ?? "") ?? [])
            if call.output.json {
                print(JSONOutput.render(ChannelOpened(
                    channel: id, hash: sent.hash, height: sent.height, deposit: amount.dvpnString, expiryHeight: expiry)))
            } else {
                print("Opened channel \(id) to \(payeeAddress.string) with \(amount) until height \(expiry), in block \(sent.height ?? 0) (transaction \(sent.hash)).")
            }
        }
    }

    struct Voucher: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "voucher",
                abstract: "Sign a voucher for the cumulative amount owed on a channel (prints it; sends nothing).")
        }
        @Argument(help: ArgumentHelp("Channel id.", valueName: "CHANNEL")) var channel: UInt64
        @Argument(help: ArgumentHelp("Cumulative amount owed so far.", valueName: "AMOUNT")) var amount: String
        @OptionGroup var node: NodeOptions
        @OptionGroup var light: LightClientOptions<Profile>
        @OptionGroup var identity: SigningIdentity<Profile>
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let cumulative = try LedgerFormat.parseAmount(amount, what: "amount")
            let key = try identity.load()
            let verified = try light.open(nodes: node, dataDirectory: identity.dataDirectory)
            let state = try await ChannelCommand.provenChannel(channel, from: verified)
            guard state.payer == key.address.string else {
                throw CommandFailure("channel \(channel) is paid by \(state.payer), not by \(key.address.string)")
            }
            guard cumulative.udvpn <= state.deposit else {
                throw CommandFailure("\(cumulative) is more than channel \(channel)'s deposit of \(LedgerFormat.dvpn(state.deposit))")
            }
            // The chain id the voucher signs is the trusted genesis's, not a node's word.
            let chainID = verified.genesis.chainID
            let voucher = try DVPNPayments.Voucher(chainID: chainID, channel: channel, cumulative: cumulative, payerKey: key.ledgerKey)
            if output.json {
                print(JSONOutput.render(["channel": String(channel), "amount": cumulative.dvpnString, "voucher": voucher.hex]))
            } else {
                print(voucher.hex)
            }
        }
    }

    struct Redeem: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "redeem", abstract: "As the payee, cash a voucher: paid the difference to what you redeemed before.")
        }
        @Argument(help: ArgumentHelp("Channel id.", valueName: "CHANNEL")) var channel: UInt64
        @Argument(help: ArgumentHelp("The voucher, as `channel voucher` printed it.", valueName: "VOUCHER")) var voucher: String
        @OptionGroup var call: ContractCallOptions<Profile>

        func run() async throws {
            let parsed = try DVPNPayments.Voucher(hex: voucher.trimmingCharacters(in: .whitespacesAndNewlines))
            guard parsed.channel == channel else {
                throw CommandFailure("the voucher is for channel \(parsed.channel), not \(channel)")
            }
            let identity = try call.identity.load()
            let sent = try await call.send(.contractCall(ChannelsContract.redeem(parsed)), identity: identity)
            let paid = sent.receipt?.payouts.reduce(0) { $0 + $1.amount } ?? 0
            call.report(
                sent, "Redeemed \(LedgerFormat.dvpn(paid)) from channel \(channel) (voucher for \(parsed.cumulative))",
                extra: ["channel": String(channel), "paid": LedgerFormat.decimal(paid)])
        }
    }

    struct Close: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "close", abstract: "As the payer, start the settlement window after which you can reclaim.")
        }
        @Argument(help: ArgumentHelp("Channel id.", valueName: "CHANNEL")) var channel: UInt64
        @OptionGroup var call: ContractCallOptions<Profile>
        @OptionGroup var light: LightClientOptions<Profile>

        func run() async throws {
            let identity = try call.identity.load()
            let verified = try light.open(nodes: call.node, dataDirectory: call.identity.dataDirectory)
            let sent = try await call.send(.contractCall(ChannelsContract.close(channel: channel)), identity: identity)
            let state = try await ChannelCommand.provenChannel(channel, from: verified)
            let after = state.settlementHeight.map { " (the payer can reclaim from height \($0))" } ?? ""
            call.report(sent, "Closing channel \(channel)\(after)", extra: ["channel": String(channel)])
        }
    }

    struct Reclaim: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                commandName: "reclaim", abstract: "As the payer, take back what was not redeemed (after the window or expiry).")
        }
        @Argument(help: ArgumentHelp("Channel id.", valueName: "CHANNEL")) var channel: UInt64
        @Flag(help: "Wait until the settlement window or the expiry has passed, then reclaim.") var wait = false
        @OptionGroup var call: ContractCallOptions<Profile>
        @OptionGroup var light: LightClientOptions<Profile>

        func run() async throws {
            let identity = try call.identity.load()
            let client = try call.node.client()
            if wait {
                let verified = try light.open(nodes: call.node, dataDirectory: call.identity.dataDirectory)
                let state = try await ChannelCommand.provenChannel(channel, from: verified)
                let target = min(state.settlementHeight ?? state.expiryHeight, state.expiryHeight)
                try await Self.waitForHeight(target, client: client)
            }
            let sent = try await call.send(.contractCall(ChannelsContract.reclaim(channel: channel)), identity: identity)
            let refunded = sent.receipt?.payouts.reduce(0) { $0 + $1.amount } ?? 0
            call.report(
                sent, "Reclaimed \(LedgerFormat.dvpn(refunded)) from channel \(channel)",
                extra: ["channel": String(channel), "refunded": LedgerFormat.decimal(refunded)])
        }

        /// Polls until the chain's latest block is at `height` or beyond, so that the next block
        /// (where the reclaim lands) is past it.
        static func waitForHeight(_ height: UInt64, client: NodeClient, timeout: Duration = .seconds(600)) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while try await client.status().latestHeight < height {
                guard clock.now < deadline else { throw CommandFailure("the chain did not reach height \(height) within \(timeout)") }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "show", abstract: "Show one channel.")
        }
        @Argument(help: ArgumentHelp("Channel id.", valueName: "CHANNEL")) var channel: UInt64
        @OptionGroup var node: NodeOptions
        @OptionGroup var light: LightClientOptions<Profile>
        @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let state = try await ChannelCommand.provenChannel(channel, from: light.open(nodes: node, dataDirectory: dataDirectory))
            if output.json {
                print(JSONOutput.render(ChannelReport(state)))
                return
            }
            var rows: [(String, String)] = [
                ("channel", String(state.id)), ("state", state.state), ("payer", state.payer), ("payee", state.payee),
                ("deposit", LedgerFormat.dvpn(state.deposit)), ("redeemed", LedgerFormat.dvpn(state.redeemed)),
                ("expires at", "height \(state.expiryHeight)"),
            ]
            if let settlement = state.settlementHeight { rows.append(("reclaim from", "height \(settlement)")) }
            print(TextTable.keyValue(rows))
        }
    }

    struct List: AsyncParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "list", abstract: "List channels.")
        }
        @Option(help: ArgumentHelp("Only channels paid by this address.", valueName: "ADDRESS")) var payer: String?
        @Option(help: ArgumentHelp("Only channels paying this address.", valueName: "ADDRESS")) var payee: String?
        @OptionGroup var node: NodeOptions
        @OptionGroup var light: LightClientOptions<Profile>
        @OptionGroup var dataDirectory: DataDirectoryOptions<Profile>
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let payerAddress = try payer.map { try AddressArgument.parse($0, what: "payer") }
            let payeeAddress = try payee.map { try AddressArgument.parse($0, what: "payee") }
            let channels = try await light.open(nodes: node, dataDirectory: dataDirectory)
                .channels(payer: payerAddress, payee: payeeAddress).value
            if output.json {
                print(JSONOutput.render(channels.map(ChannelReport.init)))
                return
            }
            guard !channels.isEmpty else {
                print("No channels match.")
                return
            }
            print(TextTable.columns(
                header: ["ID", "STATE", "PAYER", "PAYEE", "DEPOSIT", "REDEEMED", "EXPIRY"],
                rows: channels.map {
                    [String($0.id), $0.state, $0.payer, $0.payee, LedgerFormat.dvpn($0.deposit),
                     LedgerFormat.dvpn($0.redeemed), String($0.expiryHeight)]
                }))
        }
    }
}

extension ChannelCommand {
    /// A channel read through the light client: proven against a verified header, or a one-line
    /// failure when it is proven absent.
    static func provenChannel(_ id: UInt64, from client: LightClient) async throws -> NodeAPI.Channel {
        guard let channel = try await client.channel(id: id).value else { throw CommandFailure("no channel \(id)") }
        return channel
    }
}

struct ChannelOpened: Encodable {
    let channel: UInt64
    let hash: String
    let height: UInt64?
    let deposit: String
    let expiryHeight: UInt64
}

/// A channel for `--json`, amounts as DVPN decimals and udvpn.
struct ChannelReport: Encodable {
    let channel: UInt64
    let state: String
    let payer: String
    let payee: String
    let deposit: String
    let depositUdvpn: UInt64
    let redeemed: String
    let redeemedUdvpn: UInt64
    let expiryHeight: UInt64
    let settlementHeight: UInt64?

    init(_ channel: NodeAPI.Channel) {
        self.channel = channel.id
        state = channel.state
        payer = channel.payer
        payee = channel.payee
        deposit = LedgerFormat.decimal(channel.deposit)
        depositUdvpn = channel.deposit
        redeemed = LedgerFormat.decimal(channel.redeemed)
        redeemedUdvpn = channel.redeemed
        expiryHeight = channel.expiryHeight
        settlementHeight = channel.settlementHeight
    }
}
