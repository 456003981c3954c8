/// What a timer entry stands for.
@usableFromInline
enum TimerKind: UInt8, BitwiseCopyable, Sendable {
    /// An answer taken from the queue whose arrival time is still ahead (the embedded
    /// enabler's simulated latency). Ordered first among equal due times, so that an answer
    /// arriving exactly at Tx beats the timeout.
    case delivery = 0
    /// Tx (RFC 4006 §13, RFC 6733 §5.5.4) of a request in flight, for one attempt.
    case transmission = 1
    /// The end of a timed-out request's wait for a late answer: its record is forgotten.
    case lateWindow = 2
    /// A session's charging timer (``SessionTimer``).
    case session = 3
}

/// One entry of the owner's timer heap: 24 bytes, so moving entries in the heap is cheap;
/// what it refers to lives in a ``Slab`` (`index`), checked against `tag` where the slab
/// entry may have been reused.
@usableFromInline
struct TimerEntry: BitwiseCopyable, Sendable {
    @usableFromInline var due: Int64
    /// Equal due times come out in the order they went in (after ``TimerKind`` order).
    @usableFromInline var sequence: UInt32
    @usableFromInline var index: UInt32
    @usableFromInline var tag: UInt32
    @usableFromInline var kind: TimerKind

    @inlinable init(due: Int64, sequence: UInt32, index: UInt32, tag: UInt32, kind: TimerKind) {
        self.due = due
        self.sequence = sequence
        self.index = index
        self.tag = tag
        self.kind = kind
    }

    @inlinable
    static func before(_ a: TimerEntry, _ b: TimerEntry) -> Bool {
        if a.due != b.due { return a.due < b.due }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        return Int32(bitPattern: a.sequence &- b.sequence) < 0
    }
}

/// The owner's one timer structure. Every timer of the owner's sessions and requests is an
/// entry here; none is an object of its own, and none is cancelled (a stale entry finds
/// nothing to do when it comes due).
///
/// Three queues behind one `pop`, which takes the earliest head: Tx timers and late windows all
/// run for Tx from "now", so they come due in the order they were armed and a FIFO ring holds
/// them (O(1) both ways however many requests are in flight: at a million requests a second
/// with a 2 s Tx a heap would be 2 M entries deep). Answers at their arrival times go in a
/// second ring while they arrive in order (a peer whose latency does not vary answers in the
/// order it was asked: every answer of the embedded enabler at a fixed latency), and in a
/// binary min-heap on the due time when one arrives before the ring's last; the sessions'
/// charging timers go in the heap.
@usableFromInline
struct ChargingTimers: Sendable {
    @usableFromInline let heap: BitwiseBuffer<TimerEntry>
    /// Tx timers and late windows, in the order they come due.
    @usableFromInline let ring: TimerRing
    /// Answers to deliver, while they come in the order they are due.
    @usableFromInline let deliveries: TimerRing
    @usableFromInline var sequence: UInt32 = 0
    /// The earliest due time of both queues, kept beside them (`Int64.max` when both are
    /// empty): the owner asks for it after every turn, and this is one load.
    @usableFromInline var earliest = Int64.max

    /// - Parameters:
    ///   - capacity: timers expected at once in each queue (they grow past it).
    ///   - sessionTimers: timers of sessions (one each at most) expected in the heap: their
    ///     memory is mapped up front (``BitwiseBuffer``).
    @inlinable init(capacity: Int, sessionTimers: Int = 0) {
        heap = BitwiseBuffer(capacity: capacity + sessionTimers, touched: sessionTimers)
        ring = TimerRing(capacity: capacity)
        deliveries = TimerRing(capacity: capacity)
    }

    @inlinable var nextDue: Int64? { earliest == .max ? nil : earliest }

    @inlinable
    mutating func schedule(_ kind: TimerKind, at due: Int64, index: UInt32, tag: UInt32 = 0) {
        let e = TimerEntry(due: due, sequence: sequence, index: index, tag: tag, kind: kind)
        sequence &+= 1
        // Tx timers and late windows run for Tx from "now": in order with the ring's last entry
        // unless the caller's clock stepped back (then, and for every other kind, the heap).
        if (kind == .transmission || kind == .lateWindow) && (ring.count == 0 || !TimerEntry.before(e, ring.lastEntry))
        {
            ring.append(e)
        } else if kind == .delivery && (deliveries.count == 0 || !TimerEntry.before(e, deliveries.lastEntry)) {
            deliveries.append(e)
        } else {
            push(e)
        }
        if due < earliest { earliest = due }
    }

    @inlinable
    func push(_ e: TimerEntry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard TimerEntry.before(e, heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    /// The earliest entry due at or before `now`, removed.
    @inlinable
    mutating func pop(dueBy now: Int64) -> TimerEntry? {
        guard earliest <= now else { return nil }
        // The earliest of the three heads (0: the heap, 1: the Tx ring, 2: the answers' ring).
        var from = 0
        var best = heap.count > 0 ? heap[0] : nil
        if ring.count > 0, best.map({ TimerEntry.before(ring.firstEntry, $0) }) ?? true {
            best = ring.firstEntry
            from = 1
        }
        if deliveries.count > 0, best.map({ TimerEntry.before(deliveries.firstEntry, $0) }) ?? true {
            from = 2
        }
        let first: TimerEntry
        switch from {
        case 1:
            first = ring.removeFirst()
        case 2:
            first = deliveries.removeFirst()
        default:
            first = heap[0]
            let last = heap.removeLast()
            if heap.count > 0 { siftDown(last) }
        }
        let h = heap.count > 0 ? heap[0].due : Int64.max
        let r = ring.count > 0 ? ring.firstEntry.due : Int64.max
        let d = deliveries.count > 0 ? deliveries.firstEntry.due : Int64.max
        earliest = min(h, r, d)
        return first
    }

    /// Puts `e` at the root's place and moves it down.
    @inlinable
    func siftDown(_ e: TimerEntry) {
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var m = l
            if l + 1 < n && TimerEntry.before(heap[l + 1], heap[l]) { m = l + 1 }
            guard TimerEntry.before(heap[m], e) else { break }
            heap[i] = heap[m]
            i = m
        }
        heap[i] = e
    }
}

/// A growable ring of timer entries in arrival order (first in, first out).
@usableFromInline
final class TimerRing: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<TimerEntry>
    @exclusivity(unchecked) @usableFromInline var head = 0
    @exclusivity(unchecked) @usableFromInline var count = 0
    /// A power of two.
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    @usableFromInline init(capacity: Int) {
        var n = 16
        while n < capacity { n <<= 1 }
        self.capacity = n
        base = .allocate(capacity: n)
    }

    deinit { base.deallocate() }

    /// The oldest and the newest entry (the ring is not empty).
    @inlinable var firstEntry: TimerEntry { base[head] }
    @inlinable var lastEntry: TimerEntry { base[(head + count - 1) & (capacity - 1)] }

    @inlinable
    func append(_ e: TimerEntry) {
        if count == capacity { grow() }
        base[(head + count) & (capacity - 1)] = e
        count += 1
    }

    @inlinable
    func removeFirst() -> TimerEntry {
        let e = base[head]
        head = (head + 1) & (capacity - 1)
        count -= 1
        return e
    }

    @usableFromInline @inline(never)
    func grow() {
        let bigger = UnsafeMutablePointer<TimerEntry>.allocate(capacity: capacity * 2)
        for i in 0..<count { (bigger + i).initialize(to: base[(head + i) & (capacity - 1)]) }
        base.deallocate()
        base = bigger
        head = 0
        capacity *= 2
    }
}
