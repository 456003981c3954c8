import Charging
import Histogram

extension MSRPChargingPipeline {
    // MARK: Session set-up and end (SIP)

    /// A SIP INVITE from the originating client: the session enters the table and the Charging
    /// Enabler User runs the set-up (seed 001). Returns false if the session exists already.
    @discardableResult
    public mutating func invite(_ key: SessionKey, now: Int64) -> Bool {
        guard table.insert(key, ChargingSession()) else { return false }
        _ = table.update(key) { s in user.inviteReceived(&s, key, now: now, &out) }
        if !out.isEmpty { dispatch() }
        return true
    }

    /// The recipient's SIP 200 OK (for a conference, the recipients').
    public mutating func recipientAnswered(_ key: SessionKey, now: Int64) {
        _ = table.update(key) { s in user.recipientAnswered(&s, key, now: now, &out) }
        if !out.isEmpty { dispatch() }
    }

    /// The session ends (SIP BYE, or MSRP teardown): CH-1 stop and CH-2 termination carry what
    /// is not yet reported, and the session leaves the table. Answers and timers that come
    /// for it later run against a closed record (a stop is still retransmitted until it is
    /// acknowledged). Returns the session's last state, nil if there was no such session.
    @discardableResult
    public mutating func endSession(_ key: SessionKey, now: Int64) -> ChargingSession? {
        let last = table.update(key) { s -> ChargingSession in
            user.sessionEnded(&s, key, now: now, &out)
            return s
        }
        if !out.isEmpty { dispatch() }
        guard let last else { return nil }
        table.remove(key)
        counters.sessionsEnded &+= 1
        closedSessions?.append(ClosedSession(session: key, accepted: last.accepted))
        return last
    }

    /// Takes the SIP steps asked for since the last call, in order, by swapping buffers with
    /// `taken` (emptied first), so that neither side allocates once both have grown. The owner
    /// acts on them after the call (acting may ask for more).
    public mutating func takeSignals(into taken: inout [SessionSignal]) {
        taken.removeAll(keepingCapacity: true)
        swap(&signals, &taken)
    }

    // MARK: Answers and timers

    /// The earliest time an answer, a Tx timeout or a charging timer is due (`Int64.min`
    /// when answers wait in the queue).
    @inlinable
    public var nextDue: Int64? { dispatcher.nextDue }

    /// Whether ``poll(now:)`` has anything to do at `now` (cheap enough to ask after every read).
    @inlinable @inline(__always)
    public func hasDue(at now: Int64) -> Bool { dispatcher.hasDue(at: now) }

    /// Handles every answer, timeout and timer due by `now`.
    @inlinable
    public mutating func poll(now: Int64) {
        while let event = dispatcher.next(dueBy: now) {
            switch event {
            case .answer(let answer, let sentAt, let late):
                _ = roundTrip.record(UInt64(min(max(1, now &- sentAt), Int64(Self.longestRoundTrip))))
                let taken = userRef._withUnsafeGuaranteedRef { user in
                    user.answerWithoutSession(answer, late: late, &out)
                }
                if taken { break }
                withSession(answer.session) { user, s, out in
                    user.answerReceived(answer, late: late, &s, now: now, &out)
                }
            case .timeout(let request):
                withSession(request.session) { user, s, out in user.timedOut(request, &s, now: now, &out) }
            case .timer(let timer):
                tableRef._withUnsafeGuaranteedRef { table in
                    userRef._withUnsafeGuaranteedRef { user in
                        _ = table.update(timer.session) { s in user.timerFired(timer, &s, now: now, &out) }
                    }
                }
            }
            if !out.isEmpty { dispatch() }
        }
    }

    /// Runs `body` on the session's state, or on a closed record when the session has ended
    /// and left the table.
    @inlinable
    mutating func withSession(
        _ key: SessionKey,
        _ body: (ChargingEnablerUser, inout ChargingSession, inout ChargingOutbox) -> Void
    ) {
        // Through the unretained references, as the chunk path does: retaining the shared
        // table and user for every answer wrote their object headers from every worker.
        let found: Void? = tableRef._withUnsafeGuaranteedRef { table in
            userRef._withUnsafeGuaranteedRef { user in table.update(key) { s in body(user, &s, &out) } }
        }
        if found == nil {
            counters.eventsAfterEnd &+= 1
            var closed = ChargingSession()
            closed.ended = true
            closed.offline = .closed
            closed.online = .closed
            userRef._withUnsafeGuaranteedRef { user in body(user, &closed, &out) }
        }
    }
}
