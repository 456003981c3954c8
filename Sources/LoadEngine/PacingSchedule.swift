import Charging
import MSRP

/// When each connection's next message is due, for a paced run (`--message-interval`,
/// `--rate`): a timing wheel (each slot a list threaded through the connections), and the
/// queue of connections with released bytes to read, in the order they became ready,
/// as an event loop learns of readable sockets.
///
/// Each session is open-loop (as wrk2's connections are): message n+1 is due one gap after
/// message n was due, however late the engine reads it, and latency counts from the due time,
/// so a slow engine shows as latency and not as a slower schedule (no coordinated omission).
/// Times count from the start of the timed phase (``origin``). A message is never released
/// before it is due: the engine waits out the rest of its slot. A connection holds at most
/// two released, unread messages; a third waits, still due at its
/// own time, until one of them is read. With `--rate`, a gate gives each message, in the
/// order they fall due, the next slot of the global rate (by its chunks); the later of the
/// two times is when the message is due.
///
/// A wheel rather than a heap: ten million sessions a worker would cost a heap ~23 cache
/// misses per message; a slot costs one. Two levels: fine slots of 16 µs for the next second,
/// and coarse buckets of 1 ms for the next 4.5 minutes, each moved into the fine slots when it
/// comes within the second, one bucket a millisecond (so no step moves more than a
/// millisecond's messages: a one-level wheel that took its far entries back each revolution
/// stalled the worker for tens of milliseconds at a time). Dues past the coarse horizon wait
/// in a list that is looked at each coarse revolution. One worker's: its properties are exempt
/// from dynamic exclusivity checks. A class, so that the worker's calls work on it in
/// place (an optional struct in a class property is copied out and back on each call).
final class PacingSchedule {
    static let none = UInt32.max
    /// Fine slots: 16.4 µs each, 65 536 of them (1.07 s).
    static let slotShift: Int64 = 14
    static let slotCount = 1 << 16
    /// Coarse buckets: 64 fine slots (1.05 ms) each, 262 144 of them (275 s).
    static let bucketShift: Int64 = 6
    static let bucketCount = 1 << 18
    /// How far ahead of the cursor (in fine slots) a bucket is moved into the fine slots.
    static let lead: Int64 = Int64(slotCount) - 2 << bucketShift

    let connections: UnsafeMutablePointer<EngineConnection>
    let count: Int
    /// The start of the timed phase: every time the schedule keeps (and the connections'
    /// dues) counts from here, so the schedule can be built before the start is known.
    @exclusivity(unchecked) var origin: Int64 = 0
    let slots: UnsafeMutablePointer<UInt32>
    let buckets: UnsafeMutablePointer<UInt32>
    /// The next slot (absolute: time >> slotShift) to fire.
    @exclusivity(unchecked) var cursor: Int64
    /// The next bucket (absolute) to move into the fine slots: dues in earlier buckets go
    /// straight to the fine slots.
    @exclusivity(unchecked) var drained: Int64
    /// Connections due beyond the coarse horizon, looked at each coarse revolution.
    @exclusivity(unchecked) var overflow = PacingSchedule.none
    let ready: UnsafeMutablePointer<UInt32>
    let readyMask: Int
    @exclusivity(unchecked) var readyHead = 0
    @exclusivity(unchecked) var readyTail = 0
    let interval: AnswerLatency
    let salt: UInt64
    /// Nanoseconds per chunk at this worker's share of `--rate`; nil: no gate.
    let nanosecondsPerChunk: Double?
    @exclusivity(unchecked) var rateClock: Double
    let reader: StreamReader
    /// Messages released (their due time came), and those that waited for a read first.
    @exclusivity(unchecked) var releases: UInt64 = 0
    @exclusivity(unchecked) var blockedReleases: UInt64 = 0

    init(
        connections: UnsafeMutablePointer<EngineConnection>,
        count: Int,
        interval: AnswerLatency,
        nanosecondsPerChunk: Double?,
        seed: UInt64,
        reader: StreamReader
    ) {
        self.connections = connections
        self.count = count
        self.interval = interval
        self.nanosecondsPerChunk = nanosecondsPerChunk
        self.reader = reader
        salt = SplitMix64.mix(seed &+ 0x632B_E59B_D9B4_E019)
        rateClock = 0
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Self.none, count: Self.slotCount)
        buckets = .allocate(capacity: Self.bucketCount)
        buckets.initialize(repeating: Self.none, count: Self.bucketCount)
        drained = (Self.lead >> Self.bucketShift) + 1
        var capacity = 1
        while capacity < count { capacity <<= 1 }
        ready = .allocate(capacity: capacity)
        readyMask = capacity - 1
        cursor = 0
        for c in 0..<count {
            let p = connections + c
            p.pointee.nextDue = firstDue(p.pointee.session)
            insert(UInt32(c), at: p.pointee.nextDue)
        }
    }

    deinit {
        slots.deallocate()
        buckets.deallocate()
        ready.deallocate()
    }

    /// When the session's first message is due: as if it had been sending for ever, so that
    /// the run starts in the steady state rather than with a burst. That is the residual of
    /// a gap: a gap drawn in proportion to its length (an observer is likelier to land in a
    /// long one), and a uniform point within it; for an exponential gap, just another draw.
    func firstDue(_ session: UInt32) -> Int64 {
        var rng = SplitMix64(seed: salt ^ UInt64(session) &* 0x2545_F491_4F6C_DD1D)
        switch interval {
        case .exponential:
            return interval.sample(rng.unit())
        case .fixed(let d):
            return Int64(rng.unit() * Double(d))
        case .uniform(_, let hi):
            guard hi > 0 else { return 0 }
            while true {
                let g = interval.sample(rng.unit())
                if rng.unit() * Double(hi) <= Double(g) { return Int64(rng.unit() * Double(g)) }
            }
        }
    }

    /// The gap before message `n + 1` of `session` (a hash of both: the same run, the same gaps).
    @inline(__always)
    func gap(_ session: UInt32, _ n: UInt32) -> Int64 {
        let h = TrafficBuilder.hash(salt, session: UInt64(session), n)
        return interval.sample(Double(h >> 11) * 0x1p-53)
    }

    @inline(__always)
    func insert(_ c: UInt32, at due: Int64) {
        let p = connections + Int(c)
        let slot = max(due >> Self.slotShift, cursor)
        let bucket = slot >> Self.bucketShift
        if bucket < drained {
            let s = Int(slot) & (Self.slotCount - 1)
            p.pointee.link = slots[s]
            slots[s] = c
        } else if bucket &- drained < Int64(Self.bucketCount) {
            let b = Int(bucket) & (Self.bucketCount - 1)
            p.pointee.link = buckets[b]
            buckets[b] = c
        } else {
            p.pointee.link = overflow
            overflow = c
        }
    }

    // MARK: The ready queue

    var hasReady: Bool { readyHead != readyTail }

    @inline(__always)
    func pushReady(_ c: UInt32) {
        connections[Int(c)].flags.insert(.ready)
        ready[readyTail & readyMask] = c
        readyTail &+= 1
    }

    @inline(__always)
    func popReady() -> Int {
        let c = ready[readyHead & readyMask]
        readyHead &+= 1
        connections[Int(c)].flags.remove(.ready)
        return Int(c)
    }

    /// The connection `ahead` places behind the head of the ready queue, if there is one (to
    /// prefetch it).
    @inline(__always)
    func peekReady(_ ahead: Int) -> Int? {
        readyHead &+ ahead < readyTail ? Int(ready[(readyHead &+ ahead) & readyMask]) : nil
    }

    // MARK: Time

    /// Fires every slot up to `time` (absolute).
    func advance(to time: Int64) {
        let now = time &- origin
        let target = now >> Self.slotShift
        while cursor <= target {
            let s = Int(cursor) & (Self.slotCount - 1)
            while slots[s] != Self.none {
                let c = slots[s]
                slots[s] = connections[Int(c)].link
                connections[Int(c)].link = Self.none
                fire(c, now: now)
            }
            cursor &+= 1
            while drained << Self.bucketShift <= cursor &+ Self.lead { drain() }
        }
    }

    /// Moves the next bucket into the fine slots.
    func drain() {
        let b = Int(drained) & (Self.bucketCount - 1)
        var c = buckets[b]
        buckets[b] = Self.none
        drained &+= 1
        while c != Self.none {
            let next = connections[Int(c)].link
            insert(c, at: connections[Int(c)].nextDue)
            c = next
        }
        if b == Self.bucketCount - 1 { reinsertOverflow() }
    }

    /// When (absolute) the next occupied slot starts, looking at most `limit` slots ahead;
    /// the end of that look-ahead if none is.
    func nextOccupied(limit: Int) -> Int64 {
        var slot = cursor
        let end = cursor &+ Int64(limit)
        while slot < end {
            if slots[Int(slot) & (Self.slotCount - 1)] != Self.none { break }
            slot &+= 1
        }
        return origin &+ (slot << Self.slotShift)
    }

    func reinsertOverflow() {
        var c = overflow
        overflow = Self.none
        while c != Self.none {
            let next = connections[Int(c)].link
            insert(c, at: connections[Int(c)].nextDue)
            c = next
        }
    }

    /// Connection `c`'s next message is due: through the rate gate, then released unless two
    /// are unread already. `now` counts from ``origin``.
    @inline(__always)
    func fire(_ c: UInt32, now: Int64) {
        let p = connections + Int(c)
        if let ns = nanosecondsPerChunk, !p.pointee.flags.contains(.reserved) {
            let chunks = reader.template(session: p.pointee.session, message: p.pointee.released).pointee.chunks
            let at = max(Double(p.pointee.nextDue), rateClock)
            rateClock = at + Double(chunks) * ns
            p.pointee.nextDue = Int64(at)
            p.pointee.flags.insert(.reserved)
            if p.pointee.nextDue > now {
                insert(c, at: p.pointee.nextDue)
                return
            }
        }
        if p.pointee.unread >= 2 {
            p.pointee.flags.insert(.blocked)
            return
        }
        if p.pointee.flags.contains(.blocked) { blockedReleases &+= 1 }
        p.pointee.flags.remove([.reserved, .blocked])
        if p.pointee.unread == 0 {
            p.pointee.headDue = p.pointee.nextDue
        } else {
            p.pointee.secondDue = p.pointee.nextDue
        }
        p.pointee.released &+= 1
        releases &+= 1
        p.pointee.nextDue &+= gap(p.pointee.session, p.pointee.released)
        insert(c, at: p.pointee.nextDue)
        if !p.pointee.flags.contains(.ready) { pushReady(c) }
    }

    /// After a read of `c`: releases its waiting message if a slot freed, and queues it again
    /// while it has bytes to read (after the connections already ready, as an event loop
    /// goes round them).
    @inline(__always)
    func afterRead(_ c: Int, at time: Int64) {
        let p = connections + c
        if p.pointee.flags.contains(.blocked) && p.pointee.unread < 2 { fire(UInt32(c), now: time &- origin) }
        if p.pointee.unread > 0 && !p.pointee.flags.contains(.ready) { pushReady(UInt32(c)) }
    }
}
