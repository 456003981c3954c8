import Synchronization

/// The optional global ceiling on CH-1 interims per second, shared by all worker threads.
///
/// A token bucket written as the generic cell rate algorithm (GCRA, ITU-T I.371): one atomic
/// "theoretical arrival time" instead of a token count and a refill time, so a decision is one
/// load and, when admitted, one compare-and-swap, with no lock. It is only consulted for a
/// trigger that the per-session interval already let through, so it is off the per-chunk path.
public final class InterimCeiling: Sendable {
    /// Nanoseconds between admitted requests at the ceiling rate.
    public let emissionInterval: Int64
    /// How far ahead of `now` the arrival time may run: `(burst - 1)` emission intervals.
    public let tolerance: Int64
    @usableFromInline let theoreticalArrival = Atomic<Int64>(.min)

    public init(perSecond: Double, burst: Int) {
        precondition(perSecond > 0 && burst >= 1)
        emissionInterval = max(1, Int64((1e9 / perSecond).rounded()))
        tolerance = emissionInterval * Int64(burst - 1)
    }

    /// Takes one token at `now`; false when the bucket is empty.
    @inlinable
    public func admit(now: Int64) -> Bool {
        var tat = theoreticalArrival.load(ordering: .relaxed)
        while true {
            let start = max(tat, now)
            if start - now > tolerance { return false }
            let (exchanged, original) = theoreticalArrival.compareExchange(
                expected: tat,
                desired: start + emissionInterval,
                ordering: .relaxed
            )
            if exchanged { return true }
            tat = original
        }
    }
}
