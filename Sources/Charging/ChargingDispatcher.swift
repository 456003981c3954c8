/// Something due later for a request in flight: its answer, or its Tx timeout.
public struct PendingReply: Sendable, BitwiseCopyable {
    public var due: Int64
    /// Tie-breaker: equal due times come out in the order they went in.
    public var sequence: UInt64
    public var request: ChargingRequest
    /// Nil for a Tx timeout.
    public var answer: ChargingAnswer?

    @inlinable
    public init(due: Int64, sequence: UInt64, request: ChargingRequest, answer: ChargingAnswer?) {
        self.due = due
        self.sequence = sequence
        self.request = request
        self.answer = answer
    }
}

/// Hands a Charging Enabler User's requests to an enabler and keeps each one's reply until it
/// is due: the answer at its arrival time if that is within Tx (RFC 4006 §13), else a timeout
/// at `sentAt + Tx`. A binary min-heap on the due time; one per worker thread (not shared).
///
/// Generic over the enabler, so `submit` is a direct, specialised call.
public struct ChargingDispatcher<Enabler: ChargingEnabler>: Sendable {
    public let enabler: Enabler
    public let txTimeout: Int64
    @usableFromInline var heap: [PendingReply] = []
    @usableFromInline var sequence: UInt64 = 0

    public init(enabler: Enabler, txTimeout: Int64, capacity: Int = 1024) {
        self.enabler = enabler
        self.txTimeout = txTimeout
        heap.reserveCapacity(capacity)
    }

    /// The earliest due time, if anything is in flight.
    public var nextDue: Int64? { heap.first?.due }

    /// Sends `request`; its reply will come out of ``next(dueBy:)``.
    @inlinable
    public mutating func send(_ request: ChargingRequest) {
        switch enabler.submit(request) {
        case .answered(let answer, let arrivesAt) where arrivesAt &- request.sentAt <= txTimeout:
            push(PendingReply(due: arrivesAt, sequence: sequence, request: request, answer: answer))
        default:
            push(PendingReply(due: request.sentAt &+ txTimeout, sequence: sequence, request: request, answer: nil))
        }
        sequence &+= 1
    }

    /// The earliest reply due at or before `now`, removed; nil if none is due.
    @inlinable
    public mutating func next(dueBy now: Int64) -> PendingReply? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    @inlinable
    static func before(_ a: PendingReply, _ b: PendingReply) -> Bool {
        a.due < b.due || (a.due == b.due && a.sequence < b.sequence)
    }

    @inlinable
    mutating func push(_ p: PendingReply) {
        heap.append(p)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var m = l
            if l + 1 < n && Self.before(heap[l + 1], heap[l]) { m = l + 1 }
            guard Self.before(heap[m], heap[i]) else { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
