import DVPNContractRuntime
import DVPNCrypto
import Synchronization

/// What a block's transactions may learn about the block: its height, its time, its proposer.
public struct BlockContext: Hashable, Sendable {
    public var height: UInt64
    public var time: Timestamp
    public var proposer: Schnorr.PublicKey

    public init(height: UInt64, time: Timestamp, proposer: Schnorr.PublicKey) {
        self.height = height
        self.time = time
        self.proposer = proposer
    }
}

/// A transaction the executor refused to run, with its position in the input list.
public struct RejectedTransaction: Hashable, Sendable {
    public var index: Int
    public var transaction: Transaction
    public var rejection: TransactionRejection
}

/// The result of executing a list of transactions on a state.
public struct BlockExecution: Sendable {
    /// The transactions that ran, in order (the input minus `rejected`).
    public let transactions: [Transaction]
    /// One receipt per executed transaction.
    public let receipts: [Receipt]
    /// Transactions that failed admission (bad signature, nonce, funds…) and did not run.
    public let rejected: [RejectedTransaction]
    /// Everything the block writes.
    public let changes: StateChanges
    /// The root of the state the execution started from.
    public let baseRoot: Hash256
    /// The state tree after the changes; adopted by `LedgerState.commit(_:)`.
    let tree: StateTree

    public var stateRoot: Hash256 { tree.rootHash }
    public var transactionsRoot: Hash256 { Block.transactionsRoot(transactions) }
    public var receiptsRoot: Hash256 { Receipt.root(receipts) }
}

extension LedgerState {
    /// Applies an execution computed on this state, reusing its already-updated tree.
    public mutating func commit(_ execution: BlockExecution) {
        precondition(execution.baseRoot == rootHash, "execution was computed on another state")
        commitValues(execution.changes, tree: execution.tree)
    }
}

/// The state machine: executes transactions against ledger state, deterministically.
///
/// Per transaction: admission (`validateBasic`, then nonce and funds), then the fee is taken
/// (burned, docs/fees.md) and the nonce used — these stay whatever happens next — then the
/// payload runs in its own journal layer: a transfer, a contract call through WasmKit with
/// fuel = min(fee × fuelPerUdvpn, maxFuelPerCall), or a validator update. A failing payload is
/// reverted and reported in the receipt.
///
/// Thread safety: immutable apart from the module cache, which a mutex guards, and the signature
/// cache, which guards itself.
public final class Executor: Sendable {
    public let genesis: Genesis
    public let runtime: ContractRuntime
    /// Loaded contract modules by contract name. Code never changes after genesis, so an entry
    /// stays valid for the executor's life; the mutex makes the cache safe to share.
    let modules = Mutex<[String: ContractModule]>([:])
    /// Transactions whose signatures verified in this process (`validateBasic`).
    public let signatures: SignatureCache

    public init(genesis: Genesis, contractLimits: ContractLimits = .standard, signatureCache: SignatureCache = SignatureCache()) {
        self.genesis = genesis
        self.runtime = ContractRuntime(limits: contractLimits)
        self.signatures = signatureCache
    }

    /// Executes `transactions` in order on `state`. Transactions that fail admission are skipped
    /// and listed in `rejected` (the block builder drops them; the block verifier fails the block).
    public func execute(_ transactions: [Transaction], on state: LedgerState, context: BlockContext) -> BlockExecution {
        var pending = PendingState(base: state)
        var executed: [Transaction] = []
        var receipts: [Receipt] = []
        var rejected: [RejectedTransaction] = []
        for (index, tx) in transactions.enumerated() {
            if let rejection = validateBasic(tx) ?? checkAccount(tx, account: pending.account(tx.sender)) {
                rejected.append(RejectedTransaction(index: index, transaction: tx, rejection: rejection))
                continue
            }
            receipts.append(run(tx, in: &pending, context: context))
            executed.append(tx)
        }
        var tree = state.tree
        tree.apply(pending.block.writes.map { (key: $0.key, value: $0.value) })
        return BlockExecution(transactions: executed, receipts: receipts, rejected: rejected,
                              changes: pending.block, baseRoot: state.rootHash, tree: tree)
    }

    /// Runs one admitted transaction: fee and nonce first (kept), then the payload (all or
    /// nothing).
    private func run(_ tx: Transaction, in pending: inout PendingState, context: BlockContext) -> Receipt {
        var sender = pending.account(tx.sender)
        // Admission checked balance ≥ fee + spend and nonce == account nonce.
        sender.balance = Amount(udvpn: sender.balance.udvpn - tx.fee.udvpn)
        sender.nonce += 1
        pending.setAccount(tx.sender, sender)
        do {
            pending.setAmount(.burnedFees, try pending.burnedFees.adding(tx.fee))
        } catch {
            preconditionFailure("burned fees exceed the supply: \(error)")
        }
        pending.commitTransaction()

        let id = tx.id
        do throws(PayloadFailure) {
            let receipt: Receipt
            switch tx.payload {
            case .transfer(let to, let amount):
                do {
                    try pending.move(amount, from: tx.sender, to: to.publicKey)
                } catch {
                    throw PayloadFailure.funds(error)
                }
                receipt = Receipt(transactionID: id, status: .success, feeCharged: tx.fee)
            case .contractCall(let call):
                receipt = try callContract(call, tx: tx, in: &pending, context: context)
            case .validatorUpdate(let update):
                try applyValidatorUpdate(update, in: &pending, context: context)
                receipt = Receipt(transactionID: id, status: .success, feeCharged: tx.fee)
            case .evidence(let evidence):
                try applyEvidence(evidence, in: &pending, context: context)
                receipt = Receipt(transactionID: id, status: .success, feeCharged: tx.fee)
            }
            if receipt.succeeded {
                pending.commitTransaction()
            } else {
                pending.discardTransaction()
            }
            return receipt
        } catch {
            pending.discardTransaction()
            return Receipt(transactionID: id, status: .failure(error.code), feeCharged: tx.fee, detail: error.detail)
        }
    }
}
