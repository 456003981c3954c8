import Charging
import ChargingPipeline
import Histogram
import MSRP
import Workload

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker's mutable state on the hot path: a plain struct, kept in a local variable while
/// the worker runs, so that every access is checked for exclusivity at compile time and no
/// call goes through an existential or an unspecialised generic. The per-chunk work is the
/// shared ``MSRPChargingPipeline``; this adds what only the bench has (the scan stage, read
/// counts, latency sampling and the simulated SIP leg).
struct EngineState {
    let stage: PipelineStage
    var pipeline: MSRPChargingPipeline<SampledEnablerClient>
    var counters = EngineCounters()
    var latency = LatencyHistograms()
    /// Where responses are encoded; flushed at the end of each read, as a server writes once
    /// per read.
    var responses: MSRPResponseBuffer
    /// Chunks completed by the current read.
    var readChunks: UInt64 = 0
    var firstParseError: String? = nil
    /// The SIP steps being acted on (swapped with the pipeline's).
    var signals: [SessionSignal] = []
    /// The chunks charging refused, by Failure-Report (for the model check).
    var refusals = RefusalCounts()
    /// A chunk of the message the connection being read is in was refused (the connection's
    /// flag, swapped in for the read).
    var refusedInMessage = false
    /// The longest a waiting worker sleeps, nanoseconds.
    let longestSleep: Int64

    init(
        stage: PipelineStage,
        table: SessionTable<ChargingSession>,
        user: ChargingEnablerUser,
        enabler: EmbeddedChargingEnabler,
        remote: RemoteEnablerClient? = nil,
        sessions: Int = 0
    ) {
        self.stage = stage
        // Answers from the wire arrive while a worker waits: it looks every 100 µs. The embedded
        // enabler's answers are due at known times, so a worker may sleep until then.
        longestSleep = remote == nil ? 1_000_000_000 : 100_000
        pipeline = MSRPChargingPipeline(
            table: table,
            user: user,
            client: SampledEnablerClient(enabler, remote: remote),
            chargesSessions: stage != .parse && stage != .scan,
            keepClosedSessions: true,
            capacity: 1 << 16,
            sessions: sessions
        )
        responses = MSRPResponseBuffer(
            storage: UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
        )
    }

    func deallocate() { responses.storage.deallocate() }

    // MARK: The hot path

    /// One read of a connection: parse it and handle every frame it completes.
    @inline(__always)
    mutating func read(_ bytes: UnsafeRawBufferPointer, _ parser: inout MSRPChunkParser, now: Int64) {
        counters.reads &+= 1
        counters.wireBytes &+= UInt64(bytes.count)
        if stage == .scan {
            var p = bytes.baseAddress!
            let end = p + bytes.count
            var lines: UInt64 = 0
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                lines &+= 1
                p = UnsafeRawPointer(hit) + 1
            }
            counters.scannedLines &+= lines  // a result, so the scan cannot be optimised away
            readChunks = 0
            return
        }
        let before = pipeline.counters.chunks
        do {
            try parser.parse(bytes) { frame in
                let refusedBefore = pipeline.chunksRefused
                pipeline.handle(frame, now: now, responses: &responses)
                let refused = pipeline.chunksRefused &- refusedBefore
                if refused != 0 || refusedInMessage { noteRefusal(frame, refused) }
            }
        } catch {
            counters.parseErrors &+= 1
            if firstParseError == nil { firstParseError = "\(error)" }
        }
        readChunks = pipeline.counters.chunks &- before
        responses.flush()
    }

    /// Counts a refusal by the frame's Failure-Report, and a completed message (`$`) with a
    /// refused chunk: no interim trigger is owed for it.
    @inline(never)
    mutating func noteRefusal(_ frame: MSRPFrame, _ refused: UInt64) {
        guard !frame.isResponse, frame.method == .send else { return }
        if refused != 0 {
            refusals.add(frame.failureReport ?? .yes, refused: refused)
            refusedInMessage = true
        }
        if frame.flag != .more {
            if frame.flag == .end && refusedInMessage { refusals.completedMessagesRefused &+= 1 }
            refusedInMessage = false
        }
    }

    // MARK: The simulated SIP leg

    /// Carries out the SIP steps charging asked for: the recipient answers a forwarded INVITE
    /// at once; a set-up is complete when the INVITE was forwarded and the originator has its
    /// 200 OK.
    mutating func takeSignals(_ setUp: UnsafeMutablePointer<SetUpTracker>?, now: Int64) {
        while !pipeline.signals.isEmpty {
            pipeline.takeSignals(into: &signals)
            for signal in signals { handle(signal, setUp: setUp, now: now) }
        }
    }

    mutating func handle(_ signal: SessionSignal, setUp: UnsafeMutablePointer<SetUpTracker>?, now: Int64) {
        let key = signal.session
        switch signal.event {
        case .endSession:
            counters.sessionsEnded &+= 1
            if let setUp, setUp.pointee.progress(key) != 3 { setUp.pointee.ended.insert(key) }
        case .rejectInvite:
            setUp?.pointee.rejected.insert(key)
        case .forwardInvite, .okToOriginator:
            if let setUp, let c = setUp.pointee.connection(key) {
                let bit: UInt8 = signal.event == .forwardInvite ? 1 : 2
                let before = setUp.pointee.progress[c]
                setUp.pointee.progress[c] = before | bit
                if before != 3 && before | bit == 3 {
                    latency.sessionSetUp.recordClamped(monotonicNanoseconds() &- setUp.pointee.startedAt[c])
                    setUp.pointee.completed &+= 1
                }
            }
            if signal.event == .forwardInvite {
                // The recipient answers at once, also when the set-up completes after the
                // set-up phase (a reservation answered late).
                pipeline.recipientAnswered(key, now: now)
            }
        }
    }

    /// Handles every answer, timeout and timer due by `now`, and the SIP steps they cause.
    mutating func pump(now: Int64, setUp: UnsafeMutablePointer<SetUpTracker>? = nil) {
        pipeline.poll(now: now)
        if !pipeline.signals.isEmpty { takeSignals(setUp, now: now) }
    }

    /// Waits, sleeping until each next thing is due, until `done` holds: at the end of the set-up
    /// phase, every session set up or refused (requests its sessions' charging timers cause
    /// later, such as a Validity-Time update, are the timed phase's business); at the end of
    /// the run, nothing in flight.
    mutating func drain(setUp: UnsafeMutablePointer<SetUpTracker>? = nil, until done: (inout EngineState) -> Bool) {
        while true {
            let now = monotonicNanoseconds()
            pump(now: now, setUp: setUp)
            if done(&self) { return }
            guard let due = pipeline.nextDue else { return }
            let wait = min(due &- monotonicNanoseconds(), longestSleep)
            if wait > 0 {
                var ts = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                nanosleep(&ts, nil)
            }
        }
    }
}

/// Session set-up bookkeeping (not on the hot path), by connection: 9 bytes a session, so
/// that ten million fit.
struct SetUpTracker {
    let workers: Int
    var startedAt: [Int64]
    /// Bit 1: INVITE forwarded; bit 2: 200 OK to the originator.
    var progress: [UInt8]
    var completed = 0
    var rejected: Set<SessionKey> = []
    /// Ended by charging during the set-up (a conference whose reservation was refused).
    var ended: Set<SessionKey> = []

    init(connections: Int, workers: Int) {
        self.workers = workers
        startedAt = Array(repeating: 0, count: connections)
        progress = Array(repeating: 0, count: connections)
    }

    /// The worker's connection that carries `key` (session `w + c·workers` is connection `c`).
    func connection(_ key: SessionKey) -> Int? {
        guard let i = TrafficBuilder.sessionIndex(key), i / workers < progress.count else { return nil }
        return i / workers
    }

    func progress(_ key: SessionKey) -> UInt8 { connection(key).map { progress[$0] } ?? 0 }

    /// Sessions whose set-up has an outcome.
    var resolved: Int { completed + rejected.count + ended.count }
}
