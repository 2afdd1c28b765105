public import DVPNNodeAPI
public import DVPNPayments

/// What the session manager reads from and sends to the ledger: `OperatorLedger` (status,
/// accounts, transactions) plus channel records from the `channels` contract.
public protocol SessionLedger: OperatorLedger {
    /// The channel as the committed state has it; nil when there is no such channel.
    func channelRecord(id: UInt64) async throws(NodeError) -> ChannelRecord?
}

extension LedgerNode: SessionLedger {}
