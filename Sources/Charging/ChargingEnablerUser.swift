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
            if online { reserve(&s, key, now: now, &out) } else { out.signal(.forwardInvite) }
        case .oneToOneReserveOnAnswer:
            out.signal(.forwardInvite)
        case .conference:
            out.signal(.okToOriginator)
            if online { reserve(&s, key, now: now, &out) } else {
                out.signal(.forwardInvite)
                establish(&s, key, now: now, &out)
            }
        }
    }

    /// The SIP 200 OK from the recipient (for a conference, from the recipients).
    public func recipientAnswered(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        switch configuration.setup {
        case .oneToOne:
            guard !online || s.online == .open || s.online == .updating else { return }
            out.signal(.okToOriginator)
            establish(&s, key, now: now, &out)
        case .oneToOneReserveOnAnswer:
            if online { reserve(&s, key, now: now, &out) } else {
                out.signal(.okToOriginator)
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
        out.send(ChargingRequest(
            kind: .onlineInitial, session: key, number: 0, requestedUnits: configuration.requestedUnits, sentAt: now))
    }

    /// The reservation succeeded (or was waived): continue the set-up where it waited.
    func reserved(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        switch configuration.setup {
        case .oneToOne:
            out.signal(.forwardInvite)
        case .oneToOneReserveOnAnswer:
            out.signal(.okToOriginator)
            establish(&s, key, now: now, &out)
        case .conference:
            out.signal(.forwardInvite)
            establish(&s, key, now: now, &out)
        }
    }

    /// The reservation was refused (or timed out under terminate): refuse or end the session.
    func refused(_ s: inout ChargingSession, resultCode: UInt32, _ out: inout ChargingOutbox) {
        s.online = .closed  // nothing was granted, so there is nothing to terminate (RFC 4006 §5.2)
        out.counters.denials &+= 1
        if configuration.setup == .oneToOne {
            out.signal(.rejectInvite(resultCode: resultCode))
        } else {
            // The originator already has its 200 OK (conference) or the recipient answered.
            out.counters.sessionsEndedByCharging &+= 1
            out.signal(.endSession(resultCode: resultCode))
        }
    }

    /// The session is established: CH-1 start, and the interim clock starts.
    func establish(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        guard offline, s.offline == .idle else { return }
        s.offline = .open
        s.recordNumber = 0
        s.interimInterval = configuration.defaultInterimInterval
        s.lastInterimAt = now &+ jitter(key, s.interimInterval)
        out.send(ChargingRequest(kind: .offlineStart, session: key, number: 0, sentAt: now))
    }

    /// A share of the interval in [0, firstInterimJitter), taken from the session's hash so
    /// that it is fixed per session and needs no random state shared between threads.
    @inlinable
    func jitter(_ key: SessionKey, _ interval: Int64) -> Int64 {
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
        _ s: inout ChargingSession, _ key: SessionKey, bodyBytes: Int, flag: ContinuationFlag,
        now: Int64, _ out: inout ChargingOutbox
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
            return
        }
        if let ceiling, !ceiling.admit(now: now) {
            out.counters.suppressedByCeiling &+= 1
            deferTrigger(&s, &out)
            return
        }
        s.recordNumber &+= 1
        s.lastInterimAt = now
        out.send(ChargingRequest(kind: .offlineInterim, session: key, number: s.recordNumber, usage: s.pending, sentAt: now))
        s.pending = .zero
        s.deferredMark = 0
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
        if s.finalUnits && s.unitsAgainstGrant >= s.grantedUnits {
            endedByCharging(&s, key, resultCode: ChargingResultCode.creditLimitReached, now: now, &out)
            return
        }
        s.ccRequestNumber &+= 1
        s.online = .updating
        out.send(ChargingRequest(
            kind: .onlineUpdate, session: key, number: s.ccRequestNumber, usedUnits: s.unitsUnreported,
            requestedUnits: configuration.requestedUnits, sentAt: now))
        s.unitsUnreported = 0
    }

    /// Charging ends an established session: CH-2 termination with the units not yet
    /// reported, then a BYE. CH-1 stops when the caller ends the session.
    func endedByCharging(
        _ s: inout ChargingSession, _ key: SessionKey, resultCode: UInt32, now: Int64, _ out: inout ChargingOutbox
    ) {
        terminate(&s, key, now: now, &out)
        s.online = .terminated
        out.counters.sessionsEndedByCharging &+= 1
        out.signal(.endSession(resultCode: resultCode))
    }

    func terminate(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        s.ccRequestNumber &+= 1
        out.send(ChargingRequest(
            kind: .onlineTermination, session: key, number: s.ccRequestNumber, usedUnits: s.unitsUnreported, sentAt: now))
        s.unitsUnreported = 0
        s.online = .closed
    }

    // MARK: End

    /// The session ends (SIP BYE, or MSRP teardown): CH-1 stop and CH-2 termination carry
    /// everything not yet reported.
    public func sessionEnded(_ s: inout ChargingSession, _ key: SessionKey, now: Int64, _ out: inout ChargingOutbox) {
        if offline {
            if s.offline == .idle && !s.pending.isZero {
                // Usage without an established session (should not happen): still report it.
                establish(&s, key, now: now, &out)
            }
            if s.offline == .open {
                s.recordNumber &+= 1
                out.send(ChargingRequest(kind: .offlineStop, session: key, number: s.recordNumber, usage: s.pending, sentAt: now))
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

    /// An answer from the enabler. Answers that no longer match the session's state (a late
    /// answer to a retransmitted request, an answer after the session closed) change nothing.
    public func answerReceived(
        _ answer: ChargingAnswer, _ s: inout ChargingSession, now: Int64, _ out: inout ChargingOutbox
    ) {
        let key = answer.session
        switch answer.kind {
        case .offlineStart, .offlineInterim:
            if answer.isSuccess && answer.interimInterval > 0 { s.interimInterval = answer.interimInterval }
        case .offlineStop, .onlineTermination:
            break
        case .onlineInitial:
            guard s.online == .reserving else { return }
            if answer.isSuccess && (answer.grantedUnits > 0 || answer.finalUnits) {
                grant(answer, &s, now: now)
                reserved(&s, key, now: now, &out)
            } else {
                refused(&s, resultCode: answer.isSuccess ? ChargingResultCode.creditLimitReached : answer.resultCode, &out)
            }
        case .onlineUpdate:
            guard s.online == .updating, answer.number == s.ccRequestNumber else { return }
            if answer.isSuccess && (answer.grantedUnits > 0 || answer.finalUnits) {
                grant(answer, &s, now: now)
                // Units used while the update was out count against the new grant.
                s.unitsAgainstGrant = s.unitsUnreported
            } else {
                out.counters.denials &+= 1
                endedByCharging(
                    &s, key, resultCode: answer.isSuccess ? ChargingResultCode.creditLimitReached : answer.resultCode,
                    now: now, &out)
            }
        }
    }

    func grant(_ answer: ChargingAnswer, _ s: inout ChargingSession, now: Int64) {
        s.online = .open
        s.grantedUnits = answer.grantedUnits
        s.unitsAgainstGrant = 0
        s.finalUnits = answer.finalUnits
        s.validUntil = answer.validityTime > 0 ? now &+ answer.validityTime : .max
    }

    /// No answer to `request` within Tx. Requests that carry usage (all CH-1, CH-2 update and
    /// termination) are retransmitted with the same number, up to
    /// ``ChargingConfiguration/maximumAttempts``, so the enabler can drop a duplicate and no
    /// usage is lost; the service itself follows the failure handling.
    public func timedOut(
        _ request: ChargingRequest, _ s: inout ChargingSession, now: Int64, _ out: inout ChargingOutbox
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
                refused(&s, resultCode: ChargingResultCode.unableToDeliver, &out)
            case .retryThenTerminate:
                if canRetry { retransmit() } else { refused(&s, resultCode: ChargingResultCode.unableToDeliver, &out) }
            }
        case .onlineUpdate:
            if canRetry { retransmit() } else { out.counters.abandoned &+= 1 }
            guard s.online == .updating, request.number == s.ccRequestNumber else { return }
            switch configuration.failureHandling {
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
