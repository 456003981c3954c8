import Charging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The monotonic clock, in nanoseconds (about 27 ns a read here, so the hot path reads it
/// once per timed read, not per chunk).
@inline(__always)
public func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
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

    public init() {}

    public static func += (a: inout EngineCounters, b: EngineCounters) {
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
