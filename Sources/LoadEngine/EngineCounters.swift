import Charging
import ChargingPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Nanoseconds one ``monotonicNanoseconds()`` read takes on this machine: 100 000 reads timed
/// as one batch (a run reports it beside its sampling note).
public func clockReadCost() -> Double {
    let n = 100_000
    let start = monotonicNanoseconds()
    var sink: Int64 = 0
    for _ in 0..<n { sink &+= monotonicNanoseconds() & 1 }
    let end = monotonicNanoseconds()
    return Double(end - start + (sink & 0)) / Double(n)
}

/// What one worker did with the traffic it was fed: the pipeline's counts of frames,
/// responses and usage (read through as `counters.chunks`, …), and the bench's own.
@dynamicMemberLookup
public struct EngineCounters: Sendable, Equatable {
    /// The pipeline's counts (chunks, messages, bytes, accepted usage, responses by status).
    public var frames = PipelineCounters()
    /// Bytes fed to the parser, and the reads that carried them.
    public var wireBytes: UInt64 = 0
    public var reads: UInt64 = 0
    public var parseErrors: UInt64 = 0
    /// LF bytes found by the `scan` stage.
    public var scannedLines: UInt64 = 0
    /// Sessions that charging ended during the run (the engine's SIP leg would send a BYE).
    public var sessionsEnded: UInt64 = 0

    public init() {}

    public subscript<T>(dynamicMember path: KeyPath<PipelineCounters, T>) -> T { frames[keyPath: path] }

    public static func += (a: inout EngineCounters, b: EngineCounters) {
        a.frames += b.frames
        a.wireBytes &+= b.wireBytes
        a.reads &+= b.reads
        a.parseErrors &+= b.parseErrors
        a.scannedLines &+= b.scannedLines
        a.sessionsEnded &+= b.sessionsEnded
    }
}
