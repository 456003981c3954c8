/// Where a session is in CH-1 (offline charging).
public enum OfflinePhase: UInt8, Sendable, BitwiseCopyable {
    /// No CH-1 start sent yet (the session is not established).
    case idle
    /// CH-1 start sent; interims may follow.
    case open
    /// CH-1 stop sent.
    case closed
}

/// Where a session is in CH-2 (online charging).
public enum OnlinePhase: UInt8, Sendable, BitwiseCopyable {
    case idle
    /// CH-2 initial sent, no answer yet: the set-up waits.
    case reserving
    /// Units granted (or credit control dropped after a timeout under CONTINUE).
    case open
    /// CH-2 update sent, no answer yet. Traffic goes on and is counted.
    case updating
    /// The session was ended by charging (denial, final units used, failure handling).
    case terminated
    /// CH-2 termination sent (or the set-up was refused: nothing to terminate).
    case closed
}

/// The charging state of one session, kept in the session table. Plain bits, so a slot of the
/// table holds it inline.
public struct ChargingSession: Sendable, BitwiseCopyable {
    // CH-1
    @usableFromInline package var offline: OfflinePhase = .idle
    @usableFromInline package var online: OnlinePhase = .idle
    /// CH-2: no quota checks (after a timeout under CONTINUE); usage is still counted.
    @usableFromInline package var uncontrolled = false
    /// CH-2: the granted units are the last (Final-Unit-Indication).
    @usableFromInline package var finalUnits = false
    /// The session ended (SIP BYE, or MSRP teardown): no chunk is accepted after it, whatever
    /// the charging mode, so no usage can arrive that no request would carry.
    @usableFromInline package var ended = false
    /// CH-1: a suppressed trigger's usage waits, and a flush timer is armed for it (one per
    /// session at a time, so that a burst of suppressed triggers arms one timer, not many).
    @usableFromInline package var flushArmed = false
    /// CH-2: the Credit-Control-Failure-Handling the enabler last sent, which overrides the
    /// configured one (RFC 4006 §5.7): 0 for none, else 1 + its index in
    /// `CreditControlFailureHandling.allCases`. Fits the padding before the 32-bit fields.
    @usableFromInline package var failureHandlingOverride: UInt8 = 0
    /// The unit of the grant in force (its usage is reported in it).
    @usableFromInline package var grantUnit = GrantUnit.configured
    /// Accounting-Record-Number of the last CH-1 request.
    @usableFromInline package var recordNumber: UInt32 = 0
    /// CC-Request-Number of the last CH-2 request.
    @usableFromInline package var ccRequestNumber: UInt32 = 0
    /// Accounting-Record-Number of the answer whose Acct-Interim-Interval is in force: an
    /// answer to an older record does not overwrite the interval a newer one set.
    @usableFromInline package var intervalRecord: UInt32 = 0
    /// A time grant's start in hundredths of a second on the monotonic clock, wrapping (its
    /// usage is the time since; a difference is right for grants under 497 days).
    @usableFromInline package var grantedAtCentisecond: UInt32 = 0
    /// The interim interval in force (the enabler's, or the default). `Int64.max` when the
    /// enabler's Acct-Interim-Interval was 0: no interims, only start and stop (RFC 6733
    /// §9.8.2).
    @usableFromInline package var interimInterval: Int64 = 0
    /// When the last interim was sent; at set-up, the start time plus the first-interim jitter.
    @usableFromInline package var lastInterimAt: Int64 = 0
    /// Usage accepted since the last CH-1 request: what the next interim or the stop carries.
    @usableFromInline package var pending = ChargingUsage.zero
    /// `pending.bytes` when the last trigger was looked at: the bytes after it belong to the
    /// next trigger (for counting usage carried over).
    @usableFromInline package var deferredMark: UInt64 = 0
    /// Everything accepted in this session (for the per-session conservation check).
    @usableFromInline package var accepted = ChargingUsage.zero
    // CH-2
    /// Units used since the last CH-2 report.
    @usableFromInline package var unitsUnreported: UInt64 = 0
    /// Units used against the current grant.
    @usableFromInline package var unitsAgainstGrant: UInt64 = 0
    @usableFromInline package var grantedUnits: UInt64 = 0
    /// When the granted units stop being valid (Validity-Time); `Int64.max` for never.
    @usableFromInline package var validUntil: Int64 = .max

    public init() {}

    /// The session accepts chunks: not ended, its CH-1 record not stopped, and not ended
    /// (or not yet allowed) by online charging.
    @inlinable @inline(__always) public var acceptsTraffic: Bool {
        !ended && offline != .closed && online != .terminated && online != .closed && online != .reserving
    }
}
