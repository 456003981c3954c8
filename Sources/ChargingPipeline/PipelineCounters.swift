import Charging

/// What one owner's pipeline did with the frames it was given. Kept by the owner alone (never
/// shared while running) and merged at the end.
public struct PipelineCounters: Sendable, Equatable {
    /// SEND requests (chunks) handled, and what they carried.
    public var chunks: UInt64 = 0
    /// Chunks that ended a message with `$`, and with `#`.
    public var messages: UInt64 = 0
    public var abortedMessages: UInt64 = 0
    public var bodyBytes: UInt64 = 0
    /// Chunks accepted (charged), and their usage.
    public var accepted = ChargingUsage.zero
    /// Transaction responses written, by status.
    public var responses200: UInt64 = 0
    public var responses403: UInt64 = 0
    public var responses481: UInt64 = 0
    public var responses501: UInt64 = 0
    /// Responses not sent because the request's Failure-Report said `no` (none at all) or
    /// `partial` (no 200) (RFC 4975 §7.1.2).
    public var responsesWithheld: UInt64 = 0
    /// REPORT requests: not charged, never answered (RFC 4975 §7.1.2).
    public var reports: UInt64 = 0
    /// Requests with a method other than SEND and REPORT: answered 501 (RFC 4975 §7.3).
    public var unknownMethods: UInt64 = 0
    /// Responses received: each ends its transaction and is not charged.
    public var responsesReceived: UInt64 = 0
    /// Sessions ended, and removed from the table.
    public var sessionsEnded: UInt64 = 0
    /// Answers, timeouts and timers that found their session gone and ran against a closed
    /// record (a stop's retransmission, a late answer after the end).
    public var eventsAfterEnd: UInt64 = 0

    public init() {}

    public static func += (a: inout PipelineCounters, b: PipelineCounters) {
        a.chunks &+= b.chunks
        a.messages &+= b.messages
        a.abortedMessages &+= b.abortedMessages
        a.bodyBytes &+= b.bodyBytes
        a.accepted += b.accepted
        a.responses200 &+= b.responses200
        a.responses403 &+= b.responses403
        a.responses481 &+= b.responses481
        a.responses501 &+= b.responses501
        a.responsesWithheld &+= b.responsesWithheld
        a.reports &+= b.reports
        a.unknownMethods &+= b.unknownMethods
        a.responsesReceived &+= b.responsesReceived
        a.sessionsEnded &+= b.sessionsEnded
        a.eventsAfterEnd &+= b.eventsAfterEnd
    }
}

/// A session's last state when it ended, for the conservation check (what it accepted must
/// be what the enabler was charged).
public struct ClosedSession: Sendable, BitwiseCopyable {
    public var session: SessionKey
    public var accepted: ChargingUsage

    @inlinable
    public init(session: SessionKey, accepted: ChargingUsage) {
        self.session = session
        self.accepted = accepted
    }
}
