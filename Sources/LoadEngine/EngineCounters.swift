import Charging
import ChargingPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The monotonic clock, in nanoseconds. A read costs a share of a chunk's time (each run
/// measures it: ``clockReadCost()``), so the hot path reads it once per timed read, not per
/// chunk.
@inline(__always)
public func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}

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

/// What one worker did with the traffic it was fed.
public struct EngineCounters: Sendable, Equatable {
    /// Chunks (SEND requests) parsed.
    public var chunks: UInt64 = 0
    /// Chunks that ended a message with `$`, and with `#`.
    public var messages: UInt64 = 0
    public var abortedMessages: UInt64 = 0
    public var bodyBytes: UInt64 = 0
    /// Bytes fed to the parser.
    public var wireBytes: UInt64 = 0
    public var reads: UInt64 = 0
    /// Responses written, by status.
    public var responses200: UInt64 = 0
    public var responses403: UInt64 = 0
    public var responses481: UInt64 = 0
    /// Chunks accepted by charging (200, whether or not a 200 OK was asked for), and their usage.
    public var accepted = ChargingUsage.zero
    public var parseErrors: UInt64 = 0
    /// LF bytes found by the `scan` stage.
    public var scannedLines: UInt64 = 0
    /// Sessions that charging ended during the run (the engine's SIP leg would send a BYE).
    public var sessionsEnded: UInt64 = 0

    /// REPORT requests, other methods (501) and responses received; responses the
    /// Failure-Report withheld.
    public var reports: UInt64 = 0
    public var unknownMethods: UInt64 = 0
    public var responses501: UInt64 = 0
    public var responsesReceived: UInt64 = 0
    public var responsesWithheld: UInt64 = 0

    public init() {}

    /// Takes the pipeline's counts of frames, responses and usage.
    mutating func take(_ p: PipelineCounters) {
        chunks = p.chunks
        messages = p.messages
        abortedMessages = p.abortedMessages
        bodyBytes = p.bodyBytes
        accepted = p.accepted
        responses200 = p.responses200
        responses403 = p.responses403
        responses481 = p.responses481
        responses501 = p.responses501
        responsesWithheld = p.responsesWithheld
        reports = p.reports
        unknownMethods = p.unknownMethods
        responsesReceived = p.responsesReceived
    }

    public static func += (a: inout EngineCounters, b: EngineCounters) {
        a.reports &+= b.reports
        a.unknownMethods &+= b.unknownMethods
        a.responses501 &+= b.responses501
        a.responsesReceived &+= b.responsesReceived
        a.responsesWithheld &+= b.responsesWithheld
        a.chunks &+= b.chunks
        a.messages &+= b.messages
        a.abortedMessages &+= b.abortedMessages
        a.bodyBytes &+= b.bodyBytes
        a.wireBytes &+= b.wireBytes
        a.reads &+= b.reads
        a.responses200 &+= b.responses200
        a.responses403 &+= b.responses403
        a.responses481 &+= b.responses481
        a.accepted += b.accepted
        a.parseErrors &+= b.parseErrors
        a.scannedLines &+= b.scannedLines
        a.sessionsEnded &+= b.sessionsEnded
    }
}
