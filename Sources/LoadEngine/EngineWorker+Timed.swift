import Charging
import ChargingPipeline
import Histogram
import MSRP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The timed phase: read after read, as an event loop serves its connections.
extension EngineWorker {
    /// Runs reads until `deadline` or until `budget` chunks went through, then completes every
    /// message a read began (a server that stops reading still owes the frames it has part
    /// of), so that every parser ends at a frame boundary.
    ///
    /// As fast as possible, connections are read round-robin in an order that looks random,
    /// each with a backlog (every read is full). Paced (`--message-interval`, `--rate`), a
    /// connection is read when a message of it is due (``PacingSchedule``), and a read takes
    /// at most what has been released.
    func timed(_ p: inout PreparedEngine, start: Int64, deadline: Int64, budget: UInt64) {
        timed(
            &p.state,
            connections: p.connections,
            buffer: p.readBuffer,
            bufferSize: p.readBufferSize,
            schedule: p.schedule,
            start: start,
            deadline: deadline,
            budget: budget
        )
    }

    private func timed(
        _ state: inout EngineState,
        connections: UnsafeMutablePointer<EngineConnection>,
        buffer: UnsafeMutableRawPointer,
        bufferSize: Int,
        schedule: PacingSchedule?,
        start: Int64,
        deadline: Int64,
        budget: UInt64
    ) {
        let paced = schedule != nil
        if let schedule, schedule.origin == 0 { schedule.origin = start }
        let origin = schedule?.origin ?? 0
        let readSizes = model.readSizes
        let oneMessage = readSizes == .message
        let sampleEvery = paced ? 1 : model.sampleEvery
        let lookups = model.stage == .table || model.stage == .charging
        // The embedded enabler's ledger entry of the session, too, when every completed
        // message may send a request: its miss then overlaps the reads before, as the
        // session's slot's does (the enabler stands for a remote system, but its cost is paid
        // on this core).
        let ledgerLookups =
            model.stage == .charging && model.charging.mode != .off
            && model.charging.defaultInterimInterval == 0
        let ledger = enabler.ledger.entries
        let table = self.table
        var intervals = IntervalRecorder(start: start, setUpRequests: state.pipeline.charging.totalRequests)
        var now = start
        var fed = TrafficCounts()
        var countdown = 0
        let farLead = count > 0 ? (Self.connectionLead * stride) % count : 0
        let nearLead = count > 0 ? (Self.slotLead * stride) % count : 0
        let before = TimedPhaseStart(state)
        while fed.chunks < budget {
            // The connection to read, and those a few reads ahead to prefetch.
            let c: Int
            let far: Int?
            let near: Int?
            if let schedule {
                if !schedule.hasReady {
                    now = monotonicNanoseconds()
                    if state.pipeline.hasDue(at: now) { state.pump(now: now) }
                    schedule.advance(to: now)
                    if !schedule.hasReady {
                        if now >= deadline { break }
                        idle(&state, schedule, now: now, until: min(deadline, intervals.nextSecond))
                        now = monotonicNanoseconds()
                        intervals.tick(now: now, chunks: fed.chunks, state)
                        continue
                    }
                }
                c = schedule.popReady()
                // Released in the slot it is due in: wait out the rest of the slot.
                let due = origin &+ connections[c].headDue
                if due > now {
                    while now < due { now = monotonicNanoseconds() }
                }
                far = schedule.peekReady(Self.connectionLead - 1)
                near = schedule.peekReady(Self.slotLead - 1)
            } else {
                c = position
                position &+= stride
                if position >= count { position &-= count }
                var f = c &+ farLead
                if f >= count { f &-= count }
                var n = c &+ nearLead
                if n >= count { n &-= count }
                far = f
                near = n
            }
            // Overlap the cache misses of the reads ahead, as an event loop can for the
            // connections a poll reported ready: first the connection's state (its parser, path
            // caches inline), then (once that is in cache) its session's slot in the table.
            if let far { EngineConnection.prefetch(connections + far) }
            if let near {
                let nearConnection = connections + near
                if lookups { table.prefetch(mixedHash: nearConnection.pointee.mixedHash) }
                if ledgerLookups { ledger.prefetch(mixedHash: nearConnection.pointee.mixedHash) }
            }
            let connection = connections + c
            let timedRead = countdown == 0
            countdown = timedRead ? sampleEvery - 1 : countdown - 1
            if timedRead && !paced { now = monotonicNanoseconds() }
            let readStart = now
            let chunksBefore = fed.chunks
            let d = reader.fill(
                connection,
                buffer,
                want: min(readSizes.sample(rng.next()), bufferSize),
                paced: paced,
                oneMessage: oneMessage,
                fed: &fed
            )
            feed(&state, connection, d, from: buffer, now: now)
            if timedRead {
                now = recordLatency(
                    &state,
                    &intervals,
                    d,
                    chunks: fed.chunks &- chunksBefore,
                    from: paced ? origin : nil,
                    readStart: readStart
                )
            }
            schedule?.afterRead(c, at: now)
            if state.pipeline.hasDue(at: now) {
                now = monotonicNanoseconds()
                state.pump(now: now)
            }
            if timedRead {
                progress.chunks.store(fed.chunks, ordering: .relaxed)
                intervals.tick(now: now, chunks: fed.chunks, state)
                if now >= deadline { break }
            }
        }
        completeMessages(&state, connections: connections, buffer: buffer, bufferSize: bufferSize, fed: &fed, origin: paced ? origin : nil)
        progress.chunks.store(fed.chunks, ordering: .relaxed)
        intervals.close(chunks: fed.chunks, state)
        before.record(into: &result, state, start: start, end: monotonicNanoseconds())
        result.intervals = intervals.samples
        result.fed += fed
        result.releases = schedule?.releases ?? 0
        result.blockedReleases = schedule?.blockedReleases ?? 0
        result.tailBuffers = tailPool.count
    }

    /// Records a timed read's latency (``LatencyHistograms``) and returns the time it ended.
    /// Paced (`origin` given), from when the message the read began in was due (coordinated
    /// omission corrected); else the read's service time.
    @inline(__always)
    func recordLatency(
        _ state: inout EngineState,
        _ intervals: inout IntervalRecorder,
        _ d: ReadDelivery,
        chunks: UInt64,
        from origin: Int64?,
        readStart: Int64
    ) -> Int64 {
        let t = monotonicNanoseconds()
        let from = origin.map { $0 &+ d.firstDue } ?? readStart
        if chunks > 0 {
            state.latency.chunk.recordClamped(t &- from, count: chunks)
            intervals.latency.recordClamped(t &- from, count: chunks)
        }
        if d.messagesCompleted > 0 {
            if let origin {
                state.latency.message.recordClamped(t &- (origin &+ d.firstDue))
                if d.messagesCompleted > 1 {
                    state.latency.message.recordClamped(t &- (origin &+ d.secondDue))
                }
            } else {
                state.latency.message.recordClamped(t &- readStart, count: UInt64(d.messagesCompleted))
            }
        }
        return t
    }

    /// Nothing to read: handles charging's timers and waits, sleeping when the next due
    /// message is more than 200 µs away (at most until `limit`).
    func idle(_ state: inout EngineState, _ schedule: PacingSchedule, now: Int64, until limit: Int64) {
        var wake = min(limit, schedule.nextOccupied(limit: 4096))
        if let due = state.pipeline.nextDue { wake = min(wake, due) }
        let wait = wake &- now
        if wait > 200_000 { usleep(UInt32(min(wait - 100_000, state.longestSleep) / 1000)) }
    }

    /// Every connection that stopped inside a message gets the rest of it. Paced (`origin`
    /// given), its chunks are timed from when the message was due, as every paced read is.
    func completeMessages(
        _ state: inout EngineState,
        connections: UnsafeMutablePointer<EngineConnection>,
        buffer: UnsafeMutableRawPointer,
        bufferSize: Int,
        fed: inout TrafficCounts,
        origin: Int64?
    ) {
        for c in 0..<count where connections[c].offset != 0 {
            let connection = connections + c
            let chunksBefore = fed.chunks
            let d = reader.fill(
                connection,
                buffer,
                want: bufferSize,
                paced: false,
                oneMessage: true,
                fed: &fed
            )
            let now = monotonicNanoseconds()
            feed(&state, connection, d, from: buffer, now: now)
            if let origin, fed.chunks > chunksBefore {
                let t = monotonicNanoseconds()
                state.latency.chunk.recordClamped(t &- (origin &+ d.firstDue), count: fed.chunks &- chunksBefore)
                state.latency.message.recordClamped(t &- (origin &+ d.firstDue))
            }
            if state.pipeline.hasDue(at: now) { state.pump(now: now) }
        }
    }

    /// Hands what `fill` put in `buffer` to the connection's parser as one read: a pooled
    /// buffer lent first if the read splits a frame, the connection's "a chunk of this message
    /// was refused" flag carried through the pipeline, the buffer taken back after.
    @inline(__always)
    func feed(
        _ state: inout EngineState,
        _ connection: UnsafeMutablePointer<EngineConnection>,
        _ d: ReadDelivery,
        from buffer: UnsafeMutableRawPointer,
        now: Int64
    ) {
        if d.endsInsideFrame { lendTail(connection) }
        state.refusedInMessage = connection.pointee.flags.contains(.refusedInMessage)
        state.read(UnsafeRawBufferPointer(start: buffer, count: d.bytes), &connection.pointee.parser, now: now)
        if state.refusedInMessage != connection.pointee.flags.contains(.refusedInMessage) {
            connection.pointee.flags.formSymmetricDifference(.refusedInMessage)
        }
        takeTail(connection)
    }

    /// Lends the connection's parser a buffer of the pool for the frame the read splits (the
    /// stream says so: the read ends between two of its message's chunk ends); makes one when
    /// the pool is empty (sized for the largest frame, so it never grows).
    @inline(__always)
    func lendTail(_ connection: UnsafeMutablePointer<EngineConnection>) {
        guard !connection.pointee.flags.contains(.holdsTail) else { return }
        var spare = tailPool.popLast() ?? makeTailBuffer()
        if connection.pointee.parser.exchangeTailStorage(&spare) {
            connection.pointee.flags.insert(.holdsTail)
        } else {
            tailPool.append(spare)
        }
    }

    /// Takes the buffer back when the read ended at a frame boundary.
    @inline(__always)
    func takeTail(_ connection: UnsafeMutablePointer<EngineConnection>) {
        guard connection.pointee.flags.contains(.holdsTail) || connection.pointee.offset != 0 else { return }
        guard connection.pointee.parser.isAtFrameBoundary else {
            connection.pointee.flags.insert(.holdsTail)
            return
        }
        guard connection.pointee.flags.contains(.holdsTail) else { return }
        var storage: [UInt8] = []
        if connection.pointee.parser.exchangeTailStorage(&storage) {
            tailPool.append(storage)
        }
        connection.pointee.flags.remove(.holdsTail)
    }
}

/// What the timed phase's totals count from: the thread's CPU time and preemptions, and the
/// embedded enabler's estimated work, when the phase began.
struct TimedPhaseStart {
    let preemptions: Int
    let cpu: Int64
    let enablerNanoseconds: Double
    let enablerRequests: UInt64

    init(_ state: borrowing EngineState) {
        preemptions = threadPreemptions()
        cpu = threadCPUNanoseconds()
        enablerNanoseconds = state.pipeline.dispatcher.client.estimatedNanoseconds
        enablerRequests = state.pipeline.dispatcher.client.requests
    }

    func record(into result: inout WorkerResult, _ state: borrowing EngineState, start: Int64, end: Int64) {
        result.preemptions = threadPreemptions() - preemptions
        result.timedCPUNanoseconds += threadCPUNanoseconds() - cpu
        result.enablerNanoseconds += state.pipeline.dispatcher.client.estimatedNanoseconds - enablerNanoseconds
        result.enablerRequests &+= state.pipeline.dispatcher.client.requests &- enablerRequests
        result.timedStart = start
        result.timedEnd = end
    }
}
