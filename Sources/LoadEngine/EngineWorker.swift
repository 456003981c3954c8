import CPrefetch
import Charging
import ChargingPipeline
import Histogram
import MSRP
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One second of a worker's timed phase, for `--interval-csv`.
public struct IntervalSample: Sendable {
    public var second: Int
    /// Totals at the end of the second (differences give the second's own figures).
    public var chunks: UInt64
    public var messages: UInt64
    public var bodyBytes: UInt64
    public var requests: UInt64
    /// Chunk latencies recorded in this second only.
    public var chunkLatency: Histogram<UInt64>
}

/// What a worker reports after the run.
public struct WorkerResult: Sendable {
    public var counters = EngineCounters()
    public var charging = ChargingCounters()
    public var latency = LatencyHistograms()
    public var intervals: [IntervalSample] = []
    /// The traffic it was fed, counted from how it was built.
    public var fed = TrafficCounts()
    public var setUpSeconds = 0.0
    public var endSeconds = 0.0
    public var sessions = 0
    public var sessionsSetUp = 0
    public var sessionsRejected = 0
    public var timedStart: Int64 = 0
    public var timedEnd: Int64 = 0
    /// Times the kernel took this worker's CPU away during the timed phase.
    public var preemptions = 0
    public var firstParseError: String? = nil
    public var messagesPerSessionPerRound = 0
    /// The chunks the Charging Enabler User refused, by message (for the model check).
    public var refusals = RefusalCounts()
    /// Connections whose parser was left inside a frame after its last turn: the parser lost
    /// the framing somewhere (every turn ends at a frame boundary).
    public var parsersMidFrame = 0
    /// Each session's accepted usage when it ended (for the conservation check).
    public var closedSessions: [ClosedSession] = []
    public var dispatcher = DispatcherCounters()
    /// Sessions whose set-up was refused (they must accept nothing).
    public var rejectedSessions: [SessionKey] = []
    /// Estimated nanoseconds the embedded enabler took during the timed phase, and the
    /// requests it answered then (sampled: ``SampledEnablerClient``).
    public var enablerNanoseconds = 0.0
    public var enablerRequests: UInt64 = 0
}

/// Live figures a worker publishes for the progress line (relaxed atomics, own cache line).
public final class WorkerProgress: Sendable {
    let chunks = Atomic<UInt64>(0)
    let padding = InlineArray<7, UInt64>(repeating: 0)
    public var chunksDone: UInt64 { chunks.load(ordering: .relaxed) }
    public init() {}
}

/// One worker thread: builds its traffic, sets its sessions up, runs the timed phase, ends
/// its sessions. Sessions `w, w + n, …` are its own (one connection each) but live in the
/// shared table, so workers meet on shards as a server's event loops would.
final class EngineWorker: @unchecked Sendable {
    let index: Int
    let model: WorkloadModel
    let table: SessionTable<ChargingSession>
    let user: ChargingEnablerUser
    let enabler: EmbeddedChargingEnabler
    let progress = WorkerProgress()
    var traffic: WorkerTraffic? = nil
    var result = WorkerResult()

    init(
        index: Int,
        model: WorkloadModel,
        table: SessionTable<ChargingSession>,
        user: ChargingEnablerUser,
        enabler: EmbeddedChargingEnabler
    ) {
        self.index = index
        self.model = model
        self.table = table
        self.user = user
        self.enabler = enabler
    }

    /// The hot-path state and the connections, between ``prepare()`` and ``finish()``.
    var state: EngineState? = nil
    var connections: UnsafeMutablePointer<EngineConnection>? = nil

    /// Runs every phase; `startAt` is waited for before timing starts, `endGate` before the
    /// sessions end (after every worker's timed phase).
    func run(_ gates: SharedGates) {
        prepare()
        _ = gates.ready.add(1, ordering: .acquiringAndReleasing)
        var start = gates.startAt.load(ordering: .acquiring)
        while start == 0 {
            usleep(100)
            start = gates.startAt.load(ordering: .acquiring)
        }
        while monotonicNanoseconds() < start {}
        let deadline = model.totalChunks == nil ? start &+ model.duration : .max
        let budget: UInt64 = model.totalChunks.map { share(of: $0) } ?? .max
        timed(&state!, traffic!, connections!, start: start, deadline: deadline, budget: budget)
        _ = gates.timedDone.add(1, ordering: .acquiringAndReleasing)
        while !gates.endGate.load(ordering: .acquiring) { usleep(100) }
        end()
        finish()
    }

    /// Builds the traffic and the connections, and sets every session up: SIP INVITE (CH-2
    /// start when online, CH-1 start once established), then every answer.
    func prepare() {
        let traffic = TrafficBuilder.build(model, worker: index)
        self.traffic = traffic
        var state = EngineState(stage: model.stage, table: table, user: user, enabler: enabler)
        let keys = traffic.sessionKeys
        let connections = UnsafeMutablePointer<EngineConnection>.allocate(capacity: keys.count)
        for (i, key) in keys.enumerated() {
            (connections + i).initialize(to: EngineConnection(parser: MSRPChunkParser(tailCapacity: 0), key: key))
        }
        result.sessions = keys.count
        result.messagesPerSessionPerRound = traffic.messagesPerSessionPerRound
        var setUp = SetUpTracker()
        let setUpStart = monotonicNanoseconds()
        if charged {
            withUnsafeMutablePointer(to: &setUp) { tracker in
                for key in keys {
                    let now = monotonicNanoseconds()
                    tracker.pointee.startedAt[key] = now
                    state.pipeline.invite(key, now: now)
                    state.takeSignals(tracker, now: now)
                    state.pump(now: now, setUp: tracker)
                }
                // Until every session has an outcome, and then until the set-up's requests
                // (CH-1 starts: their answers set the interval) are answered, for at most Tx
                // more: requests that charging timers keep making (Validity-Time updates) are
                // the timed phase's.
                var resolvedAt: Int64? = nil
                let tx = model.charging.txTimeout
                state.drain(setUp: tracker) { state in
                    guard tracker.pointee.resolved >= keys.count else { return false }
                    if state.pipeline.dispatcher.inFlight == 0 { return true }
                    let now = monotonicNanoseconds()
                    if resolvedAt == nil { resolvedAt = now }
                    return now &- resolvedAt! >= tx
                }
            }
        }
        result.setUpSeconds = Double(monotonicNanoseconds() - setUpStart) / 1e9
        result.sessionsSetUp = setUp.completed
        result.sessionsRejected = setUp.rejected.count
        result.rejectedSessions = Array(setUp.rejected)
        self.state = state
        self.connections = connections
    }

    var charged: Bool { model.stage == .table || model.stage == .charging }

    /// Ends every session (SIP BYE: CH-1 stop and CH-2 termination with what is pending),
    /// waits for every answer, and collects the results.
    func end() {
        let endStart = monotonicNanoseconds()
        if charged {
            for key in traffic!.sessionKeys {
                let now = monotonicNanoseconds()
                state!.pipeline.endSession(key, now: now)
                state!.takeSignals(nil, now: now)
                state!.pump(now: now)
            }
            state!.drain { $0.pipeline.dispatcher.inFlight == 0 }
        }
        result.endSeconds = Double(monotonicNanoseconds() - endStart) / 1e9
        result.counters = state!.counters
        result.counters.frames = state!.pipeline.counters
        result.charging = state!.pipeline.charging
        result.latency = state!.latency
        result.latency.chargingRoundTrip = state!.pipeline.roundTrip
        result.firstParseError = state!.firstParseError
        result.closedSessions = state!.pipeline.closedSessions ?? []
        result.dispatcher = state!.pipeline.dispatcher.counters
        result.parsersMidFrame = (0..<traffic!.sessionKeys.count).reduce(0) { n, i in
            n + (connections![i].parser.isAtFrameBoundary ? 0 : 1)
        }
    }

    func finish() {
        state?.deallocate()
        state = nil
        if let connections, let traffic {
            connections.deinitialize(count: traffic.sessionKeys.count)
            connections.deallocate()
        }
        connections = nil
    }

    /// The timed phase: turn after turn (one message of one connection), each message fed in
    /// reads of at most `readSize` bytes.
    func timed(
        _ state: inout EngineState,
        _ traffic: WorkerTraffic,
        _ connections: UnsafeMutablePointer<EngineConnection>,
        start: Int64,
        deadline: Int64,
        budget: UInt64
    ) {
        let base = UnsafeRawPointer(traffic.bytes.baseAddress!)
        let readSize = model.readSize
        let paced = model.targetRate != nil
        let nsPerChunk = paced ? 1e9 * Double(model.workers) / model.targetRate! : 0
        let sampleEvery = paced ? 1 : model.sampleEvery
        var intervalLatency = LatencyHistograms.make(digits: .two)
        var intervals: [IntervalSample] = []
        var nextSecond = start &+ 1_000_000_000
        var now = start
        var fedChunks: UInt64 = 0
        var turnIndex = 0
        var offset = 0
        var rounds = 0
        var countdown = 0
        let lookups = model.stage == .table || model.stage == .charging
        // The embedded enabler's ledger entry of the session, too, when every completed
        // message may send a request: its miss then overlaps the turns before, as the
        // session's slot's does (the enabler stands for a remote system, but its cost is paid
        // on this core).
        let ledgerLookups =
            model.stage == .charging && model.charging.mode != .off
            && model.charging.defaultInterimInterval == 0
        let ledger = enabler.ledger.entries
        let table = self.table
        let setUpRequests = state.pipeline.charging.totalRequests
        var refusals = RefusalCounts()
        let preemptionsBefore = threadPreemptions()
        let enablerBefore = (
            state.pipeline.dispatcher.client.estimatedNanoseconds, state.pipeline.dispatcher.client.requests
        )
        traffic.turns.withUnsafeBufferPointer { turns in
            while fedChunks < budget {
                let turn = turns[turnIndex]
                let timedTurn = countdown == 0
                countdown = timedTurn ? sampleEvery - 1 : countdown - 1
                var turnStart = now
                if paced {
                    // The message is due when its last byte has arrived at the target rate;
                    // latency counts from then, however late the engine gets to it (no
                    // coordinated omission, as wrk2 measures).
                    let due = start &+ Int64(Double(fedChunks &+ UInt64(turn.chunks)) * nsPerChunk)
                    now = monotonicNanoseconds()
                    while now < due {
                        if due &- now > 200_000 { usleep(50) }
                        now = monotonicNanoseconds()
                    }
                    turnStart = due
                } else if timedTurn {
                    now = monotonicNanoseconds()
                    turnStart = now
                }
                // Overlap the cache misses of the turns ahead, as an event loop can for the
                // connections a poll reported ready: first the connection's state, then
                // (once that is in cache) its session's slot in the table.
                var far = turnIndex + Self.connectionLead
                while far >= turns.count { far -= turns.count }
                EngineConnection.prefetch(connections + Int(turns[far].connection))
                var near = turnIndex + Self.slotLead
                while near >= turns.count { near -= turns.count }
                let nearConnection = connections + Int(turns[near].connection)
                nearConnection.pointee.parser.prefetch()
                if lookups { table.prefetch(nearConnection.pointee.key) }
                if ledgerLookups { ledger.prefetch(nearConnection.pointee.key) }
                let connection = connections + Int(turn.connection)
                let refusedBefore = state.pipeline.chunksRefused
                let length = Int(turn.length)
                var at = 0
                var readStart = turnStart
                while at < length {
                    let n = min(readSize, length - at)
                    state.read(
                        UnsafeRawBufferPointer(start: base + offset + at, count: n),
                        &connection.pointee.parser,
                        now: now
                    )
                    at += n
                    if timedTurn {
                        let t = monotonicNanoseconds()
                        let chunks = state.stage == .scan ? (at == length ? UInt64(turn.chunks) : 0) : state.readChunks
                        if chunks > 0 {
                            state.latency.chunk.recordClamped(t &- readStart, count: chunks)
                            intervalLatency.recordClamped(t &- readStart, count: chunks)
                        }
                        readStart = t
                        now = t
                    }
                }
                if timedTurn { state.latency.message.recordClamped(now &- turnStart) }
                let refused = state.pipeline.chunksRefused &- refusedBefore
                if refused != 0 { refusals.add(turn, refused: refused) }
                fedChunks &+= UInt64(turn.chunks)
                offset += length
                turnIndex += 1
                if turnIndex == turns.count {
                    turnIndex = 0
                    offset = 0
                    rounds += 1
                }
                if state.pipeline.hasDue(at: now) {
                    now = monotonicNanoseconds()
                    state.pump(now: now)
                }
                if timedTurn {
                    progress.chunks.store(fedChunks, ordering: .relaxed)
                    if now >= nextSecond {
                        intervals.append(
                            Self.sample(intervals.count + 1, fedChunks, state, setUpRequests, intervalLatency)
                        )
                        intervalLatency.reset()
                        nextSecond &+= 1_000_000_000
                    }
                    if now >= deadline { break }
                }
            }
        }
        now = monotonicNanoseconds()
        result.preemptions = threadPreemptions() - preemptionsBefore
        result.enablerNanoseconds += state.pipeline.dispatcher.client.estimatedNanoseconds - enablerBefore.0
        result.enablerRequests &+= state.pipeline.dispatcher.client.requests &- enablerBefore.1
        result.timedStart = start
        result.timedEnd = now
        progress.chunks.store(fedChunks, ordering: .relaxed)
        if intervalLatency.totalCount > 0 || intervals.isEmpty {
            intervals.append(Self.sample(intervals.count + 1, fedChunks, state, setUpRequests, intervalLatency))
        }
        result.intervals = intervals
        result.fed = traffic.counts(rounds: rounds, turns: turnIndex)
        result.refusals += refusals
    }

    /// The totals at the end of second `second` of the timed phase.
    static func sample(
        _ second: Int,
        _ chunks: UInt64,
        _ state: borrowing EngineState,
        _ setUpRequests: UInt64,
        _ latency: Histogram<UInt64>
    ) -> IntervalSample {
        IntervalSample(
            second: second,
            chunks: chunks,
            messages: state.pipeline.counters.messages,
            bodyBytes: state.pipeline.counters.bodyBytes,
            requests: state.pipeline.charging.totalRequests &- setUpRequests,
            chunkLatency: latency
        )
    }

    /// How many turns ahead the connection state, and the session's slot, are prefetched.
    static let connectionLead = 4
    static let slotLead = 2

    /// This worker's share of a total split across the workers.
    func share(of total: Int) -> UInt64 {
        let w = model.workers
        return UInt64(total / w + (index < total % w ? 1 : 0))
    }
}

/// A connection's state in the engine: its parser and the session it carries.
struct EngineConnection {
    var parser: MSRPChunkParser
    let key: SessionKey

    /// Asks for every cache line of the connection's state.
    @inline(__always)
    static func prefetch(_ p: UnsafeMutablePointer<EngineConnection>) {
        var line = UInt(bitPattern: p) & ~63
        let end = UInt(bitPattern: p) + UInt(MemoryLayout<EngineConnection>.size)
        while line < end {
            msrpcharge_prefetch_write(UnsafeRawPointer(bitPattern: line))
            line += 64
        }
    }
}

/// One worker on the calling thread, for benchmarks and profilers: the same set-up and hot
/// loop as `msrpcharge bench`, without threads or a report.
public final class EngineHarness {
    let worker: EngineWorker

    /// Builds the traffic of worker 0 of `model` and sets its sessions up.
    public init(_ model: WorkloadModel) throws(WorkloadError) {
        try model.validate()
        let user = ChargingEnablerUser(model.charging)
        let enabler = EmbeddedChargingEnabler(model.enabler, expectedSessions: model.sessions)
        let table = SessionTable<ChargingSession>(shardCount: model.shards, expectedSessions: model.sessions)
        worker = EngineWorker(index: 0, model: model, table: table, user: user, enabler: enabler)
        worker.prepare()
    }

    deinit { worker.finish() }

    /// Feeds whole turns from the start of the traffic until at least `chunks` chunks went
    /// through; returns the chunks parsed so far in all calls.
    @discardableResult
    public func run(chunks: Int) -> UInt64 {
        worker.timed(
            &worker.state!,
            worker.traffic!,
            worker.connections!,
            start: monotonicNanoseconds(),
            deadline: .max,
            budget: UInt64(chunks)
        )
        return worker.state!.counters.chunks
    }
}
