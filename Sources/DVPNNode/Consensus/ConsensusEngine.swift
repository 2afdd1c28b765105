import DVPNConsensus
import DVPNCrypto
import DVPNGossip
import DVPNLedger
import DVPNNodeAPI
import Foundation
import Logging
import ServiceLifecycle

/// The node's consensus engine (docs/consensus.md, "Engine"): drives one `ConsensusState` per
/// height over the gossip network, with the node's `Ledger` as the block store, as a `Service`.
///
/// It is the driver the pure state machine asks for, and it follows the simulator's rules
/// (Tests/DVPNConsensusSimulatorTests): every input goes to the WAL (fsync) before `handle` sees
/// it; a message to sign goes through `SignGuard`, whose file is replaced and fsynced before the
/// signed message leaves; own messages are delivered back as inputs; `.requestProposalValue` is
/// ignored while the WAL is replayed; messages a peer may lack are offered again by the peer's
/// height and round (`SyncResponse.catchUp`); a node behind its peers catches up by block sync.
///
/// The files of this concern: `ConsensusEngine+Messages.swift` (the edge: verification, held
/// proposals, the next height's buffer), `ConsensusEngine+Sync.swift` (status, catch-up, block
/// sync), `ConsensusEngine+Proposing.swift` (building blocks, empty-block wait, evidence).
///
/// One actor: the state machine, its WAL and guard, and the per-height caches change together.
/// The loop in `run()` wakes every `configuration.tick` to fire timeouts, propose when a
/// proposal waits for transactions, and talk to peers.
actor ConsensusEngine: Service {
    let node: LedgerNode
    let key: Schnorr.PrivateKey
    let configuration: EngineConfiguration
    let clock: any EngineClock
    let gossip: GossipService?
    let logger: Logger
    let guardFile: SignGuardFile
    let blocksFile: ProposedBlocksFile
    let wal: WALFile
    var chainID: String { node.genesis.chainID }

    var state: ConsensusState
    var signGuard: SignGuard
    /// Inputs read from the WAL at start, replayed by `start()`.
    var pendingReplay: [ConsensusInput]
    var replaying = false
    var started = false
    var timers: [(deadline: Duration, timeout: Timeout)] = []
    var current: HeightCache
    /// Messages and blocks for `state.height + 1`, checked and delivered once we get there.
    var nextHeightMessages: [SignedMessage] = []
    var nextHeightBlocks: [Block] = []
    /// The getValue() (line 18) this validator still has to answer.
    var valueRequest: (height: UInt64, round: UInt32)?
    /// When this height started (for the empty-block wait and the sync grace).
    var heightStartedAt: Duration
    /// A decision whose block we lack (lost in a restart): fetched by block sync.
    var decidedWithoutBlock: Decision?
    var peers: [PeerID: PeerView] = [:]
    var syncRequest: OutstandingSync?
    var lastStatusAt: Duration = .zero
    var lastRepublishAt: Duration = .zero
    /// (offender, height) of evidence already submitted.
    var evidenceSubmitted: Set<EvidenceKey> = []
    var drainNextHeight = false
    /// Counters for tests and logs.
    var statistics = EngineStatistics()

    /// Opens the sign guard and the WAL in `dataDirectory` and positions the state machine at the
    /// height after the store's tip. Nothing runs until `run()`.
    init(node: LedgerNode, key: Schnorr.PrivateKey, configuration: EngineConfiguration, dataDirectory: String,
         gossip: GossipService?, clock: any EngineClock = SystemEngineClock(), logger: Logger) throws(NodeError) {
        self.node = node
        self.key = key
        self.configuration = configuration
        self.clock = clock
        self.gossip = gossip
        self.logger = logger
        current = HeightCache()
        let guardFile = SignGuardFile(path: (dataDirectory as NSString).appendingPathComponent(ConsensusFileNames.signGuard))
        self.guardFile = guardFile
        signGuard = try guardFile.load()
        let (file, inputs) = try WALFile.open(path: (dataDirectory as NSString).appendingPathComponent(ConsensusFileNames.wal), logger: logger)
        wal = file
        pendingReplay = inputs
        let blocksFile = ProposedBlocksFile(path: (dataDirectory as NSString).appendingPathComponent(ConsensusFileNames.blocks))
        self.blocksFile = blocksFile
        let state = try Self.makeState(node: node, key: key, config: configuration.consensus)
        self.state = state
        for block in blocksFile.load() where block.height == state.height {
            current.blocks[block.hash] = block
        }
        // The first proposal after a start does not wait: a fresh node shows a block at once.
        heightStartedAt = clock.now() - configuration.emptyBlockWait
    }

    /// The state machine at the height after the store's tip, with the proposer rule's priority.
    static func makeState(node: LedgerNode, key: Schnorr.PrivateKey, config: ConsensusConfig) throws(NodeError) -> ConsensusState {
        let ledger = node.ledger
        let tip = ledger.height
        let validators = ledger.state.validatorSet
        let priority = try ProposerSchedule.priority(atHeight: tip + 1, store: ledger.store, genesis: ledger.genesis)
        let lastCommit: Commit?
        do {
            lastCommit = tip == 0 ? nil : try ledger.store.commit(at: tip)
        } catch {
            throw NodeError(.storage, "cannot read the commit of block \(tip): \(error.reason)")
        }
        return ConsensusState(
            chainID: ledger.genesis.chainID, height: tip + 1, validators: validators,
            me: validators.contains(key.publicKey) ? key.publicKey : nil,
            config: config, lastCommit: lastCommit, proposerPriority: priority)
    }

    // MARK: Running

    func run() async throws {
        start()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            tick()
            do {
                try await clock.sleep(for: configuration.tick)
            } catch {
                break
            }
        }
        logger.info("consensus engine stopped", metadata: ["height": "\(state.height)"])
    }

    /// Starts the state machine and replays the WAL (`.requestProposalValue` ignored meanwhile:
    /// the WAL holds the original answer); then answers the current round's request if open.
    func start() {
        guard !started else { return }
        started = true
        // Blocks of this height kept from before a restart: executed again to learn valid(v).
        let ledger = node.ledger
        for (hash, block) in current.blocks {
            if case .valid = ledger.executor.verify(block, after: ledger.position, state: ledger.state) {
                current.validity[hash] = true
            } else {
                current.blocks[hash] = nil
            }
        }
        replaying = true
        feed(.start, log: false)
        let replayed = pendingReplay.count
        for input in pendingReplay { feed(input, log: false) }
        pendingReplay = []
        replaying = false
        if replayed > 0 {
            logger.info("replayed the consensus WAL", metadata: [
                "inputs": "\(replayed)", "height": "\(state.height)", "round": "\(state.round)", "step": "\(state.step)"])
        }
        if state.isAwaitingProposalValue { valueRequest = (state.height, state.round) }
        logger.info("consensus started", metadata: [
            "height": "\(state.height)", "validators": "\(state.validators.validators.count)",
            "role": "\(state.me == nil ? "full node" : "validator")"])
    }

    /// One wake-up of the loop.
    func tick() {
        guard started else { return }
        let now = clock.now()
        let due = timers.filter { $0.deadline <= now }
        if !due.isEmpty {
            timers.removeAll { $0.deadline <= now }
            for timer in due.sorted(by: { $0.deadline < $1.deadline }) where timer.timeout.height == state.height {
                feed(.timeout(timer.timeout))
            }
        }
        if let input = proposalValueIfReady() { feed(input) }
        if now - lastStatusAt >= configuration.statusInterval {
            lastStatusAt = now
            sendStatus()
        }
        if now - lastRepublishAt >= configuration.republishInterval {
            lastRepublishAt = now
            let ledger = node.ledger
            node.network.republishPending(isPending: ledger.isPending)
        }
        offerCatchUp(now: now)
        manageSync(now: now)
    }

    // MARK: The driver: WAL first, then the state machine, then its outputs

    /// Writes `first` (unless replaying or told not to) and every input its outputs cause to the
    /// WAL, each before `handle` sees it. An input whose frame cannot be written is dropped: it
    /// was never acted on, which is safe.
    func feed(_ first: ConsensusInput, log: Bool = true) {
        var work: [(input: ConsensusInput, log: Bool)] = [(first, log && !replaying)]
        while !work.isEmpty {
            let (input, logIt) = work.removeFirst()
            if logIt {
                do {
                    try wal.append(input)
                } catch {
                    logger.error("consensus input dropped: \(error.reason)")
                    continue
                }
            }
            for output in state.handle(input) {
                perform(output, work: &work)
            }
        }
        if drainNextHeight {
            drainNextHeight = false
            deliverNextHeightBuffer()
        }
    }

    private func perform(_ output: ConsensusOutput, work: inout [(input: ConsensusInput, log: Bool)]) {
        switch output {
        case .broadcast(let message):
            guard let signed = sign(message) else { return }
            publish(signed)
            work.append((selfInput(for: signed), !replaying))
        case let .scheduleTimeout(timeout, after):
            timers.append((clock.now() + after, timeout))
        case let .requestProposalValue(height, round):
            guard !replaying else { return }
            valueRequest = (height, round)
            if let input = proposalValueIfReady() { work.append((input, true)) }
        case .decide(let decision):
            if let next = applyDecision(decision) {
                // Not logged: the store now holds the block, and the WAL starts afresh for h + 1.
                work.append((.blockApplied(height: decision.height, nextValidators: next), false))
            }
        case .evidence(let evidence):
            submitEvidence(evidence)
        }
    }

    /// Asks the guard, persists it, and signs. Nil when the guard refuses (a stale message after a
    /// restart; a conflict would be a bug and is logged as one) or this node is not a validator.
    private func sign(_ message: UnsignedMessage) -> SignedMessage? {
        guard state.me != nil else { return nil }
        switch signGuard.authorize(message, chainID: chainID) {
        case .sign:
            do {
                try guardFile.store(signGuard)
            } catch {
                logger.error("not signing \(message): \(error.reason)")
                return nil
            }
        case .resign:
            break
        case .refuseStale:
            statistics.guardRefusedStale += 1
            return nil
        case .refuseConflict:
            statistics.guardRefusedConflict += 1
            logger.error("the sign guard refused a conflicting \(message)")
            return nil
        }
        do {
            let signed = try message.sign(chainID: chainID, with: key)
            statistics.signed += 1
            return signed
        } catch {
            logger.error("cannot sign \(message): \(error.reason)")
            return nil
        }
    }

    /// Sends our own message to every peer; a proposal's block goes first, so that peers hold
    /// the proposal for as short a time as possible.
    private func publish(_ message: SignedMessage) {
        current.remember(message)
        guard let gossip else { return }
        switch message {
        case .proposal(let proposal):
            if let block = current.blocks[proposal.blockHash] {
                gossip.broadcast(GossipEnvelope(kind: .block, payload: block.canonicalBytes))
            }
            gossip.broadcast(GossipEnvelope(kind: .proposal, payload: proposal.canonicalBytes))
        case .vote(let vote):
            gossip.broadcast(GossipEnvelope(kind: .vote, payload: vote.canonicalBytes))
        }
    }

    /// Our own message as an input. Our proposal is always of a valid block (one we built, or
    /// validValue), so it is marked valid even when the block was lost in a restart: the replay
    /// then takes the same decisions as the original run.
    private func selfInput(for message: SignedMessage) -> ConsensusInput {
        switch message {
        case .proposal(let proposal): .proposal(proposal, blockIsValid: true)
        case .vote(let vote): .vote(vote)
        }
    }

    // MARK: Deciding

    /// Stores the decided block with the decision's commit (our own built block is committed as
    /// built; a received one is verified and executed by `Ledger.apply`) and starts the next
    /// height's files and caches. Returns the validator set in force at the next height.
    private func applyDecision(_ decision: Decision) -> ValidatorSet? {
        let ledger = node.ledger
        guard ledger.height + 1 == decision.height else {
            // Block sync got there first.
            restartAtStoreTip()
            return nil
        }
        do {
            let committed: CommittedBlock
            if let built = current.built[decision.blockHash] {
                committed = try ledger.commit(built, commit: decision.commit)
            } else if let block = current.blocks[decision.blockHash] {
                committed = try ledger.apply(block, commit: decision.commit)
            } else {
                logger.info("decided a block this node does not hold; fetching it", metadata: ["height": "\(decision.height)"])
                decidedWithoutBlock = decision
                return nil
            }
            node.recordCommitted(committed)
        } catch {
            logger.error("cannot store decided block \(decision.height): \(error.reason)")
            return nil
        }
        beginNextHeight()
        logger.debug("committed", metadata: ["height": "\(decision.height)", "round": "\(decision.round)"])
        return ledger.state.validatorSet
    }

    /// Writes the valid blocks of this height to `consensus-blocks.bin` before their hash can
    /// reach the WAL (a built block's `.proposalValue`, a received one's `.proposal`).
    func persistProposedBlocks() {
        let valid = current.blocks.values.filter { current.validity[$0.hash] == true && $0.height == state.height }
        do {
            try blocksFile.store(valid)
        } catch {
            logger.error("\(error.reason)")
        }
    }

    /// The per-height files and caches after the store moved to a new tip.
    func beginNextHeight() {
        do {
            try wal.reset()
        } catch {
            logger.error("cannot reset the consensus WAL: \(error.reason)")
        }
        current = HeightCache()
        decidedWithoutBlock = nil
        valueRequest = nil
        timers.removeAll { $0.timeout.height <= node.ledger.height }
        heightStartedAt = clock.now()
        statistics.heightsCommitted += 1
        drainNextHeight = true
    }

    /// Replaces the state machine with a fresh one at the store's tip + 1 (after block sync, or
    /// when a decision arrives for a height the store already has).
    func restartAtStoreTip() {
        do {
            state = try Self.makeState(node: node, key: key, config: configuration.consensus)
        } catch {
            logger.error("cannot rejoin consensus: \(error.reason)")
            return
        }
        beginNextHeight()
        nextHeightMessages.removeAll { $0.height < state.height }
        nextHeightBlocks.removeAll { $0.height < state.height }
        feed(.start, log: false)
    }
}

/// What the engine holds about the height it is at.
struct HeightCache {
    /// Blocks this node built (committed as built if decided).
    var built: [Hash256: BuiltBlock] = [:]
    /// Blocks received or built, by hash; `validity` is valid(v) for each block executed.
    var blocks: [Hash256: Block] = [:]
    var validity: [Hash256: Bool] = [:]
    /// Proposals held until their block arrives, with the time they arrived.
    var waiting: [Hash256: [(Proposal, Timestamp)]] = [:]
    /// Every signed message of this height we sent or accepted, in order (offered to peers).
    var known: [SignedMessage] = []
    var knownSet: Set<SignedMessage> = []

    mutating func remember(_ message: SignedMessage) {
        if knownSet.insert(message).inserted { known.append(message) }
    }
}

/// Evidence is submitted once per offender and height.
struct EvidenceKey: Hashable, Sendable {
    var offender: Schnorr.PublicKey
    var height: UInt64
}

struct EngineStatistics: Sendable, Equatable {
    var signed = 0
    var guardRefusedStale = 0
    var guardRefusedConflict = 0
    var heightsCommitted = 0
    var blocksSynced = 0
    var invalidMessages = 0
    var evidenceSubmitted = 0
}

extension SignedMessage {
    var height: UInt64 {
        switch self {
        case .proposal(let p): p.height
        case .vote(let v): v.height
        }
    }

    var round: UInt32 {
        switch self {
        case .proposal(let p): p.round
        case .vote(let v): v.round
        }
    }
}
