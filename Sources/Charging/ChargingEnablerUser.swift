import MSRP

/// The Charging Enabler User of the IM server (the seeds' OMA IM charging flows): pure logic,
/// driven by events, with the time passed in (`now`, nanoseconds on the caller's clock: a
/// monotonic clock in the engine, a virtual one in tests). No I/O, no allocation, no lock of
/// its own: each event works on one session's ``ChargingSession`` (in the session table, under
/// its shard's lock) and writes what must happen next into a ``ChargingOutbox``.
///
/// - Offline (CH-1, seed 000 §6.2.3.4): start when the session is established, an interim
///   trigger on the last chunk of each message, a stop with everything not yet reported.
///   Interims are rate limited (``ChargingConfiguration/defaultInterimInterval``, replaced by
///   the enabler's Acct-Interim-Interval, with first-interim jitter and an optional global
///   ceiling); a suppressed trigger's usage waits for the next request. Per session, the
///   usage in all CH-1 requests sums to exactly the usage accepted.
/// - Online (CH-2, seed 001 §6.3.3): a reservation at set-up in the order of the configured
///   ``SessionSetup``, updates when the granted units are used or their validity ends, the
///   end of the session when final units run out, a termination at the end, and
///   Credit-Control-Failure-Handling (RFC 4006 §8.14) when Tx expires.
public final class ChargingEnablerUser: Sendable {
    public let configuration: ChargingConfiguration
    @usableFromInline let ceiling: InterimCeiling?
    @usableFromInline let offline: Bool
    @usableFromInline let online: Bool
    @usableFromInline let unitsAreBytes: Bool

    public init(_ configuration: ChargingConfiguration) {
        self.configuration = configuration
        ceiling = configuration.interimCeilingPerSecond.map {
            InterimCeiling(perSecond: $0, burst: configuration.interimCeilingBurst)
        }
        offline = configuration.mode.offline
        online = configuration.mode.online
        unitsAreBytes = configuration.unit == .bytes
    }

    // MARK: Set-up (SIP)

    /// A SIP INVITE from the originating client.
    public func inviteReceived(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        switch configuration.setup {
        case .oneToOne:
            if online { reserve(&s, key, now: now, &out) } else { out.signal(.forwardInvite, key) }
        case .oneToOneReserveOnAnswer:
            out.signal(.forwardInvite, key)
        case .conference:
            out.signal(.okToOriginator, key)
            if online {
                reserve(&s, key, now: now, &out)
            } else {
                out.signal(.forwardInvite, key)
                establish(&s, key, now: now, &out)
            }
        }
    }

    /// The SIP 200 OK from the recipient (for a conference, from the recipients).
    public func recipientAnswered(
        _ s: inout ChargingSession,
        _ key: SessionKey,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        switch configuration.setup {
        case .oneToOne:
            guard !online || s.online == .open || s.online == .updating else { return }
            out.signal(.okToOriginator, key)
            establish(&s, key, now: now, &out)
        case .oneToOneReserveOnAnswer:
            if online {
                reserve(&s, key, now: now, &out)
            } else {
                out.signal(.okToOriginator, key)
                establish(&s, key, now: now, &out)
            }
        case .conference:
            break
        }
    }

    /// CH-2 start: reserve units before the session may carry traffic.
    func reserve(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        s.online = .reserving
        s.ccRequestNumber = 0
        out.send(
            ChargingRequest(
                kind: .onlineInitial,
                session: key,
                number: 0,
                requestedUnits: configuration.requestedUnits,
                sentAt: now
            )
        )
    }

    /// The reservation succeeded (or was waived): continue the set-up where it waited.
    func reserved(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        switch configuration.setup {
        case .oneToOne:
            out.signal(.forwardInvite, key)
        case .oneToOneReserveOnAnswer:
            out.signal(.okToOriginator, key)
            establish(&s, key, now: now, &out)
        case .conference:
            out.signal(.forwardInvite, key)
            establish(&s, key, now: now, &out)
        }
    }

    /// The reservation was refused (or timed out under terminate): refuse or end the session.
    func refused(_ s: inout ChargingSession, _ key: SessionKey, resultCode: UInt32, _ out: inout ChargingOutbox) {
        s.online = .closed  // nothing was granted, so there is nothing to terminate (RFC 4006 §5.2)
        out.counters.denials &+= 1
        if configuration.setup == .oneToOne {
            out.signal(.rejectInvite(resultCode: resultCode), key)
        } else {
            // The originator already has its 200 OK (conference) or the recipient answered.
            out.counters.sessionsEndedByCharging &+= 1
            out.signal(.endSession(resultCode: resultCode), key)
        }
    }

    /// The session is established: CH-1 start, and the interim clock starts.
    func establish(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        guard offline, s.offline == .idle else { return }
        s.offline = .open
        s.recordNumber = 0
        s.interimInterval = configuration.defaultInterimInterval
        s.lastInterimAt = now &+ jitter(key, s.interimInterval)
        var start = ChargingRequest(kind: .offlineStart, session: key, number: 0, usage: Self.reported(s), sentAt: now)
        start.usageIsSessionTotal = true
        out.send(start)
    }

    /// What the session's CH-1 records have reported so far: everything accepted but what is
    /// pending (the next record's).
    @inlinable
    static func reported(_ s: ChargingSession) -> ChargingUsage {
        ChargingUsage(
            messages: s.accepted.messages &- s.pending.messages,
            abortedMessages: s.accepted.abortedMessages &- s.pending.abortedMessages,
            bytes: s.accepted.bytes &- s.pending.bytes
        )
    }

    /// A share of the interval in [0, firstInterimJitter), taken from the session's hash so
    /// that it is fixed per session and needs no random state shared between threads.
    @inlinable
    func jitter(_ key: SessionKey, _ interval: Int64) -> Int64 {
        guard interval != .max else { return 0 }  // no interims: nothing to spread
        let u = Double((key.mix &* 0x9E37_79B9_7F4A_7C15) >> 11) * 0x1p-53
        return Int64(u * configuration.firstInterimJitter * Double(interval))
    }

    // MARK: MSRP traffic (the hot path)

    /// A chunk of `bodyBytes` accepted in the session: count its usage and run the last-chunk
    /// trigger and the limiter. Returns false, counting nothing, if charging has ended (or not
    /// yet allowed) the session: the caller refuses the chunk.
    ///
    /// The caller sends the chunk's 200 OK (when its Failure-Report asks for one) before any
    /// request this puts in `out`: the seed's trigger is the 200 OK of the last chunk, or the
    /// acceptance of the last chunk when no 200 OK is sent.
    @inlinable
    public func chunkAccepted(
        _ s: inout ChargingSession,
        _ key: SessionKey,
        bodyBytes: Int,
        flag: ContinuationFlag,
        now: Int64,
        _ out: inout ChargingOutbox
    ) -> Bool {
        guard s.acceptsTraffic else {
            out.counters.chunksRefused &+= 1
            return false
        }
        let bytes = UInt64(truncatingIfNeeded: bodyBytes)
        var usage = ChargingUsage(bytes: bytes)
        if flag == .end { usage.messages = 1 } else if flag == .aborted { usage.abortedMessages = 1 }
        s.accepted += usage
        if offline {
            s.pending += usage
            if flag == .end && s.offline == .open { interimTrigger(&s, key, now: now, &out) }
        }
        if online && s.online != .idle {
            let units = unitsAreBytes ? bytes : (flag == .more ? 0 : 1)
            s.unitsUnreported &+= units
            s.unitsAgainstGrant &+= units
            if s.online == .open && !s.uncontrolled
                && (s.unitsAgainstGrant >= s.grantedUnits || now >= s.validUntil)
            {
                quotaReached(&s, key, now: now, &out)
            }
        }
        return true
    }

    /// The last-chunk trigger and the interim-rate limiter.
    @inlinable
    func interimTrigger(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        out.counters.interimTriggers &+= 1
        if now &- s.lastInterimAt < s.interimInterval {
            out.counters.suppressedByInterval &+= 1
            deferTrigger(&s, &out)
            armFlush(&s, key, at: s.lastInterimAt &+ s.interimInterval, &out)
            return
        }
        if let ceiling, !ceiling.admit(now: now) {
            out.counters.suppressedByCeiling &+= 1
            deferTrigger(&s, &out)
            armFlush(&s, key, at: now &+ ceiling.emissionInterval, &out)
            return
        }
        sendInterim(&s, key, now: now, &out)
    }

    @inlinable
    func sendInterim(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        s.recordNumber &+= 1
        s.lastInterimAt = now
        // Rf's usage is the session's total so far (RFC 7155 §4.4); `pending` is this record's.
        var interim = ChargingRequest(
            kind: .offlineInterim,
            session: key,
            number: s.recordNumber,
            usage: s.accepted,
            sentAt: now
        )
        interim.usageIsSessionTotal = true
        out.send(interim)
        s.pending = .zero
        s.deferredMark = 0
        s.flushArmed = false
    }

    /// Arms the session's flush timer for held-back usage, unless one is armed already or the
    /// enabler asked for no interims (then the stop carries the usage).
    @inlinable
    func armFlush(_ s: inout ChargingSession, _ key: SessionKey, at due: Int64, _ out: inout ChargingOutbox) {
        guard !s.flushArmed, s.interimInterval != .max else { return }
        s.flushArmed = true
        out.arm(.interimFlush, key, at: due)
    }

    /// Counts the message (and the bytes since the previous trigger) as carried over.
    @inlinable
    func deferTrigger(_ s: inout ChargingSession, _ out: inout ChargingOutbox) {
        out.counters.carriedOver.messages &+= 1
        out.counters.carriedOver.bytes &+= s.pending.bytes &- s.deferredMark
        s.deferredMark = s.pending.bytes
    }

    /// The granted units are used up, or their validity ended: ask for more, or end the
    /// session if they were the final units (RFC 4006 §5.6.1, Final-Unit-Action TERMINATE).
    @usableFromInline
    func quotaReached(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        // A time grant is used up when its time is (the validity the grant set).
        let exhausted = s.grantUnit == .time ? now >= s.validUntil : s.unitsAgainstGrant >= s.grantedUnits
        if s.finalUnits && exhausted {
            endedByCharging(&s, key, resultCode: ChargingResultCode.creditLimitReached, now: now, &out)
            return
        }
        s.ccRequestNumber &+= 1
        s.online = .updating
        out.send(
            used(
                ChargingRequest(
                    kind: .onlineUpdate,
                    session: key,
                    number: s.ccRequestNumber,
                    usedUnits: s.unitsUnreported,
                    requestedUnits: configuration.requestedUnits,
                    sentAt: now
                ),
                s,
                now: now
            )
        )
        s.unitsUnreported = 0
    }

    /// `request` with its Used-Service-Unit in the unit of the grant in force: a time grant's
    /// seconds since it began (rounded up), else the units counted.
    @inlinable
    func used(_ request: ChargingRequest, _ s: ChargingSession, now: Int64) -> ChargingRequest {
        guard s.grantUnit != .configured else { return request }
        var r = request
        r.usedUnit = s.grantUnit
        if s.grantUnit == .time {
            let since = UInt32(truncatingIfNeeded: now / 10_000_000) &- s.grantedAtCentisecond
            r.usedUnits = (UInt64(since) + 99) / 100
        }
        return r
    }

    /// Charging ends an established session: CH-2 termination with the units not yet
    /// reported, then a BYE. CH-1 stops when the caller ends the session.
    func endedByCharging(
        _ s: inout ChargingSession,
        _ key: SessionKey,
        resultCode: UInt32,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        terminate(&s, key, now: now, &out)
        s.online = .terminated
        out.counters.sessionsEndedByCharging &+= 1
        out.signal(.endSession(resultCode: resultCode), key)
    }

    func terminate(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        s.ccRequestNumber &+= 1
        out.send(
            used(
                ChargingRequest(
                    kind: .onlineTermination,
                    session: key,
                    number: s.ccRequestNumber,
                    usedUnits: s.unitsUnreported,
                    sentAt: now
                ),
                s,
                now: now
            )
        )
        s.unitsUnreported = 0
        s.online = .closed
    }

    // MARK: End

    /// The session ends (SIP BYE, or MSRP teardown): CH-1 stop and CH-2 termination carry
    /// everything not yet reported.
    public func sessionEnded(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        s.ended = true
        s.flushArmed = false
        if offline {
            if s.offline == .idle && !s.pending.isZero {
                // Usage without an established session (should not happen): still report it.
                establish(&s, key, now: now, &out)
            }
            if s.offline == .open {
                s.recordNumber &+= 1
                var stop = ChargingRequest(
                    kind: .offlineStop,
                    session: key,
                    number: s.recordNumber,
                    usage: s.accepted,
                    sentAt: now
                )
                stop.usageIsSessionTotal = true
                out.send(stop)
                s.pending = .zero
                s.deferredMark = 0
                s.offline = .closed
            }
        }
        if online {
            switch s.online {
            case .open, .updating, .reserving:
                terminate(&s, key, now: now, &out)
            case .terminated:
                s.online = .closed
            case .idle, .closed:
                break
            }
        }
    }

    // MARK: Answers and timers

    /// An answer from the enabler, matched to its request by the owner's dispatcher.
    ///
    /// `late` is true when Tx had expired for the request and no retransmission was out: the
    /// session has already moved on under its failure handling (RFC 4006 §5.7). A late CH-2
    /// grant is taken up by a session running without credit control (CONTINUE), and released
    /// with a termination when the set-up was refused meanwhile (TERMINATE), so the enabler
    /// does not keep a reservation nobody uses. Answers that no longer match the session's
    /// state (a session that closed, a request superseded by a newer one) change nothing.
    public func answerReceived(
        _ answer: ChargingAnswer,
        late: Bool = false,
        _ s: inout ChargingSession,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        let key = answer.session
        if late { out.counters.lateAnswers &+= 1 }
        if let handling = answer.failureHandling {
            s.failureHandlingOverride = UInt8(CreditControlFailureHandling.allCases.firstIndex(of: handling)! + 1)
        }
        switch answer.kind {
        case .offlineStart, .offlineInterim:
            guard answer.isSuccess, let interval = answer.interimInterval, answer.number >= s.intervalRecord,
                s.offline == .open
            else { return }
            adoptInterval(interval, record: answer.number, &s, key, now: now, &out)
        case .offlineStop, .onlineTermination:
            break
        case .onlineInitial:
            let granted = answer.isSuccess && (answer.grantedUnits > 0 || answer.finalUnits)
            if s.online == .reserving {
                if granted {
                    grant(answer, &s, key, now: now, &out)
                    reserved(&s, key, now: now, &out)
                } else {
                    refused(
                        &s,
                        key,
                        resultCode: answer.isSuccess ? ChargingResultCode.creditLimitReached : answer.resultCode,
                        &out
                    )
                    if answer.isSuccess || answer.enablerHoldsSession {
                        // The enabler opened a session this one will not use: close it.
                        out.counters.reservationsClosed &+= 1
                        s.ccRequestNumber &+= 1
                        out.send(
                            ChargingRequest(
                                kind: .onlineTermination,
                                session: key,
                                number: s.ccRequestNumber,
                                sentAt: now
                            )
                        )
                    }
                }
            } else if late && granted && answer.number == s.ccRequestNumber {
                if s.online == .open && s.uncontrolled {
                    out.counters.lateGrantsAdopted &+= 1
                    grant(answer, &s, key, now: now, &out)
                    s.unitsAgainstGrant = s.unitsUnreported
                } else if s.online == .closed {
                    // The set-up was refused when Tx expired (TERMINATE): give the units back.
                    out.counters.lateGrantsReleased &+= 1
                    s.ccRequestNumber &+= 1
                    out.send(
                        ChargingRequest(kind: .onlineTermination, session: key, number: s.ccRequestNumber, sentAt: now)
                    )
                }
            }
        case .onlineUpdate:
            // Under CONTINUE a timed-out update leaves the session without credit control; an
            // answer to it (late, or to its retransmission) brings the session back under it.
            let resumes = s.online == .open && s.uncontrolled
            guard s.online == .updating || resumes, answer.number == s.ccRequestNumber else { return }
            if answer.isSuccess && (answer.grantedUnits > 0 || answer.finalUnits) {
                if resumes { out.counters.lateGrantsAdopted &+= 1 }
                grant(answer, &s, key, now: now, &out)
                // Units used while the update was out count against the new grant.
                s.unitsAgainstGrant = s.unitsUnreported
            } else {
                out.counters.denials &+= 1
                endedByCharging(
                    &s,
                    key,
                    resultCode: answer.isSuccess ? ChargingResultCode.creditLimitReached : answer.resultCode,
                    now: now,
                    &out
                )
            }
        }
    }

    /// Takes an answer that cannot change its session's state, without the session: a
    /// successful ACA to a start or an interim with no Acct-Interim-Interval (the client keeps
    /// the interval in force, RFC 6733 §9.8.2), or any answer to a stop or a termination, none
    /// carrying a Credit-Control-Failure-Handling. Returns false, doing nothing, for any other
    /// answer: the caller passes it to ``answerReceived(_:late:_:now:_:)`` with the session.
    ///
    /// Every interim an IM server sends comes back as such an answer when the enabler leaves
    /// the interval alone: this spares each one a second lookup (and shard lock) of a session
    /// the chunk that triggered it touched a round trip earlier.
    @inlinable
    public func answerWithoutSession(_ answer: ChargingAnswer, late: Bool, _ out: inout ChargingOutbox) -> Bool {
        guard answer.failureHandling == nil else { return false }
        switch answer.kind {
        case .offlineStart, .offlineInterim:
            // A failed ACA changes nothing either (the case below returns before any change).
            guard answer.interimInterval == nil || !answer.isSuccess else { return false }
        case .offlineStop, .onlineTermination:
            break
        case .onlineInitial, .onlineUpdate:
            return false
        }
        if late { out.counters.lateAnswers &+= 1 }
        return true
    }

    /// The enabler's Acct-Interim-Interval takes over (RFC 6733 §9.8.2): 0 means no interims,
    /// only start and stop. Before the first interim, the first-interim jitter is taken again
    /// from the new interval, so sessions set up together spread over the enabler's interval.
    func adoptInterval(
        _ interval: Int64,
        record: UInt32,
        _ s: inout ChargingSession,
        _ key: SessionKey,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        let new = interval == 0 ? Int64.max : interval
        s.intervalRecord = record
        guard new != s.interimInterval else { return }
        if s.recordNumber == 0 {
            let startedAt = s.lastInterimAt &- jitter(key, s.interimInterval)
            s.lastInterimAt = startedAt &+ jitter(key, new)
        }
        s.interimInterval = new
        if s.flushArmed && new != .max {
            // The armed timer was for the old interval; one more at the new due time (the
            // earlier one finds the interval not yet elapsed and does nothing).
            s.flushArmed = false
            armFlush(&s, key, at: s.lastInterimAt &+ new, &out)
        }
    }

    func grant(
        _ answer: ChargingAnswer,
        _ s: inout ChargingSession,
        _ key: SessionKey,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        s.online = .open
        s.uncontrolled = false
        s.grantUnit = answer.grantUnit
        s.unitsAgainstGrant = 0
        s.finalUnits = answer.finalUnits
        var validity = answer.validityTime > 0 ? answer.validityTime : Int64.max
        if answer.grantUnit == .time {
            // Seconds of session: any volume until they run out, then an update (or, final,
            // the end) as at Validity-Time's expiry (RFC 4006 §5.1.2).
            s.grantedUnits = .max
            s.grantedAtCentisecond = UInt32(truncatingIfNeeded: now / 10_000_000)
            let seconds = Int64(min(answer.grantedUnits, UInt64(Int64.max / 1_000_000_000)))
            validity = min(validity, seconds &* 1_000_000_000)
        } else {
            s.grantedUnits = answer.grantedUnits
        }
        if validity != .max {
            s.validUntil = now &+ validity
            out.arm(.validity, key, at: s.validUntil)
        } else {
            s.validUntil = .max
        }
    }

    /// A timer of the session's came due (armed through the outbox). Timers are not cancelled:
    /// one that no longer applies (the usage went in a later interim, a newer grant moved the
    /// validity on) finds nothing to do.
    public func timerFired(_ timer: SessionTimer, _ s: inout ChargingSession, now: Int64, _ out: inout ChargingOutbox) {
        let key = timer.session
        switch timer.kind {
        case .interimFlush:
            guard s.flushArmed, s.offline == .open, !s.ended, s.interimInterval != .max else { return }
            let due = s.lastInterimAt &+ s.interimInterval
            if now < due {
                s.flushArmed = false
                armFlush(&s, key, at: due, &out)
                return
            }
            if let ceiling, !ceiling.admit(now: now) {
                s.flushArmed = false
                armFlush(&s, key, at: now &+ ceiling.emissionInterval, &out)
                return
            }
            out.counters.flushedByTimer &+= 1
            sendInterim(&s, key, now: now, &out)
        case .validity:
            guard s.online == .open, !s.uncontrolled, !s.ended, now >= s.validUntil else { return }
            out.counters.validityExpiries &+= 1
            quotaReached(&s, key, now: now, &out)
        }
    }

    /// No answer to `request` within Tx. Requests that carry usage (all CH-1, CH-2 update and
    /// termination) are retransmitted with the same number and the T flag, up to
    /// ``ChargingConfiguration/maximumAttempts`` (each to the next peer, RFC 6733 §5.5.4), so the
    /// enabler can drop a duplicate and no usage is lost; the service itself follows the
    /// failure handling (RFC 4006 §5.7).
    public func timedOut(
        _ request: ChargingRequest,
        _ s: inout ChargingSession,
        now: Int64,
        _ out: inout ChargingOutbox
    ) {
        out.counters.timeouts &+= 1
        let key = request.session
        let canRetry = request.attempt < configuration.maximumAttempts
        func retransmit() {
            var again = request
            again.attempt &+= 1
            again.sentAt = now
            out.send(again)
        }
        switch request.kind {
        case .offlineStart, .offlineInterim, .offlineStop, .onlineTermination:
            if canRetry { retransmit() } else { out.counters.abandoned &+= 1 }
        case .onlineInitial:
            guard s.online == .reserving else { return }
            switch configuration.failureHandling {
            case .continue:
                s.online = .open
                s.uncontrolled = true
                reserved(&s, key, now: now, &out)
            case .terminate:
                refused(&s, key, resultCode: ChargingResultCode.unableToDeliver, &out)
            case .retryThenTerminate:
                if canRetry {
                    retransmit()
                } else {
                    refused(&s, key, resultCode: ChargingResultCode.unableToDeliver, &out)
                }
            }
        case .onlineUpdate:
            if canRetry { retransmit() } else { out.counters.abandoned &+= 1 }
            guard s.online == .updating, request.number == s.ccRequestNumber else { return }
            let handling =
                s.failureHandlingOverride == 0
                ? configuration.failureHandling
                : CreditControlFailureHandling.allCases[Int(s.failureHandlingOverride) - 1]
            switch handling {
            case .continue:
                s.online = .open
                s.uncontrolled = true
            case .terminate:
                endedByCharging(&s, key, resultCode: ChargingResultCode.unableToDeliver, now: now, &out)
            case .retryThenTerminate:
                if !canRetry {
                    endedByCharging(&s, key, resultCode: ChargingResultCode.unableToDeliver, now: now, &out)
                }
            }
        }
    }
}
