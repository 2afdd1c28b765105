/// The JSON shapes of the node's local HTTP API, shared by the server (`NodeAPIRouter`) and the
/// client (`NodeClient`) so that the two can never drift apart.
///
/// Conventions, written once here:
/// - Amounts are integers in udvpn (1 DVPN = 1,000,000 udvpn); formatting in DVPN is the CLI's job.
/// - Hashes, keys and transaction bytes are lowercase hex; addresses are bech32m `dvpn1…`.
/// - Every error body is `{"error": "<one-line reason>"}` with a 4xx status; the server never
///   answers a malformed request with a 5xx.
///
/// Routes (all under `/v1`):
///
/// | method | path | answer |
/// |---|---|---|
/// | POST | `/v1/transactions` | `SubmitResult` (body `SubmitRequest`) |
/// | GET | `/v1/transactions/{hash}` | `TransactionStatus` |
/// | GET | `/v1/accounts/{address}` | `Account` |
/// | GET | `/v1/blocks/latest`, `/v1/blocks/{height}` | `Block` |
/// | GET | `/v1/status` | `Status` |
/// | GET | `/v1/offers?country=CC&max_price=UDVPN` | `[Offer]` |
/// | GET | `/v1/channels?payer=ADDR&payee=ADDR`, `/v1/channels/{id}` | `[Channel]`, `Channel` |
/// | GET | `/v1/headers?from=H&to=H`, `/v1/state/{key}`, `/v1/state?prefix=HEX` | light client: `NodeAPI+LightClient.swift` |
public enum NodeAPI {
    /// The default address of the API: loopback only, the port Tendermint-style nodes use.
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 26657
    public static let defaultURL = "http://127.0.0.1:26657"

    /// The largest request body the server reads; anything longer is refused with 413 before it
    /// is parsed. A transaction's canonical encoding is bounded well below this by the ledger.
    public static let maximumBodySize = 256 * 1024

    /// Every error answer's body.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var error: String
        /// A machine-readable refusal code where the endpoint has one (the session endpoints put
        /// `AdmissionRefusal.code` here); nil elsewhere.
        public var code: UInt16?
        public init(error: String, code: UInt16? = nil) {
            self.error = error
            self.code = code
        }
    }

    /// A signed transaction's canonical bytes, as hex or base64 (exactly one of the two).
    public struct SubmitRequest: Codable, Sendable, Equatable {
        public var hex: String?
        public var base64: String?
        public init(hex: String? = nil, base64: String? = nil) {
            self.hex = hex
            self.base64 = base64
        }
    }

    /// The answer to a submission: accepted into the mempool with its hash, or refused with the
    /// rule it broke. Refusals come with status 400 (undecodable) or 422 (broke a ledger rule).
    public struct SubmitResult: Codable, Sendable, Equatable {
        public var accepted: Bool
        public var hash: String?
        public var error: String?
        public init(accepted: Bool, hash: String? = nil, error: String? = nil) {
            self.accepted = accepted
            self.hash = hash
            self.error = error
        }
    }

    /// Where a transaction is: still waiting, in a block, or never seen (or evicted).
    public struct TransactionStatus: Codable, Sendable, Equatable {
        public enum State: String, Codable, Sendable {
            case pending, committed, unknown
        }

        public var hash: String
        public var status: State
        /// The block that holds the transaction, when committed.
        public var height: UInt64?
        /// The execution outcome, when committed; a failed contract call is still committed
        /// (and charged), with `success == false` and the reason.
        public var receipt: Receipt?

        public init(hash: String, status: State, height: UInt64? = nil, receipt: Receipt? = nil) {
            self.hash = hash
            self.status = status
            self.height = height
            self.receipt = receipt
        }
    }

    /// What executing one committed transaction did.
    public struct Receipt: Codable, Sendable, Equatable {
        public var success: Bool
        /// Why the transaction failed (a trap, out of fuel, a contract rule), when it did.
        public var error: String?
        public var fee: UInt64
        public var fuelUsed: UInt64?
        /// A contract call's return value, hex.
        public var returnValue: String?
        public var events: [Event]
        public var payouts: [Payout]

        public init(
            success: Bool, error: String? = nil, fee: UInt64, fuelUsed: UInt64? = nil,
            returnValue: String? = nil, events: [Event] = [], payouts: [Payout] = []
        ) {
            self.success = success
            self.error = error
            self.fee = fee
            self.fuelUsed = fuelUsed
            self.returnValue = returnValue
            self.events = events
            self.payouts = payouts
        }
    }

    /// An event a contract emitted: its name and data, hex.
    public struct Event: Codable, Sendable, Equatable {
        public var contract: String
        public var name: String
        public var data: String
        public init(contract: String, name: String, data: String) {
            self.contract = contract
            self.name = name
            self.data = data
        }
    }

    /// Money a contract paid out of its balance during a call.
    public struct Payout: Codable, Sendable, Equatable {
        public var contract: String
        public var to: String
        public var amount: UInt64
        public init(contract: String, to: String, amount: UInt64) {
            self.contract = contract
            self.to = to
            self.amount = amount
        }
    }

    /// An account's committed balance and nonces.
    public struct Account: Codable, Sendable, Equatable {
        public var address: String
        public var balance: UInt64
        /// The nonce the account's next transaction must carry by committed state.
        public var nonce: UInt64
        /// The nonce a new transaction should carry so that it queues behind the account's
        /// transactions already waiting in this node's mempool.
        public var pendingNonce: UInt64
        public init(address: String, balance: UInt64, nonce: UInt64, pendingNonce: UInt64) {
            self.address = address
            self.balance = balance
            self.nonce = nonce
            self.pendingNonce = pendingNonce
        }
    }

    /// The chain this node serves and how far it is.
    public struct Status: Codable, Sendable, Equatable {
        public var chainID: String
        public var latestHeight: UInt64
        public var latestHash: String
        /// The latest block's header time, milliseconds since 1970.
        public var latestTime: UInt64
        /// This node's address (its key; a validator's when `isValidator`).
        public var validator: String
        public var mempoolSize: Int
        public var minimumFee: UInt64
        /// P2P links this node holds (nil from a node that predates them).
        public var peers: Int?
        /// Whether this node's key is in the validator set in force (nil from an older node).
        public var isValidator: Bool?
        public init(
            chainID: String, latestHeight: UInt64, latestHash: String, latestTime: UInt64,
            validator: String, mempoolSize: Int, minimumFee: UInt64, peers: Int? = nil, isValidator: Bool? = nil
        ) {
            self.chainID = chainID
            self.latestHeight = latestHeight
            self.latestHash = latestHash
            self.latestTime = latestTime
            self.validator = validator
            self.mempoolSize = mempoolSize
            self.minimumFee = minimumFee
            self.peers = peers
            self.isValidator = isValidator
        }
    }

    /// One block, with its transactions summarised.
    public struct Block: Codable, Sendable, Equatable {
        public var height: UInt64
        public var hash: String
        /// Header time, milliseconds since 1970.
        public var time: UInt64
        public var previousHash: String
        public var transactionsRoot: String
        public var stateRoot: String
        public var validatorSetHash: String
        public var proposer: String
        /// How many precommit signatures the commit for the previous block carries.
        public var lastCommitSignatures: Int
        public var transactions: [TransactionSummary]

        public init(
            height: UInt64, hash: String, time: UInt64, previousHash: String, transactionsRoot: String,
            stateRoot: String, validatorSetHash: String, proposer: String, lastCommitSignatures: Int,
            transactions: [TransactionSummary]
        ) {
            self.height = height
            self.hash = hash
            self.time = time
            self.previousHash = previousHash
            self.transactionsRoot = transactionsRoot
            self.stateRoot = stateRoot
            self.validatorSetHash = validatorSetHash
            self.proposer = proposer
            self.lastCommitSignatures = lastCommitSignatures
            self.transactions = transactions
        }
    }

    /// A transaction in a block listing: who, what kind, and a one-line description.
    public struct TransactionSummary: Codable, Sendable, Equatable {
        public var hash: String
        public var sender: String
        public var nonce: UInt64
        public var fee: UInt64
        /// `transfer`, `call` or `validators`.
        public var kind: String
        public var summary: String
        public var success: Bool
        public init(
            hash: String, sender: String, nonce: UInt64, fee: UInt64, kind: String, summary: String,
            success: Bool
        ) {
            self.hash = hash
            self.sender = sender
            self.nonce = nonce
            self.fee = fee
            self.kind = kind
            self.summary = summary
            self.success = success
        }
    }

    /// An operator's offer from the registry contract.
    public struct Offer: Codable, Sendable, Equatable {
        public var `operator`: String
        public var country: String
        public var pricePerGiB: UInt64
        public var pricePerHour: UInt64?
        /// Advertised bandwidth in Mbit/s.
        public var bandwidthMbps: UInt64
        public var endpoint: String
        /// The operator's WireGuard public key, base64 as `wg` prints it.
        public var tunnelKey: String
        public var services: [String]
        public var heartbeatHeight: UInt64
        /// The offer's heartbeat is older than the registry allows.
        public var stale: Bool

        public init(
            operator: String, country: String, pricePerGiB: UInt64, pricePerHour: UInt64?,
            bandwidthMbps: UInt64, endpoint: String, tunnelKey: String, services: [String],
            heartbeatHeight: UInt64, stale: Bool
        ) {
            self.operator = `operator`
            self.country = country
            self.pricePerGiB = pricePerGiB
            self.pricePerHour = pricePerHour
            self.bandwidthMbps = bandwidthMbps
            self.endpoint = endpoint
            self.tunnelKey = tunnelKey
            self.services = services
            self.heartbeatHeight = heartbeatHeight
            self.stale = stale
        }
    }

    /// A payment channel from the channels contract.
    public struct Channel: Codable, Sendable, Equatable {
        public var id: UInt64
        public var payer: String
        public var payee: String
        public var deposit: UInt64
        /// What the payee has redeemed so far (cumulative).
        public var redeemed: UInt64
        public var expiryHeight: UInt64
        /// The height after which the payer may reclaim, once the payer started closing.
        public var settlementHeight: UInt64?
        public var tunnelKey: String
        /// `open`, `closing` or `settled`.
        public var state: String

        public init(
            id: UInt64, payer: String, payee: String, deposit: UInt64, redeemed: UInt64,
            expiryHeight: UInt64, settlementHeight: UInt64?, tunnelKey: String, state: String
        ) {
            self.id = id
            self.payer = payer
            self.payee = payee
            self.deposit = deposit
            self.redeemed = redeemed
            self.expiryHeight = expiryHeight
            self.settlementHeight = settlementHeight
            self.tunnelKey = tunnelKey
            self.state = state
        }
    }
}
