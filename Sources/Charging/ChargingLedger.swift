/// What the embedded Charging Enabler recorded for one session.
public struct LedgerEntry: Sendable, BitwiseCopyable {
    /// CH-1 usage recorded (duplicates dropped).
    public var offline = ChargingUsage.zero
    /// CH-2 Used-Service-Unit recorded (duplicates dropped).
    public var onlineUnits: UInt64 = 0
    /// Units granted so far, against ``EmbeddedEnablerConfiguration/creditPerSession``.
    public var unitsGranted: UInt64 = 0
    /// The last grant, repeated in the answer to a duplicate.
    public var lastGrant: UInt64 = 0
    public var offlineNumbers = DuplicateWindow()
    public var onlineNumbers = DuplicateWindow()
    public var duplicates: UInt32 = 0
    // The flags last, together: 112 bytes an entry rather than 128 with padding between.
    public var lastGrantFinal = false
    public var offlineStarted = false
    public var offlineStopped = false
    public var onlineInitiated = false
    public var onlineTerminated = false

    public init() {}

    /// Records `r`'s usage unless its number was seen before (a retransmission, RFC 6733
    /// §9.4); returns whether it was new. Both the embedded enabler and a Diameter client's
    /// record of acknowledged requests go through here.
    @inlinable
    public mutating func recordUsage(_ r: ChargingRequest) -> Bool {
        if r.kind.isOffline {
            guard offlineNumbers.firstTime(r.number) else {
                duplicates &+= 1
                return false
            }
            if r.usageIsSessionTotal {
                // A session total: later records hold earlier ones' usage, so the largest is
                // the session's, in whatever order the records came.
                offline.formMaximum(r.usage)
            } else {
                offline += r.usage
            }
            if r.kind == .offlineStart { offlineStarted = true }
            if r.kind == .offlineStop { offlineStopped = true }
            return true
        }
        guard onlineNumbers.firstTime(r.number) else {
            duplicates &+= 1
            return false
        }
        onlineUnits &+= r.usedUnits
        if r.kind == .onlineInitial { onlineInitiated = true }
        if r.kind == .onlineTermination { onlineTerminated = true }
        return true
    }
}

/// The enabler's ledger: one entry per session, in a sharded ``SessionTable`` (worker threads
/// submit concurrently), and totals summed shard by shard.
public final class ChargingLedger: Sendable {
    public let entries: SessionTable<LedgerEntry>

    public init(expectedSessions: Int) {
        entries = SessionTable(shardCount: 64, expectedSessions: expectedSessions)
    }

    deinit {
        // The duplicate windows' holes (``DuplicateWindow``): the table's copies are the owners.
        entries.forEach { _, e in
            var e = e
            e.offlineNumbers.release()
            e.onlineNumbers.release()
        }
    }

    public func entry(_ key: SessionKey) -> LedgerEntry? { entries.lookup(key) }

    /// Records a request its enabler acknowledged (a client's own ledger: what the enabler
    /// said it charged), duplicates dropped.
    @inlinable
    public func acknowledge(_ request: ChargingRequest) {
        entries.upsert(request.session, LedgerEntry()) { e in _ = e.recordUsage(request) }
    }

    /// Everything recorded, summed over sessions.
    public struct Totals: Sendable, Equatable {
        public var sessions = 0
        public var offline = ChargingUsage.zero
        public var onlineUnits: UInt64 = 0
        public var duplicates: UInt64 = 0
        public var windowOverflows: UInt64 = 0
        /// Sessions with a CH-1 start but no stop, or a CH-2 initial but no termination.
        public var offlineOpen = 0
        public var onlineOpen = 0

        public init() {}
    }

    public var totals: Totals {
        var t = Totals()
        entries.forEach { _, e in
            t.sessions += 1
            t.offline += e.offline
            t.onlineUnits += e.onlineUnits
            t.duplicates += UInt64(e.duplicates)
            t.windowOverflows += UInt64(e.offlineNumbers.overflows + e.onlineNumbers.overflows)
            if e.offlineStarted && !e.offlineStopped { t.offlineOpen += 1 }
            if e.onlineInitiated && !e.onlineTerminated { t.onlineOpen += 1 }
        }
        return t
    }
}
