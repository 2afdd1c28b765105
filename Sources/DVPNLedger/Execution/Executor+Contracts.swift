import DVPNContractRuntime
import DVPNCrypto

/// One contract's storage namespace as the runtime reads it: a snapshot of the pending state
/// taken before the call (the runtime layers the call's own writes on top).
struct ContractStorageView: ContractStorageReader {
    let state: PendingState
    let contract: String

    func value(forKey key: [UInt8]) -> [UInt8]? {
        state.value(forKey: .contractStorage(contract: contract, key: key))
    }
}

extension Executor {
    /// Moves the attached funds into escrow, runs the call with the fuel the fee bought, and on
    /// success applies its storage writes and payouts. Any failure leaves the transaction layer to
    /// be discarded, which returns the attached funds.
    func callContract(_ call: ContractCall, tx: Transaction, in pending: inout PendingState, context: BlockContext) throws(PayloadFailure) -> Receipt {
        let fuel = genesis.params.fuelBudget(fee: tx.fee)
        let module: ContractModule
        do {
            module = try loadModule(call.contract, from: pending)
        } catch {
            throw PayloadFailure(.contractNotLoadable, error.reason)
        }

        var sender = pending.account(tx.sender)
        let escrow: Amount
        do {
            sender.balance = try sender.balance.subtracting(call.attachedFunds)
            escrow = try pending.contractBalance(call.contract).adding(call.attachedFunds)
        } catch {
            throw PayloadFailure.funds(error)
        }
        pending.setAccount(tx.sender, sender)
        pending.setAmount(.contractBalance(call.contract), escrow)

        let outcome = runtime.call(
            module, method: call.method, arguments: call.arguments,
            context: ContractContext(
                chainID: genesis.chainID, contract: call.contract, caller: tx.sender.rawRepresentation,
                attachedFunds: call.attachedFunds.udvpn, contractBalance: escrow.udvpn,
                blockHeight: context.height, blockTime: context.time.secondsSince1970),
            storage: ContractStorageView(state: pending, contract: call.contract), fuel: fuel)

        let returnData: [UInt8]
        switch outcome.status {
        case .success(let data):
            returnData = data
        case .failure(let error):
            return Receipt(transactionID: tx.id, status: .failure(Receipt.FailureCode(contractError: error)), feeCharged: tx.fee,
                           fuelUsed: outcome.fuelUsed, detail: "contract \(call.contract).\(call.method) failed: \(error.code): \(error.reason)")
        }

        for write in outcome.writes {
            pending.set(.contractStorage(contract: call.contract, key: write.key), write.value)
        }
        var payouts: [Payout] = []
        var balance = escrow
        for transfer in outcome.transfers {
            let amount = Amount(udvpn: transfer.amount)
            guard let key = try? Schnorr.PublicKey(rawRepresentation: transfer.to) else {
                return failedAfterCall(tx, outcome, .invalidPayoutKey, "contract \(call.contract) paid an invalid account key")
            }
            guard let rest = try? balance.subtracting(amount) else {
                return failedAfterCall(tx, outcome, .contractOverdrawn, "contract \(call.contract) paid out more than its balance \(balance)")
            }
            balance = rest
            var payee = pending.account(key)
            do {
                payee.balance = try payee.balance.adding(amount)
            } catch {
                throw PayloadFailure.funds(error)
            }
            pending.setAccount(key, payee)
            payouts.append(Payout(contract: call.contract, to: AccountAddress(publicKey: key), amount: amount))
        }
        pending.setAmount(.contractBalance(call.contract), balance)
        let events = outcome.events.map { ReceiptEvent(contract: call.contract, topic: $0.topic, data: $0.data) }
        return Receipt(transactionID: tx.id, status: .success, feeCharged: tx.fee, fuelUsed: outcome.fuelUsed,
                       returnData: returnData, events: events, payouts: payouts)
    }

    private func failedAfterCall(_ tx: Transaction, _ outcome: CallOutcome, _ code: Receipt.FailureCode, _ detail: String) -> Receipt {
        Receipt(transactionID: tx.id, status: .failure(code), feeCharged: tx.fee, fuelUsed: outcome.fuelUsed, detail: detail)
    }

    /// The loaded module of contract `name`, after checking that the code in state is the code
    /// genesis pinned (SHA-256). Cached per contract: code cannot change after genesis.
    func loadModule(_ name: String, from state: some StateReader) throws(LedgerError) -> ContractModule {
        if let cached = modules.withLock({ $0[name] }) { return cached }
        guard let pinned = genesis.codeHash(ofContract: name) else {
            throw LedgerError(.ruleViolation, "no contract named \"\(name)\" is pinned in genesis")
        }
        guard let code = state.contractCode(name) else {
            throw LedgerError(.ruleViolation, "the state holds no code for contract \"\(name)\"")
        }
        let hash = Hash256.sha256(code)
        guard hash == pinned else {
            throw LedgerError(.ruleViolation, "code of contract \"\(name)\" has SHA-256 \(hash), genesis pins \(pinned)")
        }
        let module: ContractModule
        do {
            module = try runtime.load(code: code)
        } catch {
            throw LedgerError(.ruleViolation, "code of contract \"\(name)\" does not load: \(error.code): \(error.reason)")
        }
        modules.withLock { $0[name] = module }
        return module
    }
}
