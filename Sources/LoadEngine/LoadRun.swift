import Charging
import Diameter
import Histogram
import Synchronization
import Workload

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The outcome of one run of the engine, before it is turned into a report.
public struct RunResult: Sendable {
    public var model: WorkloadModel
    public var workers: [WorkerResult]
    /// Wall time of the timed phase: from the common start to the last worker's stop.
    public var seconds: Double
    public var counters = EngineCounters()
    public var charging = ChargingCounters()
    public var latency = LatencyHistograms()
    public var fed = TrafficCounts()
    /// What the model says the responses and triggers must be (all workers).
    public var expected = ExpectedOutcome()
    /// Parsers left inside a frame at the end (all workers).
    public var parsersMidFrame = 0
    public var conservation: ConservationCheck
    public var ledger: ChargingLedger.Totals
    public var tableBytesPerSession: Double
    /// The machine's CPU use during the timed phase; nil where `/proc/stat` is missing.
    public var machine: MachineLoad? = nil
    /// Nanoseconds a clock read took, measured before the run.
    public var clockReadNanoseconds = 0.0
    /// The workers' dispatchers (unmatched answers, forgotten records).
    public var dispatcher = DispatcherCounters()
    /// The process's resident memory at the end of the timed phase (everything: traffic,
    /// connections, table, ledger, histograms) and at its peak.
    public var memory: ResidentMemory? = nil
    /// Resident memory once every session was set up, before the timed phase.
    public var memoryAfterSetUp: ResidentMemory? = nil
    /// Bytes of one connection's state in the engine (its parser included), and of the
    /// embedded enabler's ledger per session (it stands for a remote system).
    public var connectionBytesPerSession = 0.0
    public var ledgerBytesPerSession = 0.0
    /// Each Diameter peer's counters, with `--enabler diameter://…`.
    public var diameter: [DiameterPeerCounters]? = nil
}

/// Runs the engine: one thread per worker, a common start, the timed phase, then the end of
/// every session and the conservation check against the enabler's ledger.
public enum LoadRun {
    /// - Parameters:
    ///   - remote: an enabler on the wire (`--enabler diameter://…`: the Diameter client's
    ///     ``RemoteEnablerClient``), in place of the embedded one.
    ///   - peerCounters: reads each of the remote enabler's peers' counters once the workers
    ///     are done (the Diameter client's `countersNow`), for the report.
    ///   - progress: called about every 250 ms during the timed phase with the seconds elapsed
    ///     and the chunks done so far (for a live progress line).
    public static func run(
        _ model: WorkloadModel,
        remote: RemoteEnablerClient? = nil,
        peerCounters: (() -> [DiameterPeerCounters]?)? = nil,
        progress: ((Double, UInt64) -> Void)? = nil
    ) throws(WorkloadError) -> RunResult {
        try model.validate()
        let clockRead = clockReadCost()
        var charging = model.charging
        if model.stage != .charging { charging.mode = .off }
        let user = ChargingEnablerUser(charging)
        let enabler = EmbeddedChargingEnabler(
            model.enabler,
            expectedSessions: charging.mode == .off ? 1 : model.partitionSessions
        )
        let table = SessionTable<ChargingSession>(shardCount: model.shards, expectedSessions: model.partitionSessions)
        let templates = TrafficTemplates(model: model)
        let workers = (model.firstWorker..<(model.firstWorker + model.workers)).map {
            EngineWorker(
                index: $0,
                model: model,
                templates: templates,
                table: table,
                user: user,
                enabler: enabler,
                remote: remote
            )
        }
        let gates = SharedGates()
        let handles = workers.map { w in
            startThread {
                w.run(gates)
            }
        }
        while gates.ready.load(ordering: .acquiring) < workers.count { usleep(1000) }
        let memoryAfterSetUp = ResidentMemory.now()
        let cpuBefore = CPUTimes.now()
        let start = monotonicNanoseconds() + 1_000_000
        gates.startAt.store(start, ordering: .releasing)
        while gates.timedDone.load(ordering: .acquiring) < workers.count {
            usleep(progress == nil ? 20_000 : 250_000)
            if let progress {
                let done = workers.reduce(0) { $0 + $1.progress.chunksDone }
                progress(Double(monotonicNanoseconds() - start) / 1e9, done)
            }
        }
        let cpuAfter = CPUTimes.now()
        let memory = ResidentMemory.now()
        gates.endGate.store(true, ordering: .releasing)
        for h in handles { pthread_join(h, nil) }

        let results = workers.map(\.result)
        let diameter = peerCounters?()
        var counters = EngineCounters()
        var chargingCounters = ChargingCounters()
        var latency = LatencyHistograms()
        var fed = TrafficCounts()
        var refusals = RefusalCounts()
        for r in results {
            counters += r.counters
            chargingCounters += r.charging
            latency.add(r.latency)
            fed += r.fed
            refusals += r.refusals
        }
        let end = results.map(\.timedEnd).max() ?? start
        // With a Diameter enabler, what it acknowledged (2001) is the ledger checked, and the
        // check is named for it ("Acknowledged"): the enablers' journals are the verdict.
        let ledger = remote?.acknowledged ?? enabler.ledger
        let conservation = ConservationCheck.run(
            mode: charging.mode,
            unit: charging.unit,
            sessions: results.flatMap(\.closedSessions),
            stillOpen: table.count,
            ledger: ledger,
            accepted: counters.accepted,
            abandoned: chargingCounters.abandoned,
            basis: remote == nil ? .enablerLedger : .acknowledged
        )
        return RunResult(
            model: model,
            workers: results,
            seconds: Double(end - start) / 1e9,
            counters: counters,
            charging: chargingCounters,
            latency: latency,
            fed: fed,
            expected: ExpectedOutcome(
                fed: fed,
                refusals: refusals,
                offlineTriggers: model.stage == .charging && charging.mode.offline,
                refusedSessionsAccepting: refusedSessionsAccepting(results)
            ),
            parsersMidFrame: results.reduce(0) { $0 + $1.parsersMidFrame },
            conservation: conservation,
            ledger: ledger.totals,
            tableBytesPerSession: Double(table.storageBytes) / Double(model.partitionSessions),
            machine: cpuBefore.flatMap { a in
                cpuAfter.map { b in
                    MachineLoad(
                        cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                        from: a,
                        to: b,
                        workerPreemptions: results.map(\.preemptions)
                    )
                }
            },
            clockReadNanoseconds: clockRead,
            dispatcher: results.reduce(into: DispatcherCounters()) { $0 += $1.dispatcher },
            memory: memory,
            memoryAfterSetUp: memoryAfterSetUp,
            connectionBytesPerSession: Double(MemoryLayout<EngineConnection>.stride),
            ledgerBytesPerSession: Double(ledger.entries.storageBytes) / Double(model.partitionSessions),
            diameter: diameter
        )
    }
}

/// Sessions whose set-up was refused but whose last state shows usage accepted.
func refusedSessionsAccepting(_ results: [WorkerResult]) -> Int {
    let refused = Set(results.flatMap(\.rejectedSessions))
    guard !refused.isEmpty else { return 0 }
    return results.reduce(0) { n, r in
        n + r.closedSessions.filter { refused.contains($0.session) && !$0.accepted.isZero }.count
    }
}

/// The flags the coordinator and the workers meet at.
final class SharedGates: Sendable {
    let ready = Atomic<Int>(0)
    let startAt = Atomic<Int64>(0)
    let timedDone = Atomic<Int>(0)
    let endGate = Atomic<Bool>(false)
    init() {}
}

final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// A plain pthread (the engine's workers are long-lived and must not share a thread pool).
func startThread(_ body: @escaping () -> Void) -> pthread_t {
    let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread,
        nil,
        { p in
            Unmanaged<ThreadBody>.fromOpaque(p!).takeRetainedValue().body()
            return nil
        },
        box
    )
    precondition(rc == 0, "pthread_create failed: \(rc)")
    return thread
}
