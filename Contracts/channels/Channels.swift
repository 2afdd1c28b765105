// channels: unidirectional payment channels with cumulative vouchers (DESIGN.md, "Payments").
//
// A payer (the client) locks a deposit for one payee (the node) until an expiry height. As traffic
// flows the payer signs vouchers for the cumulative amount owed; the payee redeems the best one
// it holds and is paid the difference to what it redeemed before. The payer gets back whatever
// was not redeemed: after a settlement window it started with `close`, at once when the payee
// co-signs the final amount, or after expiry. Every rule lives here, so the auditor's replay
// enforces it too. Arguments and results are canonical bytes (Contracts/README.md).
//
// Invariants, for every channel at every moment:
//   redeemed <= deposit;
//   udvpn paid out for the channel = redeemed + (refund once settled) <= deposit,
//   with equality once the channel is settled;
//   redeemed never decreases; nothing is paid once the channel is settled.

/// Blocks between `close` and the moment the payer may reclaim: the payee's last chance to redeem.
let settlementWindow: UInt64 = 20

let voucherTag: StaticString = "dvpn/voucher/v1"
let cooperativeCloseTag: StaticString = "dvpn/channel-close/v1"

enum Status: UInt8 {
    case open = 0
    case closing = 1
    case settled = 2
}

/// One channel as stored under `"ch" ‖ id`.
struct Channel {
    var payer: [UInt8]
    var payee: [UInt8]
    var clientTunnelKey: [UInt8]
    var deposit: UInt64
    var redeemed: UInt64
    var expiry: UInt64
    var openedAt: UInt64
    var status: Status
    /// While closing: the first height at which the payer may reclaim. Zero otherwise.
    var settleAfter: UInt64

    func encoded() -> [UInt8] {
        var encoder = Encoder()
        encoder.fixed(payer)
        encoder.fixed(payee)
        encoder.fixed(clientTunnelKey)
        encoder.u64(deposit)
        encoder.u64(redeemed)
        encoder.u64(expiry)
        encoder.u64(openedAt)
        encoder.u8(status.rawValue)
        encoder.u64(settleAfter)
        return encoder.bytes
    }

    init(payer: [UInt8], payee: [UInt8], clientTunnelKey: [UInt8], deposit: UInt64, expiry: UInt64, openedAt: UInt64) {
        self.payer = payer
        self.payee = payee
        self.clientTunnelKey = clientTunnelKey
        self.deposit = deposit
        self.redeemed = 0
        self.expiry = expiry
        self.openedAt = openedAt
        self.status = .open
        self.settleAfter = 0
    }

    init(decoding bytes: [UInt8]) {
        var decoder = Decoder(bytes)
        payer = decoder.fixed(32)
        payee = decoder.fixed(32)
        clientTunnelKey = decoder.fixed(32)
        deposit = decoder.u64()
        redeemed = decoder.u64()
        expiry = decoder.u64()
        openedAt = decoder.u64()
        guard let status = Status(rawValue: decoder.u8()) else { Host.abort("corrupt channel record") }
        self.status = status
        settleAfter = decoder.u64()
        decoder.finish()
    }

    /// Whether the payee may still redeem at `height`: before expiry, and before the end of the
    /// settlement window once the payer closed.
    func acceptsVouchers(at height: UInt64) -> Bool {
        switch status {
        case .open: return height < expiry
        case .closing: return height < expiry && height < settleAfter
        case .settled: return false
        }
    }

    /// Whether the payer may take the rest back at `height`: exactly when vouchers are no longer
    /// accepted, so there is no height at which both could happen.
    func allowsReclaim(at height: UInt64) -> Bool {
        status != .settled && !acceptsVouchers(at: height)
    }
}

// MARK: - Storage

let nextIDKey = storageKey("next", [])

func channelKey(_ id: UInt64) -> [UInt8] { storageKey("ch", bigEndian(id)) }

func loadChannel(_ id: UInt64) -> Channel {
    guard let bytes = Host.load(channelKey(id)) else { Host.abort("no such channel") }
    return Channel(decoding: bytes)
}

func saveChannel(_ id: UInt64, _ channel: Channel) {
    Host.store(channelKey(id), channel.encoded())
}

/// Allocates the next channel id: 1, 2, 3… per contract.
func allocateChannelID() -> UInt64 {
    var id: UInt64 = 1
    if let bytes = Host.load(nextIDKey) {
        var decoder = Decoder(bytes)
        id = decoder.u64()
        decoder.finish()
    }
    let (next, overflow) = id.addingReportingOverflow(1)
    Host.require(!overflow, "channel ids exhausted")
    Host.store(nextIDKey, bigEndian(next))
    return id
}

// MARK: - Signed messages

/// The bytes a voucher signs: tag ‖ chain id ‖ channel id ‖ cumulative amount, with the tag and
/// the chain id as UInt32-BE-length-prefixed UTF-8 and both integers as UInt64 BE.
func signedMessage(_ tag: StaticString, channel id: UInt64, amount: UInt64) -> [UInt8] {
    var encoder = Encoder()
    encoder.lengthPrefixed(tag)
    encoder.lengthPrefixed(Host.chainID())
    encoder.u64(id)
    encoder.u64(amount)
    return encoder.bytes
}

func settledEvent(_ id: UInt64, _ channel: Channel, refund: UInt64) -> [UInt8] {
    var event = Encoder()
    event.u64(id)
    event.u64(channel.redeemed)
    event.u64(refund)
    return event.bytes
}

// MARK: - Methods

/// open(payee[32], expiry u64, clientTunnelKey[32]) with the deposit attached; returns the id.
@_expose(wasm, "open")
@_cdecl("channels_open")
public func open() {
    var arguments = Decoder(Host.arguments())
    let payee = arguments.fixed(32)
    let expiry = arguments.u64()
    let clientTunnelKey = arguments.fixed(32)
    arguments.finish()

    let payer = Host.caller()
    let deposit = Host.attachedFunds
    let height = Host.blockHeight
    Host.require(deposit > 0, "a channel needs a deposit")
    Host.require(expiry > height, "expiry must be in the future")
    Host.require(payee != payer, "payer and payee must differ")
    Host.require(!isAllZero(payee), "payee must be a key")
    Host.require(!isAllZero(clientTunnelKey), "client tunnel key must be a key")

    let id = allocateChannelID()
    let channel = Channel(
        payer: payer, payee: payee, clientTunnelKey: clientTunnelKey, deposit: deposit, expiry: expiry,
        openedAt: height)
    saveChannel(id, channel)

    var event = Encoder()
    event.u64(id)
    event.fixed(payer)
    event.fixed(payee)
    event.u64(deposit)
    event.u64(expiry)
    Host.emit("channel.open", event.bytes)
    Host.returnData(bigEndian(id))
}

/// topUp(id u64) with more deposit attached; payer only, while open and before expiry.
@_expose(wasm, "topUp")
@_cdecl("channels_top_up")
public func topUp() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    arguments.finish()

    var channel = loadChannel(id)
    let amount = Host.attachedFunds
    Host.require(Host.caller() == channel.payer, "only the payer can top up")
    Host.require(channel.status == .open, "channel is not open")
    Host.require(Host.blockHeight < channel.expiry, "channel has expired")
    Host.require(amount > 0, "top-up needs attached funds")
    let (deposit, overflow) = channel.deposit.addingReportingOverflow(amount)
    Host.require(!overflow, "deposit overflows")
    channel.deposit = deposit
    saveChannel(id, channel)

    var event = Encoder()
    event.u64(id)
    event.u64(amount)
    event.u64(deposit)
    Host.emit("channel.topup", event.bytes)
}

/// redeem(id u64, cumulative u64, signature[64]); payee only. Pays the payee the difference
/// between min(cumulative, deposit) and what it redeemed before; a voucher that does not raise
/// the total is refused.
@_expose(wasm, "redeem")
@_cdecl("channels_redeem")
public func redeem() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    let cumulative = arguments.u64()
    let signature = arguments.fixed(64)
    arguments.finish()
    Host.requireNoFunds()

    var channel = loadChannel(id)
    Host.require(Host.caller() == channel.payee, "only the payee can redeem")
    Host.require(channel.acceptsVouchers(at: Host.blockHeight), "channel no longer accepts vouchers")
    let message = signedMessage(voucherTag, channel: id, amount: cumulative)
    Host.require(Host.isValidSignature(signature, by: channel.payer, for: message), "voucher signature is invalid")

    let total = cumulative < channel.deposit ? cumulative : channel.deposit
    Host.require(total > channel.redeemed, "voucher does not raise the redeemed total")
    let payment = total - channel.redeemed
    channel.redeemed = total
    saveChannel(id, channel)
    Host.transfer(to: channel.payee, amount: payment)

    var event = Encoder()
    event.u64(id)
    event.u64(payment)
    event.u64(total)
    Host.emit("channel.redeem", event.bytes)
}

/// close(id u64); payer only, while open. Starts the settlement window.
@_expose(wasm, "close")
@_cdecl("channels_close")
public func close() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    arguments.finish()
    Host.requireNoFunds()

    var channel = loadChannel(id)
    Host.require(Host.caller() == channel.payer, "only the payer can close")
    Host.require(channel.status == .open, "channel is not open")
    let (settleAfter, overflow) = Host.blockHeight.addingReportingOverflow(settlementWindow)
    Host.require(!overflow, "height overflows")
    channel.status = .closing
    channel.settleAfter = settleAfter
    saveChannel(id, channel)

    var event = Encoder()
    event.u64(id)
    event.u64(settleAfter)
    Host.emit("channel.close", event.bytes)
}

/// closeCooperative(id u64, amount u64, payeeSignature[64]); payer only. Settles at once: the
/// payee co-signed `amount` as the final total, so it gets amount − redeemed and the payer the rest.
@_expose(wasm, "closeCooperative")
@_cdecl("channels_close_cooperative")
public func closeCooperative() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    let amount = arguments.u64()
    let signature = arguments.fixed(64)
    arguments.finish()
    Host.requireNoFunds()

    var channel = loadChannel(id)
    Host.require(Host.caller() == channel.payer, "only the payer can close")
    Host.require(channel.status != .settled, "channel is already settled")
    let message = signedMessage(cooperativeCloseTag, channel: id, amount: amount)
    Host.require(Host.isValidSignature(signature, by: channel.payee, for: message), "payee signature is invalid")
    Host.require(amount <= channel.deposit, "amount exceeds the deposit")
    Host.require(amount >= channel.redeemed, "amount is below what was already redeemed")

    let payment = amount - channel.redeemed
    let refund = channel.deposit - amount
    channel.redeemed = amount
    channel.status = .settled
    channel.settleAfter = 0
    saveChannel(id, channel)
    if payment > 0 { Host.transfer(to: channel.payee, amount: payment) }
    if refund > 0 { Host.transfer(to: channel.payer, amount: refund) }
    Host.emit("channel.settle", settledEvent(id, channel, refund: refund))
}

/// reclaim(id u64); payer only, once the settlement window is over or the channel has expired.
@_expose(wasm, "reclaim")
@_cdecl("channels_reclaim")
public func reclaim() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    arguments.finish()
    Host.requireNoFunds()

    var channel = loadChannel(id)
    Host.require(Host.caller() == channel.payer, "only the payer can reclaim")
    Host.require(channel.status != .settled, "channel is already settled")
    Host.require(channel.allowsReclaim(at: Host.blockHeight), "channel is still redeemable")

    let refund = channel.deposit - channel.redeemed
    channel.status = .settled
    channel.settleAfter = 0
    saveChannel(id, channel)
    if refund > 0 { Host.transfer(to: channel.payer, amount: refund) }
    Host.emit("channel.settle", settledEvent(id, channel, refund: refund))
}

/// get(id u64) → the channel record (see `Channel.encoded`).
@_expose(wasm, "get")
@_cdecl("channels_get")
public func get() {
    var arguments = Decoder(Host.arguments())
    let id = arguments.u64()
    arguments.finish()
    guard let bytes = Host.load(channelKey(id)) else { Host.abort("no such channel") }
    Host.returnData(bytes)
}
