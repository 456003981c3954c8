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
/// producers on any thread, one consumer, the owner. A bounded ring of cells with a sequence
/// word each (D. Vyukov's bounded queue): a push is one compare-and-swap on the tail and a
/// release store; a pop, the owner's alone, is an acquire load and a release store. No lock,
/// and no allocation after the ring is made.
///
/// A producer that finds the ring full waits (yielding the CPU) rather than drop an answer:
/// answers carry charging data. The owner's dispatcher takes answers out after every send, so
/// answers made on the owner's own thread (the embedded enabler) never fill it.
public final class ChargingAnswerQueue: @unchecked Sendable {
    @usableFromInline struct Cell {
        @usableFromInline var sequence: UInt64
        @usableFromInline var delivery: ChargingAnswerDelivery
    }

    @usableFromInline let cells: UnsafeMutablePointer<Cell>
    @usableFromInline let mask: UInt64
    /// The producers' position, alone on its cache line.
    @usableFromInline let tail: UnsafeMutablePointer<UInt64>
    /// The consumer's position (only the owner touches it).
    @exclusivity(unchecked) @usableFromInline var head: UInt64 = 0

    /// - Parameter capacity: rounded up to a power of two.
    public init(capacity: Int = 1 << 14) {
        var n = 2
        while n < capacity { n <<= 1 }
        cells = .allocate(capacity: n)
        for i in 0..<n {
            (cells + i).initialize(
                to: Cell(
                    sequence: UInt64(i),
                    delivery: ChargingAnswerDelivery(
                        ChargingAnswer(kind: .offlineStart, session: SessionKey.empty, number: 0)
                    )
                )
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

    /// Puts an answer in; from any thread.
    @inlinable
    public func push(_ delivery: ChargingAnswerDelivery) {
        var pos = msrpcharge_load_relaxed(tail)
        while true {
            let cell = cells + Int(pos & mask)
            let seq = msrpcharge_load_acquire(Self.sequenceWord(cell))
            let dif = Int64(bitPattern: seq &- pos)
            if dif == 0 {
                if msrpcharge_cas(tail, &pos, pos &+ 1) {
                    cell.pointee.delivery = delivery
                    msrpcharge_store_release(Self.sequenceWord(cell), pos &+ 1)
                    return
                }
            } else if dif < 0 {
                // Full: the owner has not taken answers out yet. Wait for it.
                sched_yield()
                pos = msrpcharge_load_relaxed(tail)
            } else {
                pos = msrpcharge_load_relaxed(tail)
            }
        }
    }

    /// Whether an answer waits; the owner's thread only.
    @inlinable
    public var hasWaiting: Bool {
        msrpcharge_load_acquire(Self.sequenceWord(cells + Int(head & mask))) == head &+ 1
    }

    /// Takes the oldest answer out; the owner's thread only. Nil when the ring is empty.
    @inlinable
    public func pop() -> ChargingAnswerDelivery? {
        let cell = cells + Int(head & mask)
        let seq = msrpcharge_load_acquire(Self.sequenceWord(cell))
        guard seq == head &+ 1 else { return nil }
        let delivery = cell.pointee.delivery
        msrpcharge_store_release(Self.sequenceWord(cell), head &+ mask &+ 1)
        head &+= 1
        return delivery
    }
}
