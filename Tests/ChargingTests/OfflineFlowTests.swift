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

    static func enabler(interval: Int64 = 0) -> EmbeddedChargingEnabler {
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

    @Test func setUpSendsStartAfterTheSessionIsEstablished() {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        _ = Self.establish(h, "s1")
        #expect(h.log == [
            "SIP INVITE", "SIP INVITE forwarded", "SIP 200 OK from recipient", "SIP 200 OK to client",
            "CH-1 start #0", "CH-1 start answer 2001",
        ])
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
        #expect(h.log == [
            "MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded",
            "MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded",
            "MSRP SEND $", "MSRP 200 OK", "MSRP SEND forwarded",
            "CH-1 interim #1", "CH-1 interim answer 2001",
        ])
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
        #expect(h.log == [
            "MSRP SEND +", "MSRP SEND forwarded", "MSRP SEND $", "MSRP SEND forwarded", "CH-1 interim #1",
        ])
    }

    /// A trigger inside the interval sends nothing; its usage goes in the next interim.
    @Test func triggersInsideTheIntervalCarryTheirUsageOver() throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 1 * second)  // start at 0, interval 1 s: the first interim is allowed now
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        h.advance(by: 100 * ms)
        try h.receive(sendChunks(session: "s1", size: 20, chunkSize: 100))
        h.advance(by: 100 * ms)
        try h.receive(sendChunks(session: "s1", size: 30, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [ChargingUsage(messages: 1, bytes: 10)])
        #expect(h[key].pending == ChargingUsage(messages: 2, bytes: 50))
        #expect(h.out.counters.suppressedByInterval == 2)
        #expect(h.out.counters.carriedOver == ChargingUsage(messages: 2, bytes: 50))
        h.advance(to: 2 * second + 50 * ms)
        try h.receive(sendChunks(session: "s1", size: 40, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [
            ChargingUsage(messages: 1, bytes: 10), ChargingUsage(messages: 3, bytes: 90),
        ])
        #expect(h.out.counters.interimTriggers == 4)
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
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.usage) == [ChargingUsage(messages: 2, bytes: 20)])
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
    /// reports and the other carries its usage over.
    @Test func theGlobalCeilingSuppressesAndCarriesOver() throws {
        var c = Self.configuration()
        c.interimCeilingPerSecond = 1
        c.interimCeilingBurst = 1
        let h = VirtualHarness(c, enabler: Self.enabler())
        let a = Self.establish(h, "a1"), b = Self.establish(h, "b1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "a1", size: 10, chunkSize: 100))
        try h.receive(sendChunks(session: "b1", size: 20, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.session) == [a])
        #expect(h.out.counters.suppressedByCeiling == 1)
        #expect(h[b].pending == ChargingUsage(messages: 1, bytes: 20))
        h.advance(to: 3 * second)
        try h.receive(sendChunks(session: "b1", size: 5, chunkSize: 100))
        #expect(h.requests.filter { $0.kind == .offlineInterim }.map(\.usage).last == ChargingUsage(messages: 2, bytes: 25))
    }

    /// An aborted message (`#`): its bytes are charged and it is counted as aborted; it is
    /// not a completed message, so it fires no trigger.
    @Test func abortedMessagesAreChargedAndCounted() throws {
        let h = VirtualHarness(Self.configuration(), enabler: Self.enabler())
        let key = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "s1", size: 500, chunkSize: 100, abortAfter: 2))
        #expect(h.log.suffix(6) == ["MSRP SEND +", "MSRP 200 OK", "MSRP SEND forwarded", "MSRP SEND #", "MSRP 200 OK", "MSRP SEND forwarded"])
        #expect(h.out.counters.interimTriggers == 0)
        #expect(h[key].pending == ChargingUsage(abortedMessages: 1, bytes: 200))
        h.bye(key)
        h.settle()
        #expect(h.requests.last?.kind == .offlineStop)
        #expect(h.requests.last?.usage == ChargingUsage(abortedMessages: 1, bytes: 200))
        #expect(h.dispatcher.enabler.ledger.entry(key)?.offline == ChargingUsage(abortedMessages: 1, bytes: 200))
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
        #expect(h.dispatcher.enabler.ledger.entry(key)?.offline == h[key].accepted)
        #expect(h[key].offline == .closed)
    }

    /// A CH-1 request whose answer is lost is sent again with the same record number and the
    /// T flag; the enabler, which had recorded it, drops the duplicate.
    @Test func timedOutInterimIsRetransmittedAndNotChargedTwice() throws {
        var c = Self.configuration()
        c.txTimeout = 500 * ms
        let h = VirtualHarness(c, enabler: ScriptedEnabler(Self.enabler().configuration) { r in
            r.kind == .offlineInterim && r.attempt == 1 ? true : nil
        })
        let key = Self.establish(h, "s1")
        h.advance(to: 2 * second)
        try h.receive(sendChunks(session: "s1", size: 70, chunkSize: 100))
        h.settle()
        #expect(h.log.suffix(4) == ["CH-1 interim #1", "CH-1 interim #1 timeout", "CH-1 interim #1 (T)", "CH-1 interim answer 2001"])
        #expect(h.dispatcher.enabler.ledger.entry(key)?.duplicates == 1)
        h.bye(key)
        h.settle()
        #expect(h.dispatcher.enabler.ledger.entry(key)?.offline == ChargingUsage(messages: 1, bytes: 70))
    }
}
