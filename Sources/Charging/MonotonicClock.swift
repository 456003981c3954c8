#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The monotonic clock, in nanoseconds: the one clock the engine's workers and the Diameter
/// event loops share (a request's `sentAt` and an answer's arrival are compared). A read costs
/// a share of a chunk's time (each run measures it: `clockReadCost()`), so the hot path reads
/// it once per timed read, not per chunk.
@inlinable @inline(__always)
public func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}
