import Charging
import MSRP
import Testing

/// CH-1, seed 000 §6.2.3.4, step by step on a virtual clock.
@Suite("Offline charging (CH-1)")
struct OfflineFlowTests {
    static func configuration(interval: Int64 = 1 * second, jitter: Double = 0) -> ChargingConfiguration {
        var c = ChargingConfiguration(mode: .offline)
        c.defaultInterimInterval = interval
        c.firstInterimJitter = jitter
        return c
    }

    static func enabler(interval: Int64? = nil) -> EmbeddedChargingEnabler {
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = interval
        e.latency = .fixed(5 * ms)
        return EmbeddedChargingEnabler(e)
    }

    /// Sets up session `id` (one-to-one, offline only) and returns its key.
    static func establish<E>(_ h: VirtualHarness<E>, _ id: String) -> SessionKey {
        let key = SessionKey(id)!
        h.invite(key)
        h.recipientOK(key)
        h.advance(by: 10 * ms)
        return key
    }

    /// Every CH-1 record carries the session's totals through it (Rf's usage AVPs, RFC 7155
    /// §4.4): START none, each INTERIM what was accepted so far, STOP all of it. An OFCS taking
    /// the last record's value books the session.
    @Test func recordsCarryTheSessionsTotals() throws {
        let h = VirtualHarness(Self.configuration(interval: 0), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        for size in [100, 250, 40] {
            try h.receive(sendChunks(session: "s1", size: size, chunkSize: 100))
            h.advance(by: 10 * ms)
        }
        h.bye(key)
        h.advance(by: 10 * ms)
        let records = h.requests.filter { $0.kind.isOffline && !$0.isRetransmission }
        #expect(records.map(\.kind) == [.offlineStart, .offlineInterim, .offlineInterim, .offlineInterim, .offlineStop])
        #expect(records.map(\.usage.bytes) == [0, 100, 350, 390, 390])
        #expect(records.allSatisfy { $0.usageIsSessionTotal })
        #expect(records.last?.usage == ChargingUsage(messages: 3, bytes: 390))
    }

    @Test func setUpSendsStartAfterTheSessionIsEstablished() {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        _ = Self.establish(h, "s1")
        #expect(
            h.log == [
                "SIP INVITE", "SIP INVITE forwarded", "SIP 200 OK from recipient", "SIP 200 OK to client",
                "CH-1 start #0", "CH-1 start answer 2001",
            ]
        )
    }

    /// The seed's figure: SEND in, 200 OK, SEND forwarded, and for the last chunk of the
    /// message a CH-1 interim, answered by the enabler.
    @Test func lastChunkTriggersAnInterimAfterItsOK() throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        h.log.removeAll()
        try h.receive(sendChunks(session: "s1", size: 250, chunkSize: 100))
        h.advance(by: 10 * ms)
        #expect(
            h.log == [
                "MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded",
                "MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded",
                "MSRP SEND $", "MSRP 200 OK", "MSRP SEND forwarded",
                "CH-1 interim #1", "CH-1 interim answer 2001",
            ]
        )
        #expect(h.requests.last?.usage == ChargingUsage(messages: 1, bytes: 250))
        #expect(h[key].pending == .zero)
        #expect(h.out.counters.interimTriggers == 1)
    }

    /// Failure-Report: no or partial means no 200 OK (RFC 4975 §7.1.2): the trigger fires
    /// when the last chunk is accepted.
    @Test(arguments: [FailureReport.no, .partial])
    func withoutOKTheTriggerFiresOnAcceptance(report: FailureReport) throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        _ = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        h.log.removeAll()
        try h.receive(sendChunks(session: "s1", size: 150, chunkSize: 100, failureReport: report))
        #expect(
            h.log == [
                "MSRP SEND +", "MSRP SEND forwarded", "MSRP SEND $", "MSRP SEND forwarded", "CH-1 interim #1",
            ]
        )
    }

    /// A trigger inside the interval sends nothing at once; its usage goes in the next interim,
    /// which the flush timer sends one interval after the last even when the session sends
    /// nothing more (RFC 6733 §9.8.2).
    @Test func triggersInsideTheIntervalCarryTheirUsageOver() throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 1 * second)  // start at 0, interval 1 s: the first interim is allowed now
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        h.advance(by: 100 * ms)
        try h.receive(sendChunks(session: "s1", size: 20, chunkSize: 100))
        h.advance(by: 100 * ms)
        try h.receive(sendChunks(session: "s1", size: 30, chunkSize: 100))
        #expect(
            h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [ChargingUsage(messages: 1, bytes: 10)]
        )
        #expect(h[key].pending == ChargingUsage(messages: 2, bytes: 50))
        #expect(h.out.counters.suppressedByInterval == 2)
        #expect(h.out.counters.carriedOver == ChargingUsage(messages: 2, bytes: 50))
        // Idle from 1.2 s on: the held-back usage leaves at 2 s, one interval after the interim
        // (records carry the session's totals: 10 bytes, then those and the 50 held back).
        h.advance(to: 2 * second + 50 * ms)
        #expect(
            h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [
                ChargingUsage(messages: 1, bytes: 10), ChargingUsage(messages: 3, bytes: 60),
            ]
        )
        #expect(h.interims[key] == [1 * second, 2 * second])
        #expect(h.out.counters.flushedByTimer == 1)
        try h.receive(sendChunks(session: "s1", size: 40, chunkSize: 100))  // inside the interval again
        #expect(h[key].pending == ChargingUsage(messages: 1, bytes: 40))
        h.advance(to: 10 * second)
        #expect(h.interims[key] == [1 * second, 2 * second, 3 * second])
        #expect(h[key].pending == .zero)
        #expect(h.out.counters.interimTriggers == 4)
        #expect(h.out.counters.flushedByTimer == 2)
    }

    /// Without the flush timer nothing would report an idle session's held-back usage until its
    /// stop: a session that sends one burst and then nothing is reported one interval later.
    @Test func anIdleSessionsHeldBackUsageIsReportedOneIntervalLate() throws {
        let h = VirtualHarness(Self.configuration(interval: 30 * second), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 5 * second)
        for i in 0..<5 { try h.receive(sendChunks(session: "s1", size: 100, chunkSize: 100, messageID: "msg0000\(i)")) }
        #expect(h.interims[key] == nil)
        h.advance(to: 29 * second)
        #expect(h.interims[key] == nil)
        h.advance(to: 31 * second)
        #expect(h.interims[key] == [30 * second])
        #expect(h.requests.last?.usage == ChargingUsage(messages: 5, bytes: 500))
        h.advance(to: 120 * second)  // nothing more held back: no more interims
        #expect(h.interims[key] == [30 * second])
    }

    /// The enabler's Acct-Interim-Interval replaces the configured default.
    @Test func theEnablersIntervalWins() throws {
        let h = VirtualHarness(Self.configuration(interval: 1 * second), enabler: Self.enabler(interval: 5 * second))
        let key = Self.establish(h, "s1")
        #expect(h[key].interimInterval == 5 * second)
        h.advance(to: 3 * second)
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        #expect(!h.requests.contains { $0.kind == .offlineInterim })  // 1 s would have allowed it
        h.advance(to: 5 * second)
        #expect(h.interims[key] == [5 * second])  // the flush timer, at the enabler's interval
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        h.advance(to: 11 * second)
        #expect(
            h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [
                ChargingUsage(messages: 1, bytes: 10), ChargingUsage(messages: 2, bytes: 20),
            ],
            "the session's totals through each record"
        )
        #expect(h.interims[key] == [5 * second, 10 * second])
    }

    /// Acct-Interim-Interval 0 (not absent) asks for no interims at all: start and stop only
    /// (RFC 6733 §9.8.2), the stop carrying everything.
    @Test func anIntervalOfZeroFromTheEnablerMeansNoInterims() throws {
        let h = VirtualHarness(Self.configuration(interval: 1 * second), enabler: Self.enabler(interval: 0))
        let key = Self.establish(h, "s1")
        #expect(h[key].interimInterval == .max)
        for i in 0..<4 {
            h.advance(by: 2 * second)
            try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100, messageID: "msg0000\(i)"))
        }
        h.advance(by: 60 * second)
        #expect(h.interims[key] == nil)
        h.bye(key)
        h.settle()
        #expect(
            h.requests.last?.kind == .offlineStop && h.requests.last?.usage == ChargingUsage(messages: 4, bytes: 40)
        )
        #expect(h.enabler.ledger.entry(key)?.offline == ChargingUsage(messages: 4, bytes: 40))
    }

    /// An answer to an older record does not overwrite the interval a newer answer set, and the
    /// first-interim jitter is taken from the interval in force (the enabler's).
    @Test func intervalsFollowTheNewestRecordAndJitterTheEnablersInterval() throws {
        var c = Self.configuration(interval: 10 * second, jitter: 0.5)
        c.txTimeout = 100 * second
        // The start's answer is slow (5 s) and says 60 s; the first interim's answer is quick
        // and says 20 s: the start's, arriving last, must not win.
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = 60 * second
        e.latency = .fixed(0)
        let h = VirtualHarness(
            c,
            enabler: ScriptedEnabler(e) { r in r.kind == .offlineStart ? .delay(5 * second) : .normal }
        )
        let key = SessionKey("s1")!
        h.invite(key)
        h.recipientOK(key)
        let jitter10 = h[key].lastInterimAt  // start at 0: the jitter drawn on 10 s
        #expect(jitter10 > 0 && jitter10 < 5 * second)
        h.advance(to: 5 * second)
        // The enabler's 60 s is in force; the jitter is the same share of 60 s.
        #expect(h[key].interimInterval == 60 * second)
        #expect(abs(h[key].lastInterimAt - jitter10 * 6) <= 6)
        // An answer to an older record after a newer one's: the start's (record 0) saying 7 s,
        // once the first interim's answer (record 1) is in.
        let old = ChargingAnswer(kind: .offlineStart, session: key, number: 0, interimInterval: 7 * second)
        h.advance(to: 200 * second)
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        h.settle()
        #expect(h[key].intervalRecord == 1)
        h.event(key) { s, o in h.user.answerReceived(old, &s, now: h.now, &o) }
        #expect(h[key].interimInterval == 60 * second)
    }

    /// An answer with nothing to act on is taken without its session (no lookup, no lock);
    /// every other answer is left to `answerReceived`, which needs the session's state.
    @Test func answersThatChangeNothingNeedNoSession() throws {
        let user = ChargingEnablerUser(Self.configuration())
        var out = ChargingOutbox()
        let key = try #require(SessionKey("quiet"))
        func taken(_ a: ChargingAnswer, late: Bool = false) -> Bool { user.answerWithoutSession(a, late: late, &out) }
        // Taken: an ACA to an interim or a start without Acct-Interim-Interval, a failed ACA,
        // any answer to a stop or a termination.
        #expect(taken(ChargingAnswer(kind: .offlineInterim, session: key, number: 3)))
        #expect(taken(ChargingAnswer(kind: .offlineStart, session: key, number: 0)))
        #expect(
            taken(
                ChargingAnswer(
                    kind: .offlineInterim,
                    session: key,
                    number: 4,
                    resultCode: ChargingResultCode.unableToComply,
                    interimInterval: 5 * second
                )
            )
        )
        #expect(taken(ChargingAnswer(kind: .offlineStop, session: key, number: 5, interimInterval: 5 * second)))
        #expect(taken(ChargingAnswer(kind: .onlineTermination, session: key, number: 2)))
        // Left to the session: an interval to adopt, any CH-2 initial or update, and any answer
        // that sets the failure handling.
        #expect(!taken(ChargingAnswer(kind: .offlineInterim, session: key, number: 6, interimInterval: 5 * second)))
        #expect(!taken(ChargingAnswer(kind: .onlineInitial, session: key, number: 0, grantedUnits: 10)))
        #expect(!taken(ChargingAnswer(kind: .onlineUpdate, session: key, number: 1, grantedUnits: 10)))
        var handled = ChargingAnswer(kind: .onlineTermination, session: key, number: 3)
        handled.failureHandling = .continue
        #expect(!taken(handled))
        // A late answer taken this way is still counted as late; one left to the session is
        // counted there, not here.
        #expect(out.counters.lateAnswers == 0)
        #expect(taken(ChargingAnswer(kind: .offlineInterim, session: key, number: 7), late: true))
        #expect(!taken(ChargingAnswer(kind: .offlineInterim, session: key, number: 8, interimInterval: 1), late: true))
        #expect(out.counters.lateAnswers == 1)
        #expect(out.isEmpty)
    }

    /// Sessions set up together get their first interims spread over the jitter window.
    @Test func firstInterimJitterSpreadsSessions() {
        let h = VirtualHarness(Self.configuration(interval: 10 * second, jitter: 0.5), enabler: Self.enabler())
        let keys = (0..<200).map { SessionKey("j\($0)")! }
        for k in keys {
            h.invite(k)
            h.recipientOK(k)
        }
        let firsts = keys.map { h[$0].lastInterimAt + h[$0].interimInterval }
        #expect(firsts.allSatisfy { $0 >= 10 * second && $0 < 15 * second })
        #expect(Set(firsts.map { $0 / second }).count == 5)  // every second of the window is used
    }

    /// The global ceiling: of two sessions eligible at the same instant, with one token, one
    /// reports and the other carries its usage over, sent by its flush timer once the ceiling
    /// lets it.
    @Test func theGlobalCeilingSuppressesAndCarriesOver() throws {
        var c = Self.configuration()
        c.interimCeilingPerSecond = 1
        c.interimCeilingBurst = 1
        let h = VirtualHarness(c, enabler: Self.enabler())
        let a = Self.establish(h, "a1")
        let b = Self.establish(h, "b1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "a1", size: 10, chunkSize: 100))
        try h.receive(sendChunks(session: "b1", size: 20, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.session) == [a])
        #expect(h.out.counters.suppressedByCeiling == 1)
        #expect(h[b].pending == ChargingUsage(messages: 1, bytes: 20))
        h.advance(to: 3 * second)
        #expect(h.interims[b] == [3 * second])  // one emission interval later
        #expect(
            h.requests.filter { $0.kind == .offlineInterim }.map(\.usage).last == ChargingUsage(messages: 1, bytes: 20)
        )
        try h.receive(sendChunks(session: "b1", size: 5, chunkSize: 100))
        #expect(h[b].pending == ChargingUsage(messages: 1, bytes: 5))
    }

    @Test func abortedMessagesAreChargedAndCounted() throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "s1", size: 500, chunkSize: 100, abortAfter: 2))
        #expect(
            h.log.suffix(6) == [
                "MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded", "MSRP SEND #", "MSRP 200 OK",
                "MSRP SEND forwarded",
            ]
        )
        #expect(h.out.counters.interimTriggers == 0)
        #expect(h[key].pending == ChargingUsage(abortedMessages: 1, bytes: 200))
        h.bye(key)
        h.settle()
        #expect(h.requests.last?.kind == .offlineStop)
        #expect(h.requests.last?.usage == ChargingUsage(abortedMessages: 1, bytes: 200))
        #expect(h.enabler.ledger.entry(key)?.offline == ChargingUsage(abortedMessages: 1, bytes: 200))
    }

    /// The stop carries everything not yet reported; the ledger then equals what was accepted.
    @Test func stopCarriesPendingUsage() throws {
        let h = VirtualHarness(Self.configuration(interval: 60 * second), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        for i in 1...5 {
            h.advance(by: 1 * second)
            try h.receive(sendChunks(session: "s1", size: 100 * i, chunkSize: 128))
        }
        #expect(!h.requests.contains { $0.kind == .offlineInterim })
        h.bye(key)
        h.settle()
        #expect(h.log.suffix(3) == ["SIP BYE", "CH-1 stop #1", "CH-1 stop answer 2001"])
        #expect(h.requests.last?.usage == ChargingUsage(messages: 5, bytes: 1500))
        #expect(h.enabler.ledger.entry(key)?.offline == h[key].accepted)
        #expect(h[key].offline == .closed)
    }

    /// A CH-1 request whose answer is lost is sent again with the same record number and the
    /// T flag; the enabler, which had recorded it, drops the duplicate.
    @Test func timedOutInterimIsRetransmittedAndNotChargedTwice() throws {
        var c = Self.configuration()
        c.txTimeout = 500 * ms
        let h = VirtualHarness(
            c,
            enabler: ScriptedEnabler(Self.enabler().configuration) { r in
                r.kind == .offlineInterim && r.attempt == 1 ? true : nil
            }
        )
        let key = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "s1", size: 70, chunkSize: 100))
        h.settle()
        #expect(
            h.log.suffix(4) == [
                "CH-1 interim #1", "CH-1 interim #1 timeout", "CH-1 interim #1 (T)", "CH-1 interim answer 2001",
            ]
        )
        #expect(h.enabler.ledger.entry(key)?.duplicates == 1)
        h.bye(key)
        h.settle()
        #expect(h.enabler.ledger.entry(key)?.offline == ChargingUsage(messages: 1, bytes: 70))
    }
}
