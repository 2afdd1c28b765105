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

    /// True when these keys may no longer be used at `now` (older than REJECT_AFTER_TIME).
    @inline(__always)
    func isExpired(at now: TunnelInstant) -> Bool {
        now.nanoseconds(since: created) >= ProtocolConstants.rejectAfterTime
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

    subscript(slot: Slot) -> Keypair? {
        get {
            switch slot {
            case .previous: previous
            case .current: current
            case .next: next
            }
        }
        _modify {
            switch slot {
            case .previous: yield &previous
            case .current: yield &current
            case .next: yield &next
            }
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

    /// Makes `current` unusable for sending (wireguard-go `ExpireCurrentKeypairs`) without
    /// forgetting it, so packets in flight still decrypt.
    mutating func expireForSending() {
        current?.sendCounter = ProtocolConstants.rejectAfterMessages
        next?.sendCounter = ProtocolConstants.rejectAfterMessages
    }
}
