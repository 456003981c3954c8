import CAtomics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An answer on its way to the owner of its session, with when it reaches the owner.
public struct ChargingAnswerDelivery: Sendable, BitwiseCopyable {
    public var answer: ChargingAnswer
    /// When the answer is to be taken (nanoseconds on the owner's clock): 0 for "as soon as
    /// the owner looks", which is what a network client uses. The embedded enabler puts its
    /// simulated latency here.
    public var arrivesAt: Int64

    @inlinable
    public init(_ answer: ChargingAnswer, arrivesAt: Int64 = 0) {
        self.answer = answer
        self.arrivesAt = arrivesAt
    }
}

/// Where an enabler client puts answers for one owner (a bench worker, an event loop): many
/// producers on any thread, one consumer, the owner. A ``BoundedMPSCQueue`` of deliveries.
public typealias ChargingAnswerQueue = BoundedMPSCQueue<ChargingAnswerDelivery>

extension BoundedMPSCQueue where Element == ChargingAnswerDelivery {
    /// - Parameter capacity: rounded up to a power of two.
    public convenience init(capacity: Int = 1 << 14) {
        self.init(
            capacity: capacity,
            filler: ChargingAnswerDelivery(ChargingAnswer(kind: .offlineStart, session: SessionKey.empty, number: 0))
        )
    }
}

/// A bounded queue with many producers on any thread and one consumer: a ring of cells with a
/// sequence word each (D. Vyukov's bounded queue): a push is one compare-and-swap on the tail
/// and a release store; a pop, the consumer's alone, is an acquire load and a release store.
/// No lock, and no allocation after the ring is made. Answers go to their owner through one
/// (``ChargingAnswerQueue``), requests to a Diameter peer's event loop through another.
///
/// A producer that finds the ring full waits (yielding the CPU) rather than drop an element:
/// elements carry charging data. That wait is only for producers the consumer never waits on:
/// an event loop that feeds a ring its own loop drains, or one whose consumer may be waiting
/// for that loop, uses ``tryPush(_:)`` and keeps what did not fit itself (a Diameter peer does).
/// The answer queue's owner takes answers out after every send, so answers made on the owner's
/// own thread (the embedded enabler) never fill it.
public final class BoundedMPSCQueue<Element: BitwiseCopyable>: @unchecked Sendable {
    @usableFromInline struct Cell {
        @usableFromInline var sequence: UInt64
        @usableFromInline var element: Element
    }

    @usableFromInline let cells: UnsafeMutablePointer<Cell>
    @usableFromInline let mask: UInt64
    /// The producers' position, alone on its cache line.
    @usableFromInline let tail: UnsafeMutablePointer<UInt64>
    /// The consumer's position (only the owner touches it).
    @exclusivity(unchecked) @usableFromInline var head: UInt64 = 0

    /// - Parameters:
    ///   - capacity: rounded up to a power of two.
    ///   - filler: any value, written in every cell before its first use.
    public init(capacity: Int, filler: Element) {
        var n = 2
        while n < capacity { n <<= 1 }
        cells = .allocate(capacity: n)
        for i in 0..<n {
            (cells + i).initialize(
                to: Cell(sequence: UInt64(i), element: filler)
            )
        }
        mask = UInt64(n - 1)
        let words = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 64)
        words.initializeMemory(as: UInt64.self, repeating: 0, count: 16)
        tail = words.assumingMemoryBound(to: UInt64.self)
    }

    deinit {
        cells.deinitialize(count: Int(mask) + 1)
        cells.deallocate()
        UnsafeMutableRawPointer(tail).deallocate()
    }

    public var capacity: Int { Int(mask) + 1 }

    @inlinable
    static func sequenceWord(_ cell: UnsafeMutablePointer<Cell>) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutableRawPointer(cell).assumingMemoryBound(to: UInt64.self)
    }

    /// Puts an element in unless the ring is full; from any thread. A thread that also
    /// consumes the ring (or whose consumer waits for it) uses this, never ``push(_:)``.
    @inlinable
    public func tryPush(_ element: Element) -> Bool {
        var pos = msrpcharge_load_relaxed(tail)
        while true {
            let cell = cells + Int(pos & mask)
            let seq = msrpcharge_load_acquire(Self.sequenceWord(cell))
            let dif = Int64(bitPattern: seq &- pos)
            if dif == 0 {
                if msrpcharge_cas(tail, &pos, pos &+ 1) {
                    cell.pointee.element = element
                    msrpcharge_store_release(Self.sequenceWord(cell), pos &+ 1)
                    return true
                }
            } else if dif < 0 {
                return false
            } else {
                pos = msrpcharge_load_relaxed(tail)
            }
        }
    }

    /// Puts an element in; from any thread but the consumer's, and only where the consumer
    /// never waits for the caller (the caller yields until there is room).
    @inlinable
    public func push(_ element: Element) {
        // Full: the consumer has not taken elements out yet. Wait for it.
        while !tryPush(element) { sched_yield() }
    }

    /// Whether an element waits; the consumer's thread only.
    @inlinable
    public var hasWaiting: Bool {
        msrpcharge_load_acquire(Self.sequenceWord(cells + Int(head & mask))) == head &+ 1
    }

    /// Takes the oldest element out; the consumer's thread only. Nil when the ring is empty.
    @inlinable
    public func pop() -> Element? {
        let cell = cells + Int(head & mask)
        let seq = msrpcharge_load_acquire(Self.sequenceWord(cell))
        guard seq == head &+ 1 else { return nil }
        let element = cell.pointee.element
        msrpcharge_store_release(Self.sequenceWord(cell), head &+ mask &+ 1)
        head &+= 1
        return element
    }
}
