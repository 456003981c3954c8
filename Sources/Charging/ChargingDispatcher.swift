/// A request the owner has sent and not yet seen acknowledged: an accounting record is kept
/// until the enabler acknowledges it (RFC 6733 §9.4), a credit-control request until its
/// answer or the end of its failure handling.
@usableFromInline
struct InFlightRecord: BitwiseCopyable, Sendable {
    /// The latest transmission.
    @usableFromInline var request: ChargingRequest
    /// Bumped each time the slot is reused, so a stale timer or answer cannot match.
    @usableFromInline var generation: UInt32
    @usableFromInline var live: Bool
    /// Tx expired for the latest transmission and none followed: an answer now is late.
    @usableFromInline var expired: Bool

    @inlinable init(request: ChargingRequest, generation: UInt32) {
        self.request = request
        self.generation = generation
        live = true
        expired = false
    }
}

/// What the owner must handle next.
public enum ChargingEvent: Sendable {
    /// The answer to the request of that correlation (its latest transmission), sent at
    /// `sentAt` (for the round trip). `late`: Tx had expired and no retransmission was out, so
    /// the session already followed its failure handling. The answer names its session and
    /// echoes the request's kind, number and attempt, so the request itself is not carried:
    /// an event is copied out of the dispatcher and into the owner's switch, and every byte
    /// of it is copied per request.
    case answer(ChargingAnswer, sentAt: Int64, late: Bool)
    /// Tx expired for `request`'s latest transmission.
    case timeout(ChargingRequest)
    /// A session's charging timer.
    case timer(SessionTimer)
}

/// Figures of a dispatcher, for the report.
public struct DispatcherCounters: Sendable, Equatable {
    /// Answers whose record was already acknowledged (a duplicate of an answered
    /// retransmission) or forgotten (after the late window): dropped.
    public var unmatchedAnswers: UInt64 = 0
    /// Timed-out records given up without an answer at the end of the late window.
    public var forgotten: UInt64 = 0
    /// Requests handed to the client, first transmissions and retransmissions.
    public var sent: UInt64 = 0
    public var answersTaken: UInt64 = 0

    public init() {}

    public static func += (a: inout DispatcherCounters, b: DispatcherCounters) {
        a.unmatchedAnswers &+= b.unmatchedAnswers
        a.forgotten &+= b.forgotten
        a.sent &+= b.sent
        a.answersTaken &+= b.answersTaken
    }
}

/// One owner's side of the asynchronous enabler seam: sends requests through the client,
/// keeps each in flight until it is answered, runs the Tx timers and the sessions' charging
/// timers from ``ChargingTimers`` (two rings and a heap behind one `pop`), and hands the owner
/// one ``ChargingEvent`` at a time.
///
/// The owner (one thread: a bench worker, an event loop) is the only one that touches it; the
/// client's answers reach it through ``answers``, a lock-free queue, so nothing on the parse
/// path takes a lock for them. Answers are matched to their record by
/// ``ChargingRequest/correlation`` (slot and generation), as a Diameter client matches by
/// Hop-by-Hop Identifier: whichever of the answer and the Tx timer comes first decides, so an
/// answer later than Tx is delivered as late, never dropped silently.
public struct ChargingDispatcher<Client: ChargingEnablerClient>: Sendable {
    public let client: Client
    public let txTimeout: Int64
    public let answers: ChargingAnswerQueue
    @usableFromInline var records: Slab<InFlightRecord>
    @usableFromInline var deliveries: Slab<ChargingAnswer>
    @usableFromInline var sessionTimers: Slab<SessionTimer>
    @usableFromInline var timers: ChargingTimers
    public var counters = DispatcherCounters()

    /// - Parameters:
    ///   - capacity: requests in flight expected at once (the structures grow past it).
    ///   - sessions: sessions expected at once: each may hold a charging timer (an interim
    ///     flush, a Validity-Time), so room for them is made up front (memory mapped, not just
    ///     reserved) rather than grown, copied and faulted in while the owner is busy.
    public init(
        client: Client,
        txTimeout: Int64,
        capacity: Int = 1024,
        sessions: Int = 0,
        answers: ChargingAnswerQueue? = nil
    ) {
        self.client = client
        self.txTimeout = txTimeout
        self.answers = answers ?? ChargingAnswerQueue(capacity: max(1024, capacity))
        records = Slab(capacity: capacity)
        deliveries = Slab(capacity: capacity)
        sessionTimers = Slab(capacity: capacity + sessions, touched: sessions)
        timers = ChargingTimers(capacity: 4 * capacity, sessionTimers: sessions)
        client.attach(self.answers)
    }

    /// Requests sent and not yet acknowledged or given up.
    public var inFlight: Int { records.count }

    /// The earliest time something is due; `Int64.min` when answers wait in the queue.
    @inlinable
    public var nextDue: Int64? {
        answers.hasWaiting ? .min : timers.nextDue
    }

    /// Whether anything is due at `now`: one compare, and a look at the queue.
    @inlinable @inline(__always)
    public func hasDue(at now: Int64) -> Bool {
        timers.earliest <= now || answers.hasWaiting
    }

    /// Sends `request`: a first transmission gets a record and a correlation; a
    /// retransmission (attempt > 1, the correlation of the first) takes the record over. Tx
    /// starts now either way.
    @inlinable
    public mutating func send(_ request: ChargingRequest) {
        var r = request
        let index: UInt32
        if r.attempt > 1, let i = match(r.correlation) {
            index = i
            let p = records.pointer(i)
            p.pointee.request = r
            p.pointee.expired = false
        } else {
            // A reused slot keeps its generation, bumped when it was freed.
            let next = records.nextIndex
            let generation = records.contains(next) ? records.pointer(next).pointee.generation : 0
            r.correlation = UInt64(next) | UInt64(generation) << 32
            index = records.insert(InFlightRecord(request: r, generation: generation))
        }
        counters.sent &+= 1
        let deadline = r.sentAt &+ txTimeout
        if let d = client.send(r, answers: answers) {
            counters.answersTaken &+= 1
            schedule(d)
            // An answer that will be taken within Tx makes this transmission's Tx timer
            // stale before it could fire: it is not armed at all.
            if d.arrivesAt > deadline { timers.schedule(.transmission, at: deadline, index: index, tag: tag(index)) }
        } else {
            timers.schedule(.transmission, at: deadline, index: index, tag: tag(index))
        }
        takeAnswers()
    }

    /// An answer to take at its arrival time.
    @inlinable
    mutating func schedule(_ d: ChargingAnswerDelivery) {
        let i = deliveries.insert(d.answer)
        timers.schedule(.delivery, at: d.arrivesAt, index: i)
    }

    /// A timer's check that the record is still the one it was armed for, at the same
    /// transmission: the generation (24 bits) and the attempt.
    @inlinable
    func tag(_ i: UInt32) -> UInt32 {
        let p = records.pointer(i)
        return p.pointee.generation &<< 8 | UInt32(p.pointee.request.attempt)
    }

    /// Arms a session's charging timer.
    @inlinable
    public mutating func arm(_ timer: SessionTimer) {
        let i = sessionTimers.insert(timer)
        timers.schedule(.session, at: timer.due, index: i)
    }

    /// The record a correlation names, if it is still in flight.
    @inlinable
    func match(_ correlation: UInt64) -> UInt32? {
        let index = UInt32(truncatingIfNeeded: correlation)
        let generation = UInt32(truncatingIfNeeded: correlation >> 32)
        guard records.contains(index) else { return nil }
        let p = records.pointer(index)
        return p.pointee.live && p.pointee.generation == generation ? index : nil
    }

    /// Moves the answers waiting in the queue into the timers, each at its arrival time.
    @inlinable
    mutating func takeAnswers() {
        while let d = answers.pop() {
            counters.answersTaken &+= 1
            schedule(d)
        }
    }

    /// The next event due at or before `now`, or nil. Inlined into the owner's loop, so the
    /// event is built where the owner's switch reads it rather than copied out of a call.
    @inlinable @inline(__always)
    public mutating func next(dueBy now: Int64) -> ChargingEvent? {
        takeAnswers()
        while let e = timers.pop(dueBy: now) {
            switch e.kind {
            case .delivery:
                let answer = deliveries.remove(e.index)
                guard let i = match(answer.correlation) else {
                    counters.unmatchedAnswers &+= 1
                    continue
                }
                let p = records.pointer(i)
                let late = p.pointee.expired
                let sentAt = p.pointee.request.sentAt
                free(i)
                return .answer(answer, sentAt: sentAt, late: late)
            case .transmission:
                guard records.contains(e.index) else { continue }
                let p = records.pointer(e.index)
                guard p.pointee.live, !p.pointee.expired, tag(e.index) == e.tag else { continue }
                p.pointee.expired = true
                // If the owner sends no retransmission, the record waits one more Tx for a
                // late answer, then is forgotten.
                timers.schedule(.lateWindow, at: now &+ txTimeout, index: e.index, tag: e.tag)
                return .timeout(p.pointee.request)
            case .lateWindow:
                let p = records.pointer(e.index)
                guard p.pointee.live, p.pointee.expired, tag(e.index) == e.tag else { continue }
                counters.forgotten &+= 1
                free(e.index)
            case .session:
                return .timer(sessionTimers.remove(e.index))
            }
        }
        return nil
    }

    @inlinable
    mutating func free(_ i: UInt32) {
        let p = records.pointer(i)
        p.pointee.live = false
        p.pointee.generation &+= 1
        records.free.append(i)
    }
}
