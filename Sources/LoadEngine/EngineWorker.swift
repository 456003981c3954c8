import CPrefetch
import Charging
import ChargingPipeline
import Histogram
import MSRP
import Synchronization
import Workload

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
    /// CPU time this worker's thread used in the timed phase (nanoseconds).
    public var timedCPUNanoseconds: Int64 = 0
    public var firstParseError: String? = nil
    /// Paced runs: messages whose due time came, and those of them that waited for one of
    /// their connection's two unread messages to be read first (the engine was behind).
    public var releases: UInt64 = 0
    public var blockedReleases: UInt64 = 0
    /// Buffers the worker's pool lent parsers for split frames (the most in use at once).
    public var tailBuffers = 0
    /// The chunks the Charging Enabler User refused, by message (for the model check).
    public var refusals = RefusalCounts()
    /// Connections whose parser was left inside a frame after the timed phase: the parser lost
    /// the framing somewhere (the timed phase ends by completing every message it began).
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

/// One worker thread: sets its sessions up, runs the timed phase, ends its sessions. Sessions
/// `w, w + n, …` are its own (one connection each) but live in the shared table, so workers
/// meet on shards as a server's event loops would.
final class EngineWorker: @unchecked Sendable {
    let index: Int
    let model: WorkloadModel
    let table: SessionTable<ChargingSession>
    let user: ChargingEnablerUser
    let enabler: EmbeddedChargingEnabler
    /// The Diameter client requests go to instead of `enabler`, when there is one.
    let remote: RemoteEnablerClient?
    let reader: StreamReader
    let progress = WorkerProgress()
    var result = WorkerResult()
    /// This worker's connections.
    let count: Int

    init(
        index: Int,
        model: WorkloadModel,
        templates: TrafficTemplates,
        table: SessionTable<ChargingSession>,
        user: ChargingEnablerUser,
        enabler: EmbeddedChargingEnabler,
        remote: RemoteEnablerClient? = nil
    ) {
        self.index = index
        self.remote = remote
        self.model = model
        self.table = table
        self.user = user
        self.enabler = enabler
        reader = StreamReader(templates)
        count = WorkloadModel.sessions(ofWorker: index, model.sessions, model.totalWorkers)
    }

    /// The properties the timed loop touches are exempt from dynamic exclusivity checks (only
    /// this worker's thread uses them; callgrind counted the checks at 5 % of the loop's
    /// instructions). The state the phases share is ``PreparedEngine``, which ``prepare()``
    /// returns to the caller of the phases.
    /// Buffers for parsers' split frames, lent for a read and taken back when it ends at a
    /// frame boundary.
    @exclusivity(unchecked) var tailPool: [[UInt8]] = []
    /// Where the unpaced round-robin stands (a stride coprime with the connection count visits
    /// every connection once per round, in an order that looks random to the caches).
    @exclusivity(unchecked) var position = 0
    @exclusivity(unchecked) var stride = 1
    @exclusivity(unchecked) var rng = SplitMix64(seed: 0)

    /// Runs every phase; `startAt` is waited for before timing starts, `endGate` before the
    /// sessions end (after every worker's timed phase).
    func run(_ gates: SharedGates) {
        var prepared = prepare()
        _ = gates.ready.add(1, ordering: .acquiringAndReleasing)
        var start = gates.startAt.load(ordering: .acquiring)
        while start == 0 {
            usleep(100)
            start = gates.startAt.load(ordering: .acquiring)
        }
        while monotonicNanoseconds() < start {}
        let deadline = model.totalChunks == nil ? start &+ model.duration : .max
        let budget: UInt64 = model.totalChunks.map { share(of: $0) } ?? .max
        timed(&prepared, start: start, deadline: deadline, budget: budget)
        _ = gates.timedDone.add(1, ordering: .acquiringAndReleasing)
        while !gates.endGate.load(ordering: .acquiring) { usleep(100) }
        end(&prepared)
    }

    /// Builds the connections and sets every session up: SIP INVITE (CH-2 start when online,
    /// CH-1 start once established), then every answer.
    func prepare() -> PreparedEngine {
        var state = EngineState(
            stage: model.stage,
            table: table,
            user: user,
            enabler: enabler,
            remote: remote,
            sessions: count
        )
        let connections = UnsafeMutablePointer<EngineConnection>.allocate(capacity: max(1, count))
        for c in 0..<count {
            let session = index + c * model.totalWorkers
            (connections + c).initialize(
                to: EngineConnection(key: TrafficBuilder.sessionKey(session, model), session: session)
            )
        }
        let readBufferSize = max(reader.templates.largestMessage, model.readSizes.largestRead)
        let readBuffer = UnsafeMutableRawPointer.allocate(byteCount: readBufferSize, alignment: 4096)
        rng = SplitMix64(seed: model.seed &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
        stride = Self.coprimeStride(count)
        let schedule =
            paced
            ? PacingSchedule(
                connections: connections,
                count: count,
                interval: model.messageInterval ?? .fixed(0),
                nanosecondsPerChunk: model.targetRate.map { 1e9 * Double(model.totalWorkers) / $0 },
                seed: model.seed &+ UInt64(index),
                reader: reader
            ) : nil
        // Buffers for split frames, made before the timed phase, each large enough for the
        // traffic's largest frame up to 4 KiB (so none grows in the timed loop unless frames
        // are larger): a connection holds one while a read has left it inside a frame. As
        // fast as possible, every connection has a backlog and most are inside a frame between
        // their reads: one each, up to 256 MiB of them. Paced, a connection is read again as
        // soon as the others ready before it were, so few hold one at once. The pool makes
        // more when it runs out.
        tailBufferBytes = min(reader.templates.largestFrame + 64, 4096)
        let upFront = min(paced ? 1024 : count, max(16, (256 << 20) / tailBufferBytes))
        tailPool.reserveCapacity(count + 1)
        for _ in 0..<upFront { tailPool.append(makeTailBuffer()) }
        result.sessions = count
        var setUp = SetUpTracker(connections: count, workers: model.totalWorkers)
        let setUpStart = monotonicNanoseconds()
        if charged {
            withUnsafeMutablePointer(to: &setUp) { tracker in
                for c in 0..<count {
                    let now = monotonicNanoseconds()
                    tracker.pointee.startedAt[c] = now
                    state.pipeline.invite(connections[c].key, now: now)
                    state.takeSignals(tracker, now: now)
                    state.pump(now: now, setUp: tracker)
                }
                // Until every session has an outcome, and then until the set-up's requests
                // (CH-1 starts: their answers set the interval) are answered, for at most Tx
                // more: requests that charging timers keep making (Validity-Time updates) are
                // the timed phase's.
                var resolvedAt = Int64.max
                let tx = model.charging.txTimeout
                let count = self.count
                state.drain(setUp: tracker) { state in
                    guard tracker.pointee.resolved >= count else { return false }
                    if state.pipeline.dispatcher.inFlight == 0 { return true }
                    let now = monotonicNanoseconds()
                    resolvedAt = min(resolvedAt, now)
                    return now &- resolvedAt >= tx
                }
            }
        }
        result.setUpSeconds = Double(monotonicNanoseconds() - setUpStart) / 1e9
        result.sessionsSetUp = setUp.completed
        result.sessionsRejected = setUp.rejected.count
        result.rejectedSessions = Array(setUp.rejected)
        return PreparedEngine(
            state: state,
            connections: connections,
            count: count,
            readBuffer: readBuffer,
            readBufferSize: readBufferSize,
            schedule: schedule
        )
    }

    var charged: Bool { model.stage == .table || model.stage == .charging }

    /// Ends every session (SIP BYE: CH-1 stop and CH-2 termination with what is pending),
    /// waits for every answer, and collects the results.
    func end(_ p: inout PreparedEngine) {
        let endStart = monotonicNanoseconds()
        if charged {
            for c in 0..<count {
                let now = monotonicNanoseconds()
                p.state.pipeline.endSession(p.connections[c].key, now: now)
                p.state.takeSignals(nil, now: now)
                p.state.pump(now: now)
            }
            p.state.drain { $0.pipeline.dispatcher.inFlight == 0 }
        }
        result.endSeconds = Double(monotonicNanoseconds() - endStart) / 1e9
        result.counters = p.state.counters
        result.counters.frames = p.state.pipeline.counters
        result.charging = p.state.pipeline.charging
        result.latency = p.state.latency
        result.latency.chargingRoundTrip = p.state.pipeline.roundTrip
        result.firstParseError = p.state.firstParseError
        result.closedSessions = p.state.pipeline.closedSessions ?? []
        result.dispatcher = p.state.pipeline.dispatcher.counters
        result.refusals = p.state.refusals
        let connections = p.connections
        result.parsersMidFrame = (0..<count).reduce(0) { n, c in
            n + (connections[c].parser.isAtFrameBoundary ? 0 : 1)
        }
    }

    /// Bytes of each buffer for split frames.
    @exclusivity(unchecked) var tailBufferBytes = 0

    func makeTailBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(tailBufferBytes)
        return buffer
    }

    var paced: Bool { model.messageInterval != nil || model.targetRate != nil }

    /// How many turns ahead the connection state, and the session's slot, are prefetched.
    static let connectionLead = 4
    static let slotLead = 2

    /// This worker's share of a total split across the workers.
    func share(of total: Int) -> UInt64 {
        let w = model.totalWorkers
        return UInt64(total / w + (index < total % w ? 1 : 0))
    }

    /// A stride near 0.618·n that shares no factor with `n`.
    static func coprimeStride(_ n: Int) -> Int {
        guard n > 2 else { return 1 }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        var s = max(1, Int(Double(n) * 0.6180339887))
        while gcd(s, n) != 1 { s += 1 }
        return s % n == 0 ? 1 : s
    }
}

/// One worker on the calling thread, for benchmarks and profilers: the same set-up and hot
/// loop as `msrpcharge bench`, without threads or a report.
public final class EngineHarness {
    let worker: EngineWorker
    var prepared: PreparedEngine

    /// Builds the traffic of worker 0 of `model` and sets its sessions up.
    public init(_ model: WorkloadModel) throws(WorkloadError) {
        try model.validate()
        let user = ChargingEnablerUser(model.charging)
        let enabler = EmbeddedChargingEnabler(model.enabler, expectedSessions: model.sessions)
        let table = SessionTable<ChargingSession>(shardCount: model.shards, expectedSessions: model.sessions)
        worker = EngineWorker(
            index: 0,
            model: model,
            templates: TrafficTemplates(model: model),
            table: table,
            user: user,
            enabler: enabler
        )
        prepared = worker.prepare()
    }

    /// Feeds reads until at least `chunks` more chunks went through; returns the chunks
    /// parsed so far in all calls.
    @discardableResult
    public func run(chunks: Int) -> UInt64 {
        worker.timed(&prepared, start: monotonicNanoseconds(), deadline: .max, budget: UInt64(chunks))
        return prepared.state.pipeline.counters.chunks
    }
}
