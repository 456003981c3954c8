import CAtomics

/// A request on its way from its owner (a bench worker, a server's event loop) to the loop that
/// talks to a peer, with the queue its answer goes to.
public struct QueuedChargingRequest: BitwiseCopyable {
    public var request: ChargingRequest
    /// An unretained ``ChargingAnswerQueue`` (``RemoteEnablerClient/attach(_:)`` keeps every
    /// owner's queue alive); nil only in the ring's unused cells.
    public var answers: UnsafeMutableRawPointer?

    @inlinable
    public init(request: ChargingRequest, answers: UnsafeMutableRawPointer?) {
        self.request = request
        self.answers = answers
    }
}

/// The owners' side of one enabler peer (RFC 6733 §9.4's bounded queue of requests waiting for
/// a peer): a ring any thread pushes into and only the peer's loop drains, the words that say
/// whether the peer is open and whether its loop sleeps, and the back-pressure when the ring is
/// full. It knows nothing of sockets: the binding that owns the loop (DiameterNIO's peer) drains
/// the ring and says how its loop is woken (``scheduleDrain``, ``scheduleHandOver``).
///
/// Owners only push and, when the loop is asleep on an open connection, wake it once (once per
/// wake-up, not per request): no allocation per request on their side. A full ring pushes the
/// owner back: it sleeps on a futex the loop wakes when it takes requests out
/// (``madeRoom()``), counted in ``queueFullWaits``, and after ``queueWait`` gives the request up
/// to its own Tx (which retransmits it, to the next peer) rather than wait without end. Nothing
/// is dropped here.
public final class ChargingPeerQueue: @unchecked Sendable {
    /// Requests from the owners; while the peer is not open they wait here.
    public let ring: BoundedMPSCQueue<QueuedChargingRequest>
    /// 1 while a drain is scheduled or the peer is not open (owners need not wake the loop), 0
    /// when the loop sleeps on an open connection.
    @usableFromInline let wake: UnsafeMutablePointer<UInt64>
    /// 1 while the peer is open, for owners choosing a peer.
    @usableFromInline let openWord: UnsafeMutablePointer<UInt64>
    /// Words the owners share with the loop, on their own cache line. The first 64-bit word
    /// holds two 32-bit ones: a futex sequence the loop bumps when it took requests out while
    /// owners wait, and how many wait. Then 64-bit words: [1] waits, [2] requests given up after
    /// ``queueWait``, [3] whether a hand-over is scheduled.
    @usableFromInline let pressure: UnsafeMutableRawPointer
    /// How long an owner waits for room in a full ring before it gives the request up.
    public let queueWait: Int64
    /// Asks the peer's loop to drain the ring (set once by the binding, before any request).
    public var scheduleDrain: @Sendable () -> Void = {}
    /// Asks the peer's loop to move the ring of a closed peer to an open one (set once by the
    /// binding, before any request).
    public var scheduleHandOver: @Sendable () -> Void = {}

    @usableFromInline var roomWord: UnsafeMutablePointer<UInt32> { pressure.assumingMemoryBound(to: UInt32.self) }
    @usableFromInline var waitersWord: UnsafeMutablePointer<UInt32> {
        pressure.assumingMemoryBound(to: UInt32.self) + 1
    }
    @usableFromInline var waitCount: UnsafeMutablePointer<UInt64> { pressure.assumingMemoryBound(to: UInt64.self) + 1 }
    @usableFromInline var giveUpCount: UnsafeMutablePointer<UInt64> {
        pressure.assumingMemoryBound(to: UInt64.self) + 2
    }
    @usableFromInline var handOverWord: UnsafeMutablePointer<UInt64> {
        pressure.assumingMemoryBound(to: UInt64.self) + 3
    }

    /// - Parameter window: the peer's requests in flight at most; the ring holds twice that
    ///   (at least 1024): a request waits in it at most about two windows' round trips. A
    ///   deeper ring only queues requests past their Tx (a saturated peer answers them after
    ///   the owner retransmitted, and the retransmissions load it more); a full one pushes the
    ///   owners back instead.
    public init(window: Int, queueWait: Int64) {
        self.queueWait = queueWait
        pressure = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        pressure.initializeMemory(as: UInt64.self, repeating: 0, count: 8)
        let filler = ChargingRequest(kind: .offlineStart, session: .empty, number: 0, sentAt: 0)
        ring = BoundedMPSCQueue(
            capacity: max(1 << 10, 2 * window),
            filler: QueuedChargingRequest(request: filler, answers: nil)
        )
        let w = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 64)
        w.initializeMemory(as: UInt64.self, repeating: 0, count: 16)
        wake = w.assumingMemoryBound(to: UInt64.self)
        wake.pointee = 1  // not open yet
        openWord = wake + 8  // the second cache line of the same allocation
    }

    deinit {
        UnsafeMutableRawPointer(wake).deallocate()
        pressure.deallocate()
    }

    // MARK: Any thread

    /// Whether the peer is open: requests sent now go out at once.
    @inlinable @inline(__always) public var isOpen: Bool { msrpcharge_load_relaxed(openWord) == 1 }

    /// Times an owner found the ring full and waited for room.
    public var queueFullWaits: UInt64 { msrpcharge_load_relaxed(waitCount) }
    /// Requests an owner gave up to its Tx after ``queueWait`` without room.
    public var queueGiveUps: UInt64 { msrpcharge_load_relaxed(giveUpCount) }

    /// Hands `request` to the peer (from an owner): a push, a fence, and a wake-up of the loop
    /// only when it is asleep on an open connection.
    @inlinable @inline(__always)
    public func enqueue(_ request: ChargingRequest, answers: ChargingAnswerQueue) {
        let o = QueuedChargingRequest(request: request, answers: Unmanaged.passUnretained(answers).toOpaque())
        if !ring.tryPush(o) {
            waitForRoom(o)
            return
        }
        msrpcharge_fence()
        wakeLoopIfAsleep()
        // The owner chose this peer while it was open, and it closed since: the loop's
        // failover may already have moved the ring, so it moves this one too (once per batch).
        if _slowPath(msrpcharge_load_relaxed(openWord) == 0) { requestHandOver() }
    }

    @inline(never) @usableFromInline
    func requestHandOver() {
        if msrpcharge_load_relaxed(handOverWord) == 0 && msrpcharge_exchange(handOverWord, 1) == 0 {
            scheduleHandOver()
        }
    }

    @inlinable @inline(__always)
    func wakeLoopIfAsleep() {
        if msrpcharge_load_relaxed(wake) == 0 && msrpcharge_exchange(wake, 1) == 0 {
            scheduleDrain()
        }
    }

    /// The ring is full (the peer is down, or slower than the owners): the owner sleeps until
    /// the loop takes requests out, at most ``queueWait``. A request still without room then is
    /// given up to the owner's Tx, as a request lost on the way: it is retransmitted with the T
    /// flag to the next peer, never dropped by the peer itself. Never called on the loop.
    @inline(never) @usableFromInline
    func waitForRoom(_ o: QueuedChargingRequest) {
        _ = msrpcharge_fetch_add_relaxed(waitCount, 1)
        let deadline = monotonicNanoseconds() &+ queueWait
        while true {
            let seen = msrpcharge_load_acquire32(roomWord)
            _ = msrpcharge_fetch_add32(waitersWord, 1)
            let pushed = ring.tryPush(o)
            msrpcharge_fence()
            // Open and asleep: make it drain. Not open: it drains when the connection opens.
            wakeLoopIfAsleep()
            if pushed {
                _ = msrpcharge_fetch_add32(waitersWord, UInt32.max)
                // Woken because the peer closed and its ring was handed over: this request
                // must follow the others.
                if msrpcharge_load_relaxed(openWord) == 0 { requestHandOver() }
                return
            }
            let now = monotonicNanoseconds()
            if now >= deadline {
                _ = msrpcharge_fetch_add32(waitersWord, UInt32.max)
                _ = msrpcharge_fetch_add_relaxed(giveUpCount, 1)
                return
            }
            msrpcharge_futex_wait(roomWord, seen, min(deadline &- now, 1_000_000))
            _ = msrpcharge_fetch_add32(waitersWord, UInt32.max)
        }
    }

    // MARK: The peer's loop

    /// The loop took requests out of the ring: wake the owners waiting for room.
    @inline(__always)
    public func madeRoom() {
        msrpcharge_fence()
        if msrpcharge_load_acquire32(waitersWord) != 0 {
            _ = msrpcharge_fetch_add32(roomWord, 1)
            msrpcharge_futex_wake_all(roomWord)
        }
    }

    /// The peer opened (its capabilities exchange is done): owners choose it again.
    public func markOpen() { msrpcharge_store_release(openWord, 1) }

    /// The peer closed: owners choose another, and none wakes the loop for this one.
    public func markClosed() {
        msrpcharge_store_release(openWord, 0)
        msrpcharge_store_release(wake, 1)
    }

    /// The loop will look at the ring again itself (a drain is scheduled, or the window is
    /// full and answers resume it): owners need not wake it.
    @inline(__always)
    public func holdWakeUps() { msrpcharge_store_release(wake, 1) }

    /// The loop is about to drain and then sleep: the next owner to push wakes it. The fence
    /// orders the flag before the ring's reading, so a push after it is seen or wakes.
    @inline(__always)
    public func acceptWakeUps() {
        msrpcharge_store_relaxed(wake, 0)
        msrpcharge_fence()
    }

    /// Whether owners hold off waking the loop (``holdWakeUps()``).
    @inline(__always)
    public var wakeUpsHeld: Bool { msrpcharge_load_acquire(wake) == 1 }

    /// The scheduled hand-over runs: a later push to the closed peer schedules another. The
    /// fence orders the flag's clearing before the ring's reading.
    public func handOverStarted() {
        msrpcharge_store_release(handOverWord, 0)
        msrpcharge_fence()
    }
}
