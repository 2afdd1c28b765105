@testable import DVPNConsensus
import DVPNCrypto
import DVPNLedger
import DVPNTestSupport

/// What one seeded run found.
struct SimulationResult {
    var scenario: Scenario
    /// Heights decided by every honest validator at the end.
    var heightsCommitted: UInt64 = 0
    var safetyViolation: String?
    var livenessFailure: String?
    var evidenceVerified = 0
    var tornTailsTruncated = 0
    var restarts = 0
    /// Sign-guard refusals of a conflicting message by an honest validator (must stay 0: the WAL
    /// replay is deterministic, so a restarted validator never even tries).
    var guardConflicts = 0
    var events = 0
}

/// An in-process network of validators under a manual virtual clock and one event queue: random
/// delays (so reordering), drops, duplicates and partitions until a heal time, crashes with
/// restarts from the WAL, one equivocating validator. Everything random comes from the seed.
///
/// Gossip is modelled as in the paper's system model: a message an honest node has is eventually
/// offered to every peer (`gossip` events offer a peer what it lacks at its height), so drops
/// before the heal delay messages instead of losing them forever.
struct Simulator {
    static let chainID = "dvpn-sim"
    static let config = ConsensusConfig(
        propose: .init(base: .milliseconds(300), delta: .milliseconds(100)),
        prevote: .init(base: .milliseconds(200), delta: .milliseconds(100)),
        precommit: .init(base: .milliseconds(200), delta: .milliseconds(100))
    )
    /// Fixed keys, so a seed reproduces byte for byte.
    static let keys: [Schnorr.PrivateKey] = (0..<10).map { i in
        // 0x5A00…0i is far below the group order, so a valid secret key.
        var raw = [UInt8](repeating: 0, count: 32)
        raw[31] = UInt8(i + 1)
        raw[0] = 0x5A
        return try! Schnorr.PrivateKey(rawRepresentation: raw)
    }

    enum Event {
        /// A message by its index in `messages`.
        case deliver(to: Int, incarnation: Int, message: Int)
        case timeout(node: Int, incarnation: Int, Timeout)
        case gossip(node: Int)
        case crash(node: Int, tearWAL: Bool)
        case restart(node: Int)
        case heal
    }

    let scenario: Scenario
    let validators: ValidatorSet
    let skipLockCheck: Bool
    var rng: Fuzzer
    var now: UInt64 = 0
    var queue = EventQueue<Event>()
    var nodes: [SimulatedNode]
    var result: SimulationResult
    /// valid(v) of every block anyone built.
    var blockValidity: [Hash256: Bool] = [:]
    var proposedAt: [UInt64: [Hash256]] = [:]
    /// The first honest decision at each height.
    var committed: [UInt64: Hash256] = [:]
    var blockCounter: UInt64 = 0
    var target: UInt64?
    var replaying = false
    /// Every distinct signed message, so that events and gossip bookkeeping carry small ids.
    var messages: [SignedMessage] = []
    var messageIDs: [SignedMessage: Int] = [:]

    init(scenario: Scenario, skipLockCheck: Bool = false) throws {
        self.scenario = scenario
        self.skipLockCheck = skipLockCheck
        rng = Fuzzer(seed: scenario.seed ^ 0x9E37_79B9_7F4A_7C15)
        let set = try ValidatorSet(validators: scenario.powers.indices.map { Validator(publicKey: Self.keys[$0].publicKey, power: scenario.powers[$0]) })
        validators = set
        nodes = scenario.powers.indices.map { i in
            SimulatedNode(index: i, key: Self.keys[i], isByzantine: i == scenario.byzantine, chainID: Self.chainID, validators: set, config: Self.config)
        }
        result = SimulationResult(scenario: scenario)
        for i in nodes.indices {
            nodes[i].state.skipLockCheck = skipLockCheck && !nodes[i].isByzantine
        }
    }

    var honest: [Int] { nodes.indices.filter { !nodes[$0].isByzantine } }

    /// Runs until every honest validator has decided the target height (or a check fails).
    mutating func run() -> SimulationResult {
        for i in nodes.indices {
            feed(i, .start)
            queue.push(.gossip(node: i), at: UInt64(rng.next(below: 200)))
        }
        for crash in scenario.crashes {
            queue.push(.crash(node: crash.node, tearWAL: crash.tearWAL), at: crash.at)
            queue.push(.restart(node: crash.node), at: crash.restartAt)
        }
        queue.push(.heal, at: scenario.healTime)
        let deadline = scenario.healTime + scenario.livenessBound
        while result.safetyViolation == nil, let next = queue.pop() {
            now = next.time
            let event = next.event
            result.events += 1
            if now > deadline {
                let states = honest.map { i in
                    let s = nodes[i].state
                    return "\(i): h=\(s.height) r=\(s.round) \(s.step) locked=\(s.lockedRound.map(String.init) ?? "-") valid=\(s.validRound.map(String.init) ?? "-")\(s.decision == nil ? "" : " decided")\(nodes[i].alive ? "" : " down") rounds=\(s.rounds.keys.sorted()) known=\(nodes[i].knownSet.count)"
                }
                result.livenessFailure = "target height \(target ?? 0) not reached at \(now) ms: \(states.joined(separator: "; "))"
                break
            }
            handle(event)
            if let target, honest.allSatisfy({ nodes[$0].decided[target] != nil }) { break }
        }
        result.heightsCommitted = honest.map { nodes[$0].decided.keys.max() ?? 0 }.min() ?? 0
        return result
    }

    mutating func handle(_ event: Event) {
        switch event {
        case let .deliver(i, incarnation, id):
            guard nodes[i].alive, nodes[i].incarnation == incarnation else { return }
            noteReceived(id, by: i)
            feed(i, input(for: messages[id]))
        case let .timeout(i, incarnation, timeout):
            guard nodes[i].alive, nodes[i].incarnation == incarnation else { return }
            feed(i, .timeout(timeout))
        case let .gossip(i):
            gossip(from: i)
            queue.push(.gossip(node: i), at: now + 100 + UInt64(rng.next(below: 100)))
        case let .crash(i, tear):
            let torn = WALFrame.encode(.timeout(Timeout(height: nodes[i].height, round: 0, step: .propose)))
            nodes[i].crash(tearWAL: tear, tornFrame: torn)
        case let .restart(i):
            restart(i)
        case .heal:
            target = (committed.keys.max() ?? 0) + scenario.heightsAfterHeal
        }
    }

    /// Records that node `i` is about to be fed message `id`: it counts as had (gossip stops
    /// offering it) only if the state machine keeps it, that is, it is for an earlier height
    /// (which this node no longer needs but can pass on) or for this height within the round
    /// window. A message for a later height or a round beyond the window is dropped by the state
    /// machine, so it stays "not had" and gossip offers it again when it matters (as cometbft's
    /// reactor sends by the peer's current height and round). Called before `feed`, with the
    /// state the message meets, both on delivery and when the WAL is replayed after a restart.
    mutating func noteReceived(_ id: Int, by i: Int) {
        let message = messages[id]
        let state = nodes[i].state
        if message.height < state.height || (message.height == state.height && state.isWithinWindow(message.round)) {
            nodes[i].learn(id, height: message.height)
        }
    }

    func input(for message: SignedMessage) -> ConsensusInput {
        switch message {
        case .proposal(let p): .proposal(p, blockIsValid: blockValidity[p.blockHash] ?? false)
        case .vote(let v): .vote(v)
        }
    }

    // MARK: The driver: WAL first, then the state machine, then its outputs

    /// Writes `first` and every input its outputs cause (own messages, proposal values, applied
    /// blocks) to the WAL, each before it is handled.
    mutating func feed(_ i: Int, _ first: ConsensusInput, logged: Bool = true) {
        var work = [(first, logged)]
        while !work.isEmpty {
            let (input, log) = work.removeFirst()
            if log { nodes[i].wal += WALFrame.encode(input) }
            for output in nodes[i].state.handle(input) {
                perform(output, node: i, work: &work)
            }
        }
    }

    mutating func perform(_ output: ConsensusOutput, node i: Int, work: inout [(ConsensusInput, Bool)]) {
        switch output {
        case let .broadcast(message):
            if nodes[i].isByzantine {
                equivocate(message, from: i, work: &work)
            } else if let signed = signHonestly(message, node: i) {
                let id = register(signed)
                nodes[i].learn(id, height: signed.height)
                for j in nodes.indices where j != i { send(id, from: i, to: j) }
                work.append((input(for: signed), true))
            }
        case let .scheduleTimeout(timeout, after):
            let ms = UInt64(after.components.seconds) * 1_000 + UInt64(after.components.attoseconds / 1_000_000_000_000_000)
            queue.push(.timeout(node: i, incarnation: nodes[i].incarnation, timeout), at: now + ms)
        case let .requestProposalValue(h, r):
            // During a replay the WAL holds the original answer (see isAwaitingProposalValue).
            guard !replaying else { return }
            let hash = newBlock(height: h, valid: !(nodes[i].isByzantine && rng.oneIn(4)))
            work.append((.proposalValue(height: h, round: r, blockHash: hash), true))
        case let .decide(decision):
            record(decision, node: i)
            work.append((.blockApplied(height: decision.height, nextValidators: validators), true))
        case let .evidence(evidence):
            check(evidence, observer: i)
        }
    }

    mutating func newBlock(height: UInt64, valid: Bool) -> Hash256 {
        blockCounter += 1
        var e = CanonicalEncoder()
        e.encode(scenario.seed)
        e.encode(blockCounter)
        let hash = Hash256.sha256(e.bytes)
        blockValidity[hash] = valid
        proposedAt[height, default: []].append(hash)
        return hash
    }

    /// The sign guard, "persisted" before the message leaves; honest signatures are placeholders
    /// (the state machine accepts verified messages, and real Schnorr for every vote of 2,000 runs
    /// would dominate the test time); the equivocator signs for real, so its evidence verifies.
    mutating func signHonestly(_ message: UnsignedMessage, node i: Int) -> SignedMessage? {
        guard var guardState = try? SignGuard(canonicalBytes: nodes[i].guardBytes) else {
            result.safetyViolation = "seed \(scenario.seed): node \(i)'s sign guard does not decode"
            return nil
        }
        switch guardState.authorize(message, chainID: Self.chainID) {
        case .sign, .resign:
            nodes[i].guardBytes = guardState.canonicalBytes
            return placeholderSigned(message, by: nodes[i].key.publicKey)
        case .refuseStale:
            return nil
        case .refuseConflict:
            result.guardConflicts += 1
            return nil
        }
    }

    func placeholderSigned(_ message: UnsignedMessage, by key: Schnorr.PublicKey) -> SignedMessage {
        let digest = Hash256.sha256(message.signingMessage(chainID: Self.chainID)).bytes
        let signature = try! Schnorr.Signature(rawRepresentation: digest + digest)
        switch message {
        case let .proposal(h, r, hash, vr):
            return .proposal(Proposal(height: h, round: r, blockHash: hash, validRound: vr, proposer: key, signature: signature))
        case let .vote(kind, h, r, hash):
            return .vote(Vote(kind: kind, height: h, round: r, blockHash: hash, validator: key, signature: signature))
        }
    }

    /// The Byzantine validator: sends one version of each message to a random half of its peers
    /// and a conflicting one (another block, or nil) to the rest, signed for real and without a
    /// sign guard. It feeds the first version to itself.
    mutating func equivocate(_ message: UnsignedMessage, from i: Int, work: inout [(ConsensusInput, Bool)]) {
        let other: UnsignedMessage
        switch message {
        case let .proposal(h, r, _, _):
            // A fresh block without a proof-of-lock: exactly what the lock (line 23) guards against.
            other = .proposal(height: h, round: r, blockHash: newBlock(height: h, valid: true), validRound: nil)
        case let .vote(kind, h, r, hash):
            let candidates = (proposedAt[h] ?? []).filter { $0 != hash }
            let pick = candidates.isEmpty ? nil : candidates[rng.next(below: candidates.count)]
            let alternative: Hash256? = hash == nil || rng.oneIn(2) ? pick : nil
            other = .vote(kind: kind, height: h, round: r, blockHash: alternative)
        }
        guard let a = try? message.sign(chainID: Self.chainID, with: nodes[i].key, signedDeterministically: true),
              let b = try? other.sign(chainID: Self.chainID, with: nodes[i].key, signedDeterministically: true) else { return }
        let (idA, idB) = (register(a), register(b))
        nodes[i].learn(idA, height: a.height)
        for j in nodes.indices where j != i {
            send(rng.oneIn(2) ? idA : idB, from: i, to: j)
        }
        work.append((input(for: a), true))
    }

    // MARK: Checks

    mutating func record(_ decision: Decision, node i: Int) {
        guard !nodes[i].isByzantine else { return }
        let h = decision.height
        nodes[i].decided[h] = decision.blockHash
        var power: UInt64 = 0
        for s in decision.commit.signatures { power += validators.power(of: s.validator) ?? 0 }
        if !validators.isSupermajority(power) {
            result.safetyViolation = "seed \(scenario.seed): node \(i) decided height \(h) with a commit of \(power) power"
        } else if blockValidity[decision.blockHash] != true {
            result.safetyViolation = "seed \(scenario.seed): node \(i) decided an invalid block at height \(h)"
        } else if let first = committed[h], first != decision.blockHash {
            result.safetyViolation = "seed \(scenario.seed): at height \(h) node \(i) decided \(decision.blockHash.hex.prefix(8)), another honest validator \(first.hex.prefix(8))"
        } else {
            committed[h] = decision.blockHash
        }
        nodes[i].restartPoint = (h + 1, validators, nodes[i].state.proposerPriority.nextHeight(validators: validators), decision.commit)
    }

    mutating func check(_ evidence: Evidence, observer i: Int) {
        guard !nodes[i].isByzantine else { return }
        do {
            try evidence.verify(chainID: Self.chainID, validators: validators)
            if let b = scenario.byzantine, evidence.validator == nodes[b].key.publicKey {
                result.evidenceVerified += 1
                return
            }
            result.safetyViolation = "seed \(scenario.seed): evidence against an honest validator"
        } catch {
            result.safetyViolation = "seed \(scenario.seed): node \(i) reported evidence that does not verify: \(error.reason)"
        }
    }

    // MARK: Network

    func partitioned(_ i: Int, _ j: Int) -> Bool {
        scenario.partitions.contains { $0.start <= now && now < $0.end && $0.side.contains(i) != $0.side.contains(j) }
    }

    mutating func register(_ message: SignedMessage) -> Int {
        if let id = messageIDs[message] { return id }
        messages.append(message)
        messageIDs[message] = messages.count - 1
        return messages.count - 1
    }

    mutating func send(_ message: Int, from i: Int, to j: Int) {
        guard nodes[j].alive, !partitioned(i, j) else { return }
        let healed = now >= scenario.healTime
        if !healed, rng.oneIn(scenario.dropOneIn) { return }
        let copies = !healed && rng.oneIn(scenario.duplicateOneIn) ? 2 : 1
        for _ in 0..<copies {
            let delay = healed ? 1 + UInt64(rng.next(below: 40)) : 1 + UInt64(rng.next(below: Int(scenario.maxDelayBeforeHeal)))
            queue.push(.deliver(to: j, incarnation: nodes[j].incarnation, message: message), at: now + delay)
        }
    }

    /// Offers a random live peer every message this node knows at the peer's height that the peer
    /// lacks (cometbft's reactor does this from its view of each peer's state).
    mutating func gossip(from i: Int) {
        guard nodes[i].alive else { return }
        let j = rng.next(below: nodes.count)
        guard j != i, nodes[j].alive else { return }
        for message in nodes[i].known[nodes[j].height] ?? [] where !nodes[j].knownSet.contains(message) {
            send(message, from: i, to: j)
        }
    }

    // MARK: Restart from the WAL

    mutating func restart(_ i: Int) {
        let decoded = WALFrame.decode(nodes[i].wal)
        if decoded.tail != .clean { result.tornTailsTruncated += 1 }
        nodes[i].wal = Array(nodes[i].wal.prefix(decoded.validByteCount))
        let point = nodes[i].restartPoint
        var state = ConsensusState(chainID: Self.chainID, height: point.height, validators: point.validators, me: nodes[i].key.publicKey,
                                   config: Self.config, lastCommit: point.lastCommit, proposerPriority: point.priority)
        state.skipLockCheck = skipLockCheck
        nodes[i].state = state
        nodes[i].alive = true
        result.restarts += 1
        replaying = true
        feed(i, .start, logged: false)
        let lastApplied = decoded.inputs.lastIndex { if case .blockApplied = $0 { true } else { false } }
        for input in decoded.inputs[(lastApplied.map { $0 + 1 } ?? 0)...] {
            // The same rule as on delivery: a replayed message for a later height (or a round
            // past the window) was dropped then and is dropped now, so it is not had. Learning it
            // here anyway left a restarted validator that had logged the next height's proposal
            // unable ever to decide that height (seed 1000416).
            switch input {
            case .proposal(let p, _): noteReceived(register(.proposal(p)), by: i)
            case .vote(let v): noteReceived(register(.vote(v)), by: i)
            default: break
            }
            feed(i, input, logged: false)
        }
        replaying = false
        if nodes[i].state.isAwaitingProposalValue {
            feed(i, .proposalValue(height: nodes[i].height, round: nodes[i].state.round, blockHash: newBlock(height: nodes[i].height, valid: true)))
        }
    }
}

extension UnsignedMessage {
    /// Real BIP340 signing with fixed auxiliary bytes, so a seed reproduces exactly.
    func sign(chainID: String, with key: Schnorr.PrivateKey, signedDeterministically: Bool) throws -> SignedMessage {
        precondition(signedDeterministically)
        let signature = try key.signature(for: signingMessage(chainID: chainID), auxiliaryRandom: [UInt8](repeating: 0, count: 32))
        switch self {
        case let .proposal(h, r, hash, vr):
            return .proposal(Proposal(height: h, round: r, blockHash: hash, validRound: vr, proposer: key.publicKey, signature: signature))
        case let .vote(kind, h, r, hash):
            return .vote(Vote(kind: kind, height: h, round: r, blockHash: hash, validator: key.publicKey, signature: signature))
        }
    }
}

