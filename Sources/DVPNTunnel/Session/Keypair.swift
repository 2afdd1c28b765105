import DVPNCrypto

/// One session's transport keys and counters (whitepaper §5.4.6): what a handshake produces.
/// The keys live in `SecureBytes`, so they are wiped when the last copy of the key pair goes.
struct Keypair {
    let sendKey: SecureBytes
    let receiveKey: SecureBytes
    /// The counter of the next message we send (the nonce).
    var sendCounter: UInt64 = 0
    var replayWindow = ReplayWindow()
    let created: TunnelInstant
    /// True when we sent the initiation. Only the initiator rekeys on age (§6.2).
    let isInitiator: Bool
    /// The index the peer puts in `receiver` when it sends to us under these keys.
    let localIndex: UInt32
    /// The index we put in `receiver` when we send.
    let remoteIndex: UInt32

    init(_ keys: SessionKeys, created: TunnelInstant) {
        sendKey = keys.send
        receiveKey = keys.receive
        self.created = created
        isInitiator = keys.isInitiator
        localIndex = keys.localIndex
        remoteIndex = keys.remoteIndex
    }
}

/// A peer's key pairs across a rotation (whitepaper §6.1, wireguard-go `Keypairs`):
///
/// - `current` is what we send with.
/// - `previous` is kept so that packets still in flight under the old keys are accepted.
/// - `next` is a responder's new key pair: it must not be used for sending until the initiator
///   has proven it has it, which the first transport packet under it does (`confirmNext`).
struct KeypairSet {
    enum Slot {
        case previous
        case current
        case next
    }

    private(set) var previous: Keypair?
    private(set) var current: Keypair?
    private(set) var next: Keypair?

    /// Which key pair has local index `index`.
    @inline(__always)
    func slot(forLocalIndex index: UInt32) -> Slot? {
        if current?.localIndex == index { return .current }
        if previous?.localIndex == index { return .previous }
        if next?.localIndex == index { return .next }
        return nil
    }

    /// When the key pair in `slot` was created. (Accessors per field rather than a subscript:
    /// a non-inlined `_read` coroutine would allocate its frame on every packet.)
    @inline(__always)
    func created(_ slot: Slot) -> TunnelInstant? {
        switch slot {
        case .previous: previous?.created
        case .current: current?.created
        case .next: next?.created
        }
    }

    @inline(__always)
    func receiveKey(_ slot: Slot) -> SecureBytes? {
        switch slot {
        case .previous: previous?.receiveKey
        case .current: current?.receiveKey
        case .next: next?.receiveKey
        }
    }

    /// Records a received counter in the replay window of the key pair in `slot`.
    @inline(__always)
    mutating func validateCounter(_ counter: UInt64, in slot: Slot) -> Bool {
        let limit = ProtocolConstants.rejectAfterMessages
        switch slot {
        case .previous: return previous?.replayWindow.validate(counter, limit: limit) == true
        case .current: return current?.replayWindow.validate(counter, limit: limit) == true
        case .next: return next?.replayWindow.validate(counter, limit: limit) == true
        }
    }

    /// Installs the key pair of a finished handshake and returns the local indices of the key
    /// pairs that were dropped to make room (wireguard-go `BeginSymmetricSession`).
    mutating func install(_ keypair: Keypair) -> [UInt32] {
        var dropped: [UInt32] = []
        if keypair.isInitiator {
            if let next {
                // A responder session that was never confirmed: keep it as previous, in case
                // the peer sends under it, and drop what we were sending with.
                if let current { dropped.append(current.localIndex) }
                if let previous { dropped.append(previous.localIndex) }
                previous = next
                self.next = nil
            } else {
                if let previous { dropped.append(previous.localIndex) }
                previous = current
            }
            current = keypair
        } else {
            if let next { dropped.append(next.localIndex) }
            if let previous { dropped.append(previous.localIndex) }
            next = keypair
            previous = nil
        }
        return dropped
    }

    /// The first authenticated packet under `next` arrived: it becomes current, current becomes
    /// previous. Returns the local index of the key pair dropped, if any.
    mutating func confirmNext() -> UInt32? {
        guard let confirmed = next else { return nil }
        let dropped = previous?.localIndex
        previous = current
        current = confirmed
        next = nil
        return dropped
    }

    /// Drops every key pair and returns their local indices.
    mutating func removeAll() -> [UInt32] {
        let indices = [previous, current, next].compactMap { $0?.localIndex }
        previous = nil
        current = nil
        next = nil
        return indices
    }

    /// True when `current` may encrypt another packet at `now`: it exists, is younger than
    /// REJECT_AFTER_TIME and its counter is below REJECT_AFTER_MESSAGES.
    @inline(__always)
    func currentCanSend(at now: TunnelInstant) -> Bool {
        guard let counter = current?.sendCounter, let created = current?.created else { return false }
        return counter < ProtocolConstants.rejectAfterMessages
            && now.nanoseconds(since: created) < ProtocolConstants.rejectAfterTime
    }

    /// Takes the next send counter of `current` (the caller checked `currentCanSend`).
    @inline(__always)
    mutating func takeSendCounter() -> UInt64 {
        let counter = current?.sendCounter ?? ProtocolConstants.rejectAfterMessages
        current?.sendCounter = counter &+ 1
        return counter
    }

    /// Makes `current` unusable for sending (wireguard-go `ExpireCurrentKeypairs`) without
    /// forgetting it, so packets in flight still decrypt.
    mutating func expireForSending() {
        current?.sendCounter = ProtocolConstants.rejectAfterMessages
        next?.sendCounter = ProtocolConstants.rejectAfterMessages
    }
}
