import DVPNCrypto

/// The signed part of a transaction.
///
/// `nonce` must equal the sender's account nonce when the transaction executes (accounts start
/// at 0 and count up by one per executed transaction), which orders a sender's transactions and
/// makes each one executable once.
public struct TransactionBody: Hashable, Sendable {
    public var chainID: String
    public var sender: Schnorr.PublicKey
    public var nonce: UInt64
    public var fee: Amount
    public var payload: TransactionPayload

    public init(chainID: String, sender: Schnorr.PublicKey, nonce: UInt64, fee: Amount, payload: TransactionPayload) {
        self.chainID = chainID
        self.sender = sender
        self.nonce = nonce
        self.fee = fee
        self.payload = payload
    }

    /// The message the sender signs: `SigningDomain.transaction` ‖ chain id ‖ canonical body.
    public var signingMessage: [UInt8] {
        SigningDomain.transaction.message(chainID: chainID, body: canonicalBytes)
    }

    /// Signs the body with `key`, which must be the sender's.
    public func signed(with key: Schnorr.PrivateKey) throws(LedgerError) -> Transaction {
        guard key.publicKey == sender else {
            throw LedgerError(.invalidSignature, "signing key is not the sender's key")
        }
        do {
            return Transaction(body: self, signature: try key.signature(for: signingMessage))
        } catch {
            throw LedgerError(.invalidSignature, "could not sign transaction: \(error.reason)")
        }
    }
}

/// A transaction: a body and the sender's BIP340 signature over its signing message.
///
/// Immutable, so its canonical encoding and id are computed once, when it is made or decoded: a
/// transaction passes admission, block building, execution, the Merkle root, storage and the
/// signature cache, each of which needs its bytes or id (issue 7: throughput).
public struct Transaction: Hashable, Sendable {
    public let body: TransactionBody
    public let signature: Schnorr.Signature
    /// The canonical encoding of (body, signature).
    private let encoded: [UInt8]
    /// The transaction id: a tagged SHA-256 of the whole signed encoding. BIP340 signatures are
    /// not malleable, so one body signed once has one id.
    public let id: Hash256

    public init(body: TransactionBody, signature: Schnorr.Signature) {
        self.body = body
        self.signature = signature
        var encoder = CanonicalEncoder()
        encoder.encode(body)
        encoder.encode(signature)
        encoded = encoder.bytes
        id = Hash256.tagged("dvpn/tx-id", encoded)
    }

    /// The canonical encoding (computed once, at init).
    public var canonicalBytes: [UInt8] { encoded }

    public static func == (a: Transaction, b: Transaction) -> Bool { a.encoded == b.encoded }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    public var chainID: String { body.chainID }
    public var sender: Schnorr.PublicKey { body.sender }
    public var senderAddress: AccountAddress { AccountAddress(publicKey: body.sender) }
    public var nonce: UInt64 { body.nonce }
    public var fee: Amount { body.fee }
    public var payload: TransactionPayload { body.payload }

    /// True when the signature verifies under the sender's key.
    public var hasValidSignature: Bool {
        body.sender.isValidSignature(signature, for: body.signingMessage)
    }
}

extension TransactionBody: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(string: chainID, maxLength: LedgerLimits.chainIDMaxLength)
        encoder.encode(sender)
        encoder.encode(nonce)
        encoder.encode(fee)
        encoder.encode(payload)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        chainID = try decoder.decodeString(maxLength: LedgerLimits.chainIDMaxLength)
        sender = try decoder.decode(Schnorr.PublicKey.self)
        nonce = try decoder.decodeUInt64()
        fee = try decoder.decode(Amount.self)
        payload = try decoder.decode(TransactionPayload.self)
    }
}

extension Transaction: CanonicalCodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.encode(body)
        encoder.encode(signature)
    }

    public init(from decoder: inout CanonicalDecoder) throws(LedgerError) {
        let body = try decoder.decode(TransactionBody.self)
        self.init(body: body, signature: try decoder.decode(Schnorr.Signature.self))
    }
}
