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

/// The owner's one timer structure: a binary min-heap of ``TimerEntry`` on the due time.
/// Every timer of the owner's sessions and requests is an entry here; none is an object of
/// its own, and none is cancelled (a stale entry finds nothing to do when it comes due).
@usableFromInline
struct ChargingTimers: Sendable {
    @usableFromInline let heap: BitwiseBuffer<TimerEntry>
    @usableFromInline var sequence: UInt32 = 0
    /// The root's due time, kept beside the heap (`Int64.max` when empty): the owner asks for
    /// it after every turn, and this is one load instead of a walk to the heap's memory.
    @usableFromInline var earliest = Int64.max

    @inlinable init(capacity: Int) { heap = BitwiseBuffer(capacity: capacity) }

    @inlinable var nextDue: Int64? { earliest == .max ? nil : earliest }
    @inlinable var count: Int { heap.count }

    @inlinable
    mutating func schedule(_ kind: TimerKind, at due: Int64, index: UInt32, tag: UInt32 = 0) {
        let e = TimerEntry(due: due, sequence: sequence, index: index, tag: tag, kind: kind)
        sequence &+= 1
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard TimerEntry.before(e, heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
        if due < earliest { earliest = due }
    }

    /// The earliest entry due at or before `now`, removed.
    @inlinable
    mutating func pop(dueBy now: Int64) -> TimerEntry? {
        guard earliest <= now else { return nil }
        let first = heap[0]
        let last = heap.removeLast()
        if heap.count > 0 {
            siftDown(last)
            earliest = heap[0].due
        } else {
            earliest = .max
        }
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
