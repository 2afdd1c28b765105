/// The admission rules every transaction must pass before it may execute. Shared by the mempool
/// (on entry), the block builder (when choosing) and the block verifier (a block carrying a
/// transaction that fails them is invalid).
extension Executor {
    /// Stateless checks, cheapest first, the signature last: size, chain id, fee, payload shape,
    /// signature.
    public func validateBasic(_ tx: Transaction) -> TransactionRejection? {
        let params = genesis.params
        let size = tx.canonicalBytes.count
        guard UInt64(size) <= params.maxTransactionBytes else {
            return TransactionRejection(.tooLarge, "transaction is \(size) bytes, the limit is \(params.maxTransactionBytes)")
        }
        guard tx.chainID == genesis.chainID else {
            return TransactionRejection(.wrongChainID, "transaction is for chain \"\(tx.chainID)\", this is \"\(genesis.chainID)\"")
        }
        guard tx.fee >= params.minFee else {
            return TransactionRejection(.feeTooLow, "fee \(tx.fee) is below the minimum \(params.minFee)")
        }
        switch tx.payload {
        case .transfer(_, let amount):
            guard amount > .zero else { return TransactionRejection(.malformed, "a transfer must move a positive amount") }
        case .contractCall(let call):
            guard genesis.codeHash(ofContract: call.contract) != nil else {
                return TransactionRejection(.unknownContract, "no contract named \"\(call.contract)\" is pinned in genesis")
            }
            guard !call.method.isEmpty else { return TransactionRejection(.malformed, "a contract call needs a method name") }
        case .validatorUpdate(let update):
            if let problem = update.shapeProblem() { return TransactionRejection(.invalidValidatorUpdate, problem) }
        case .evidence:
            break  // its vote signatures are checked after the sender's, below
        }
        // The transaction id hashes the whole signed encoding (body, payload and signature), so
        // an id seen verified before is this very signature over this very body.
        let id = tx.id
        if !signatures.contains(id) {
            guard tx.hasValidSignature else {
                return TransactionRejection(.badSignature, "signature does not verify under sender \(tx.senderAddress)")
            }
            if case .evidence(let evidence) = tx.payload, let problem = evidence.problem(chainID: genesis.chainID) {
                return TransactionRejection(.invalidEvidence, problem)
            }
            signatures.insert(id)
        }
        return nil
    }

    /// Stateful checks against the sender's account: the nonce must be the next one, and the
    /// balance must cover the fee plus what the payload spends.
    public func checkAccount(_ tx: Transaction, account: Account) -> TransactionRejection? {
        if tx.nonce < account.nonce {
            return TransactionRejection(.nonceUsed, "nonce \(tx.nonce) was already used; the next nonce of \(tx.senderAddress) is \(account.nonce)")
        }
        if tx.nonce > account.nonce {
            return TransactionRejection(.nonceGap, "nonce \(tx.nonce) is ahead of the next nonce \(account.nonce) of \(tx.senderAddress)")
        }
        let needed = try? tx.fee.adding(tx.payload.spend)
        guard let needed, needed <= account.balance else {
            return TransactionRejection(.insufficientFunds, "\(tx.senderAddress) has \(account.balance), needs fee \(tx.fee) + \(tx.payload.spend)")
        }
        return nil
    }
}
