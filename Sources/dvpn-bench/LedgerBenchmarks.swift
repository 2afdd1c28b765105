import DVPNCrypto
import DVPNLedger
import DVPNNodeAPI
import DVPNPayments
import DVPNNode
import Foundation
import Logging

/// The ledger's throughput on a real SQLite store in a temporary directory, measured in wall
/// time (a block's commit includes its fsync, which is part of applying it):
///
/// - transfers: signed transfers from many senders go through mempool admission, block building
///   and execution, signing the commit and the SQLite write, in full blocks;
/// - redeems: `channels.redeem` calls with fresh vouchers, each through the contract engine
///   (WasmKit, fuel, the voucher's Schnorr verification in the host), the same way;
/// - audit: `ChainAuditor` replays the whole chain the two runs produced, from genesis.
///
/// The bound for each is BIP340 verifications per second on this machine divided by the
/// signatures each transaction needs checked (one per transfer; two per redeem, the
/// transaction's and the voucher's): no implementation that checks every signature once can go
/// faster.
struct LedgerBench {
    let directory: URL
    let ledger: Ledger
    let signer: CommitSigner
    let genesis: Genesis
    let senders: [Schnorr.PrivateKey]
    let payers: [Schnorr.PrivateKey]
    let payees: [Schnorr.PrivateKey]

    static let sendersCount = 64
    static let channelsCount = 32

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvpn-ledger-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let validator = Schnorr.PrivateKey()
        senders = (0..<Self.sendersCount).map { _ in Schnorr.PrivateKey() }
        payers = (0..<Self.channelsCount).map { _ in Schnorr.PrivateKey() }
        payees = (0..<Self.channelsCount).map { _ in Schnorr.PrivateKey() }
        let funds = Amount(udvpn: 100_000 * Amount.udvpnPerDVPN)
        let contracts = EmbeddedContract.devnet
        genesis = try Genesis(
            chainID: "dvpn-bench-1", genesisTime: Timestamp(Date()),
            validators: ValidatorSet(validators: [Validator(publicKey: validator.publicKey, power: 10)]),
            balances: (senders + payers + payees).map {
                GenesisBalance(address: AccountAddress(publicKey: $0.publicKey), amount: funds)
            },
            contracts: contracts.map { GenesisContract(name: $0.name, codeSHA256: Hash256.sha256($0.code)) },
            params: .devnet)
        var code: [String: [UInt8]] = [:]
        for contract in contracts { code[contract.name] = contract.code }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        ledger = try Ledger(
            store: LedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path), genesis: genesis,
            contractCode: code, mempoolLimits: MempoolLimits(maxTransactions: 50_000, maxPerSender: 1_000),
            logger: logger)
        signer = CommitSigner(key: validator, chainID: genesis.chainID)
    }

    func remove() {
        try? ledger.store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Measured runs

    /// Applies `count` transfers (signed beforehand, not timed); returns transactions per second.
    func transfers(count: Int) throws -> Double {
        var nonces = [UInt64](repeating: 0, count: senders.count)
        var transactions: [Transaction] = []
        for index in 0..<count {
            let sender = index % senders.count
            let to = AccountAddress(publicKey: senders[(sender + 1) % senders.count].publicKey)
            transactions.append(try sign(.transfer(to: to, amount: Amount(udvpn: 1)), by: senders[sender], nonce: nonces[sender]))
            nonces[sender] += 1
        }
        return try apply(transactions)
    }

    /// Opens one channel per payer→payee pair (not timed), then applies `count` redeems of
    /// increasing vouchers spread over the channels; returns transactions per second.
    func redeems(count: Int) throws -> Double {
        var opens: [Transaction] = []
        for (payer, payee) in zip(payers, payees) {
            opens.append(try sign(
                .contractCall(ChannelsContract.open(
                    payee: payee.publicKey, expiryHeight: 1_000_000, clientTunnelKey: X25519.PrivateKey().publicKey,
                    deposit: Amount(udvpn: 1_000 * Amount.udvpnPerDVPN))),
                by: payer, nonce: 0))
        }
        _ = try apply(opens)
        var channelOf: [Int] = []
        for open in opens {
            guard let location = try ledger.store.transactionLocation(open.id),
                  let receipt = try ledger.store.receipts(at: location.height).dropFirst(location.index).first,
                  receipt.succeeded
            else { throw BenchError.setup("channel open failed") }
            channelOf.append(Int(try ChannelsContract.channelID(fromReturnValue: receipt.returnData)))
        }
        var redeems: [Transaction] = []
        var nonces = [UInt64](repeating: 0, count: payees.count)
        for index in 0..<count {
            let pair = index % payees.count
            let round = UInt64(index / payees.count + 1)
            let voucher = try Voucher(
                chainID: genesis.chainID, channel: UInt64(channelOf[pair]), cumulative: Amount(udvpn: round * 1_000),
                payerKey: payers[pair])
            redeems.append(try sign(.contractCall(ChannelsContract.redeem(voucher)), by: payees[pair], nonce: nonces[pair]))
            nonces[pair] += 1
        }
        let rate = try apply(redeems)
        for redeem in redeems.prefix(3) {
            guard let location = try ledger.store.transactionLocation(redeem.id),
                  try ledger.store.receipts(at: location.height)[location.index].succeeded
            else { throw BenchError.setup("a measured redeem failed") }
        }
        return rate
    }

    /// Replays the whole chain with the auditor; returns (transactions, transactions per second).
    func audit() throws -> (transactions: UInt64, perSecond: Double) {
        let store = try LedgerStore(path: directory.appendingPathComponent("ledger.sqlite").path, readOnly: true)
        defer { try? store.close() }
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try ChainAuditor(store: store, expectedGenesis: genesis).run()
        let elapsed = clock.now - start
        guard case .passed(let report) = outcome else {
            throw BenchError.setup("the audit failed: \(outcome.violation?.description ?? "")")
        }
        return (report.transactions, Double(report.transactions) / Self.seconds(elapsed))
    }

    /// Submits every transaction and produces blocks until the mempool is empty; wall time.
    private func apply(_ transactions: [Transaction]) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        for tx in transactions {
            if case .rejected(let rejection) = ledger.submit(tx) { throw BenchError.setup("refused: \(rejection)") }
        }
        while ledger.mempoolCount > 0 {
            let last = ledger.position.time.millisecondsSince1970
            let now = Timestamp(Date())
            let time = now.millisecondsSince1970 > last ? now : Timestamp(millisecondsSince1970: last + 1)
            _ = try ledger.produceBlock(signer: signer, time: time, allowEmpty: false)
        }
        return Double(transactions.count) / Self.seconds(clock.now - start)
    }

    private func sign(_ payload: TransactionPayload, by key: Schnorr.PrivateKey, nonce: UInt64) throws -> Transaction {
        try TransactionBody(chainID: genesis.chainID, sender: key.publicKey, nonce: nonce, fee: genesis.params.minFee, payload: payload)
            .signed(with: key)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// BIP340 verifications per second of transaction signing messages, wall time, single thread.
    static func schnorrVerificationsPerSecond(seconds: Double) throws -> Double {
        let key = Schnorr.PrivateKey()
        let message = Array(repeating: UInt8(7), count: 180)
        let signature = try key.signature(for: message)
        let clock = ContinuousClock()
        let start = clock.now
        var count = 0
        while Self.seconds(clock.now - start) < seconds {
            for _ in 0..<200 where key.publicKey.isValidSignature(signature, for: message) { count += 1 }
        }
        return Double(count) / Self.seconds(clock.now - start)
    }

    enum BenchError: Error, CustomStringConvertible {
        case setup(String)
        var description: String {
            switch self { case .setup(let why): "ledger benchmark: \(why)" }
        }
    }
}
