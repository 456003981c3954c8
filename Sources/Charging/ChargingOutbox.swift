/// What the IM server must do next at the SIP level, in the order the seed flows give.
public enum SessionEvent: Sendable, Hashable, BitwiseCopyable {
    /// Forward the INVITE to the recipient(s).
    case forwardInvite
    /// Send (or forward) the SIP 200 OK to the originating client.
    case okToOriginator
    /// Refuse the INVITE (no forward); the Diameter result code says why.
    case rejectInvite(resultCode: UInt32)
    /// End the established session (SIP BYE): charging ended it.
    case endSession(resultCode: UInt32)
}

/// A SIP-level step for one session: the session it concerns travels with it, so the IM
/// server (or the engine's simulated SIP leg) needs no bookkeeping of its own to find it.
public struct SessionSignal: Sendable, Hashable, BitwiseCopyable {
    public var session: SessionKey
    public var event: SessionEvent

    @inlinable
    public init(_ event: SessionEvent, session: SessionKey) {
        self.session = session
        self.event = event
    }
}

/// The two charging timers a session can have (one timer structure per owner holds them).
public enum SessionTimerKind: UInt8, Sendable, Hashable, BitwiseCopyable {
    /// Usage the interim limiter held back is reported at most one interval late, even when
    /// the session sends nothing more (RFC 6733 §9.8.2: the client reports at the interval).
    case interimFlush
    /// The granted units' Validity-Time ends: ask for new units without waiting for traffic
    /// (RFC 4006 §8.33, §5.6.1).
    case validity
}

/// A timer the Charging Enabler User asks its owner to arm.
public struct SessionTimer: Sendable, Hashable, BitwiseCopyable {
    public var kind: SessionTimerKind
    public var session: SessionKey
    public var due: Int64

    @inlinable
    public init(_ kind: SessionTimerKind, session: SessionKey, due: Int64) {
        self.kind = kind
        self.session = session
        self.due = due
    }
}

/// One step the Charging Enabler User asks for: a charging request to send, a SIP signal,
/// or a timer to arm.
public enum ChargingAction: Sendable, Hashable, BitwiseCopyable {
    case request(ChargingRequest)
    case signal(SessionSignal)
    case timer(SessionTimer)
}

/// Counters a worker keeps for its own sessions (merged at the end, never shared while
/// running, so the hot path touches no shared cache line).
public struct ChargingCounters: Sendable {
    /// Requests sent, indexed by ``ChargingRequestKind/rawValue``, first transmissions only.
    public var requests = InlineArray<6, UInt64>(repeating: 0)
    public var retransmissions: UInt64 = 0
    /// Last-chunk triggers (one per completed message of an open offline session).
    public var interimTriggers: UInt64 = 0
    /// Triggers inside the interim interval: their usage waits for a later request.
    public var suppressedByInterval: UInt64 = 0
    /// Triggers refused by the global ceiling.
    public var suppressedByCeiling: UInt64 = 0
    /// Usage that suppressed triggers carried over into a later request.
    public var carriedOver = ChargingUsage.zero
    /// CH-2 answers that refused units, and set-ups refused.
    public var denials: UInt64 = 0
    /// Tx timeouts seen.
    public var timeouts: UInt64 = 0
    /// Requests given up after ``ChargingConfiguration/maximumAttempts``: their usage may be
    /// lost, which the conservation check then shows.
    public var abandoned: UInt64 = 0
    /// Sessions ended by charging (denial, final units, failure handling).
    public var sessionsEndedByCharging: UInt64 = 0
    /// Chunks refused because charging had ended their session.
    public var chunksRefused: UInt64 = 0
    /// Interims sent by the flush timer: held-back usage of a session that sent nothing more.
    public var flushedByTimer: UInt64 = 0
    /// CH-2 updates sent because Validity-Time ran out, not because of traffic.
    public var validityExpiries: UInt64 = 0
    /// Answers that arrived after Tx had expired and no retransmission was out.
    public var lateAnswers: UInt64 = 0
    /// Late CH-2 grants taken up by a session running without credit control (CONTINUE).
    public var lateGrantsAdopted: UInt64 = 0
    /// Late CH-2 grants for a set-up already refused: released with a termination.
    public var lateGrantsReleased: UInt64 = 0
    /// Set-ups refused on a CCA-I after which the enabler still held a credit-control session
    /// (``ChargingAnswer/enablerHoldsSession``): each closed with a termination.
    public var reservationsClosed: UInt64 = 0

    public init() {}

    @inlinable
    public func sent(_ kind: ChargingRequestKind) -> UInt64 { requests[Int(kind.rawValue)] }

    @inlinable
    mutating func count(_ kind: ChargingRequestKind) { requests[Int(kind.rawValue)] &+= 1 }

    public var totalRequests: UInt64 { ChargingRequestKind.allCases.reduce(0) { $0 + sent($1) } }

    /// Merges another worker's counters into these.
    public static func += (a: inout ChargingCounters, b: ChargingCounters) {
        for i in a.requests.indices { a.requests[i] += b.requests[i] }
        a.retransmissions += b.retransmissions
        a.interimTriggers += b.interimTriggers
        a.suppressedByInterval += b.suppressedByInterval
        a.suppressedByCeiling += b.suppressedByCeiling
        a.carriedOver += b.carriedOver
        a.denials += b.denials
        a.timeouts += b.timeouts
        a.abandoned += b.abandoned
        a.sessionsEndedByCharging += b.sessionsEndedByCharging
        a.chunksRefused += b.chunksRefused
        a.flushedByTimer += b.flushedByTimer
        a.validityExpiries += b.validityExpiries
        a.lateAnswers += b.lateAnswers
        a.lateGrantsAdopted += b.lateGrantsAdopted
        a.lateGrantsReleased += b.lateGrantsReleased
        a.reservationsClosed += b.reservationsClosed
    }
}

/// The actions of one ``ChargingOutbox``, in order: plain memory of their own, so that
/// appending one and emptying the list are a store and a count (an array's append checked
/// its buffer's uniqueness, and its `removeAll(keepingCapacity:)` ran a range replacement, once
/// per charging request). One owner; copies share the memory, as the outbox is never copied
/// but passed `inout`.
public struct ChargingActions: RandomAccessCollection, Sendable {
    @usableFromInline let buffer: BitwiseBuffer<ChargingAction>

    @inlinable init(capacity: Int) { buffer = BitwiseBuffer(capacity: capacity) }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { buffer.count }
    @inlinable public subscript(_ i: Int) -> ChargingAction { buffer[i] }

    /// The action at `i` in place, so that a switch over it reads its payload where it lies.
    @inlinable package func pointer(_ i: Int) -> UnsafePointer<ChargingAction> { UnsafePointer(buffer.base + i) }

    @inlinable mutating func append(_ a: ChargingAction) { buffer.append(a) }
    @inlinable mutating func removeAll() { buffer.count = 0 }
}

/// Where the Charging Enabler User puts what it decides: actions in order, and counters.
///
/// The caller owns it and empties it after each event (``drain()`` keeps the capacity), so
/// appending never allocates once it has grown to the largest burst.
public struct ChargingOutbox: Sendable {
    /// What the Charging Enabler User asked for since the last ``drain()``.
    @inlinable public var actions: ChargingActions { pending }
    @usableFromInline var pending: ChargingActions
    public var counters = ChargingCounters()

    public init(capacity: Int = 16) { pending = ChargingActions(capacity: capacity) }

    @inlinable
    mutating func send(_ request: ChargingRequest) {
        if request.attempt == 1 { counters.count(request.kind) } else { counters.retransmissions &+= 1 }
        pending.append(.request(request))
    }

    @inlinable
    mutating func signal(_ e: SessionEvent, _ key: SessionKey) {
        pending.append(.signal(SessionSignal(e, session: key)))
    }

    @inlinable
    mutating func arm(_ kind: SessionTimerKind, _ key: SessionKey, at due: Int64) {
        pending.append(.timer(SessionTimer(kind, session: key, due: due)))
    }

    /// Whether the Charging Enabler User asked for anything since the last ``drain()``.
    @inlinable public var isEmpty: Bool { actions.isEmpty }

    /// Actions waiting since the last ``drain()``.
    @inlinable public var count: Int { actions.count }

    /// Forgets the actions (keeping their memory); counters stay.
    @inlinable
    public mutating func drain() { pending.removeAll() }
}
