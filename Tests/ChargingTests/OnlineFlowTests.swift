import Charging
import MSRP
import Testing

/// CH-2, seed 001 §6.3.3, step by step on a virtual clock.
@Suite("Online charging (CH-2)")
struct OnlineFlowTests {
    static func configuration(
        _ setup: SessionSetup = .oneToOne,
        handling: CreditControlFailureHandling = .retryThenTerminate,
        unit: ChargingUnit = .bytes
    ) -> ChargingConfiguration {
        var c = ChargingConfiguration(mode: .online)
        c.setup = setup
        c.failureHandling = handling
        c.unit = unit
        c.requestedUnits = 1000
        c.txTimeout = 500 * ms
        c.maximumAttempts = 3
        return c
    }

    static func enablerConfiguration(
        granted: UInt64 = 1000,
        validity: Int64 = 0,
        credit: UInt64? = nil,
        denial: Double = 0
    ) -> EmbeddedEnablerConfiguration {
        var e = EmbeddedEnablerConfiguration()
        e.latency = .fixed(5 * ms)
        e.grantedUnits = granted
        e.validityTime = validity
        e.creditPerSession = credit
        e.denialShare = denial
        return e
    }

    static func harness(
        _ c: ChargingConfiguration = configuration(),
        _ e: EmbeddedEnablerConfiguration = enablerConfiguration()
    ) -> VirtualHarness<EmbeddedChargingEnabler> {
        VirtualHarness(c, enabler: EmbeddedChargingEnabler(e))
    }

    static func setUp<E>(_ h: VirtualHarness<E>, _ id: String) -> SessionKey {
        let key = SessionKey(id)!
        h.invite(key)
        h.advance(by: 10 * ms)
        h.recipientOK(key)
        return key
    }

    /// 6.3.3.1 as its figure draws it: the INVITE waits for the reservation.
    @Test func oneToOneReservesBeforeForwarding() {
        let h = Self.harness()
        let key = Self.setUp(h, "s1")
        #expect(
            h.log == [
                "SIP INVITE", "CH-2 initial #0", "CH-2 initial answer 2001", "SIP INVITE forwarded",
                "SIP 200 OK from recipient", "SIP 200 OK to client",
            ]
        )
        #expect(h[key].online == .open && h[key].grantedUnits == 1000)
    }

    @Test func oneToOneDenialRejectsTheInvite() {
        let h = Self.harness(Self.configuration(), Self.enablerConfiguration(denial: 1))
        let key = SessionKey("s1")!
        h.invite(key)
        h.advance(by: 10 * ms)
        #expect(h.log == ["SIP INVITE", "CH-2 initial #0", "CH-2 initial answer 4012", "SIP INVITE rejected 4012"])
        #expect(!h.log.contains("SIP INVITE forwarded"))
        #expect(h[key].online == .closed)
        #expect(h.out.counters.denials == 1)
    }

    /// 6.3.3.1 as its step 3 reads (a configured trigger point): reserve on the recipient's
    /// 200 OK, and pass that 200 OK on only if granted.
    @Test func oneToOneReserveOnAnswer() {
        let h = Self.harness(Self.configuration(.oneToOneReserveOnAnswer))
        _ = Self.setUp(h, "s1")
        h.advance(by: 10 * ms)
        #expect(
            h.log == [
                "SIP INVITE", "SIP INVITE forwarded", "SIP 200 OK from recipient", "CH-2 initial #0",
                "CH-2 initial answer 2001", "SIP 200 OK to client",
            ]
        )
    }

    /// 6.3.3.2: the originator gets its 200 OK first, then the reservation, then the INVITEs.
    @Test func conferenceAnswersFirstThenReserves() {
        let h = Self.harness(Self.configuration(.conference))
        _ = Self.setUp(h, "conf1")
        #expect(
            h.log == [
                "SIP INVITE", "SIP 200 OK to client", "CH-2 initial #0", "CH-2 initial answer 2001",
                "SIP INVITE forwarded", "SIP 200 OK from recipient",
            ]
        )
    }

    @Test func conferenceDenialEndsTheSession() {
        let h = Self.harness(Self.configuration(.conference), Self.enablerConfiguration(denial: 1))
        let key = SessionKey("conf1")!
        h.invite(key)
        h.advance(by: 10 * ms)
        #expect(
            h.log == [
                "SIP INVITE", "SIP 200 OK to client", "CH-2 initial #0", "CH-2 initial answer 4012", "SIP BYE 4012",
            ]
        )
        #expect(h.out.counters.sessionsEndedByCharging == 1)
    }

    /// Granted units used up: an update reports them and asks for more; units used while it
    /// is out count against the next grant.
    @Test func quotaExhaustedSendsAnUpdate() throws {
        let h = Self.harness()
        let key = Self.setUp(h, "s1")
        try h.receive(sendChunks(session: "s1", size: 600, chunkSize: 1000))
        #expect(!h.requests.contains { $0.kind == .onlineUpdate })
        try h.receive(sendChunks(session: "s1", size: 600, chunkSize: 1000))
        #expect(h.requests.last?.kind == .onlineUpdate)
        #expect(h.requests.last?.usedUnits == 1200)
        #expect(h.requests.last?.requestedUnits == 1000)
        #expect(h[key].online == .updating)
        try h.receive(sendChunks(session: "s1", size: 300, chunkSize: 1000))  // while the update is out
        h.advance(by: 10 * ms)
        #expect(h[key].online == .open && h[key].unitsAgainstGrant == 300 && h[key].unitsUnreported == 300)
        h.bye(key)
        h.settle()
        #expect(h.requests.last?.kind == .onlineTermination && h.requests.last?.usedUnits == 300)
        #expect(h.enabler.ledger.entry(key)?.onlineUnits == 1500)
    }

    @Test func unitsCanBeMessages() throws {
        let h = Self.harness(Self.configuration(unit: .messages), Self.enablerConfiguration(granted: 2))
        let key = Self.setUp(h, "s1")
        try h.receive(sendChunks(session: "s1", size: 5000, chunkSize: 1000))  // 5 chunks, 1 message
        #expect(h[key].unitsAgainstGrant == 1)
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 1000, abortAfter: 1))  // aborted: still a unit
        #expect(h.requests.last?.kind == .onlineUpdate && h.requests.last?.usedUnits == 2)
    }

    /// Validity-Time ends: an update goes at that moment, with no traffic and units left
    /// (RFC 4006 §8.33); later traffic counts against the new grant.
    @Test func validityExpirySendsAnUpdateWithoutTraffic() throws {
        let h = Self.harness(Self.configuration(), Self.enablerConfiguration(validity: 1 * second))
        let key = Self.setUp(h, "s1")
        let validUntil = h[key].validUntil
        #expect(validUntil < 2 * second)  // granted during the set-up, valid for 1 s
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 1000))
        h.advance(by: 1500 * ms)
        let update = try #require(h.requests.last)
        #expect(update.kind == .onlineUpdate && update.usedUnits == 10)
        #expect(update.sentAt == validUntil)
        #expect(h.out.counters.validityExpiries == 1)
        try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 1000))
        #expect(h[key].grantedUnits == 1000)
        #expect(h[key].unitsAgainstGrant == 10)
    }

    /// The final units run out: termination with what was used, a BYE, and later chunks are
    /// refused (not charged).
    @Test func finalUnitsEndTheSession() throws {
        let h = Self.harness(Self.configuration(), Self.enablerConfiguration(granted: 1000, credit: 1500))
        let key = Self.setUp(h, "s1")
        try h.receive(sendChunks(session: "s1", size: 1000, chunkSize: 1000))
        h.advance(by: 10 * ms)
        #expect(h[key].finalUnits && h[key].grantedUnits == 500)
        #expect(try h.receive(sendChunks(session: "s1", size: 500, chunkSize: 1000)) == 1)
        #expect(h.log.suffix(2) == ["CH-2 termination #2", "SIP BYE 4012"])
        #expect(try h.receive(sendChunks(session: "s1", size: 10, chunkSize: 1000)) == 0)
        #expect(h.log.last == "MSRP 403")
        #expect(h.out.counters.chunksRefused == 1)
        h.bye(key)
        h.settle()
        #expect(h.requests.filter { $0.kind == .onlineTermination }.count == 1)
        #expect(h.enabler.ledger.entry(key)?.onlineUnits == 1500)
        #expect(h[key].accepted.bytes == 1500)
    }

    // MARK: Tx timeouts (RFC 4006 §8.14)

    static func silentOn(_ kind: ChargingRequestKind, attempts: UInt8) -> ScriptedEnabler {
        ScriptedEnabler(enablerConfiguration()) { r in r.kind == kind && r.attempt <= attempts ? true : nil }
    }

    @Test func initialTimeoutUnderContinueGoesOnWithoutCreditControl() throws {
        let h = VirtualHarness(
            Self.configuration(handling: .continue),
            enabler: Self.silentOn(.onlineInitial, attempts: 9)
        )
        let key = SessionKey("s1")!
        h.invite(key)
        h.advance(by: 1 * second)
        #expect(h.log == ["SIP INVITE", "CH-2 initial #0", "CH-2 initial #0 timeout", "SIP INVITE forwarded"])
        #expect(h[key].uncontrolled)
        h.recipientOK(key)
        try h.receive(sendChunks(session: "s1", size: 5000, chunkSize: 1000))
        #expect(!h.requests.contains { $0.kind == .onlineUpdate })  // no quota checks
        h.bye(key)
        h.settle()
        #expect(h.enabler.ledger.entry(key)?.onlineUnits == 5000)
    }

    @Test func initialTimeoutUnderTerminateRejects() {
        let h = VirtualHarness(
            Self.configuration(handling: .terminate),
            enabler: Self.silentOn(.onlineInitial, attempts: 9)
        )
        h.invite(SessionKey("s1")!)
        h.advance(by: 1 * second)
        #expect(h.log == ["SIP INVITE", "CH-2 initial #0", "CH-2 initial #0 timeout", "SIP INVITE rejected 3002"])
    }

    @Test func initialTimeoutUnderRetryRetransmits() {
        let h = VirtualHarness(Self.configuration(), enabler: Self.silentOn(.onlineInitial, attempts: 1))
        h.invite(SessionKey("s1")!)
        h.advance(by: 1 * second)
        #expect(
            h.log == [
                "SIP INVITE", "CH-2 initial #0", "CH-2 initial #0 timeout", "CH-2 initial #0 (T)",
                "CH-2 initial answer 2001", "SIP INVITE forwarded",
            ]
        )
    }

    @Test func initialTimeoutUnderRetryTerminatesAfterTheLastAttempt() {
        let h = VirtualHarness(Self.configuration(), enabler: Self.silentOn(.onlineInitial, attempts: 9))
        h.invite(SessionKey("s1")!)
        h.advance(by: 5 * second)
        #expect(
            h.log == [
                "SIP INVITE", "CH-2 initial #0", "CH-2 initial #0 timeout", "CH-2 initial #0 (T)",
                "CH-2 initial #0 timeout", "CH-2 initial #0 (T)", "CH-2 initial #0 timeout", "SIP INVITE rejected 3002",
            ]
        )
    }

    /// An update that times out is always retransmitted (it carries usage); the failure
    /// handling decides what happens to the session meanwhile.
    @Test(arguments: CreditControlFailureHandling.allCases)
    func updateTimeout(handling: CreditControlFailureHandling) throws {
        // The enabler records the update but its first answer is lost.
        let h = VirtualHarness(
            Self.configuration(handling: handling),
            enabler: Self.silentOn(.onlineUpdate, attempts: 1)
        )
        let key = Self.setUp(h, "s1")
        try h.receive(sendChunks(session: "s1", size: 1200, chunkSize: 2000))
        h.advance(by: 502 * ms)  // past Tx (500 ms), before the retransmission's answer (505 ms)
        switch handling {
        case .continue:
            #expect(h.log.suffix(3) == ["CH-2 update #1", "CH-2 update #1 timeout", "CH-2 update #1 (T)"])
            #expect(h[key].uncontrolled && h[key].online == .open)
        case .terminate:
            #expect(
                h.log.suffix(5) == [
                    "CH-2 update #1", "CH-2 update #1 timeout", "CH-2 update #1 (T)", "CH-2 termination #2",
                    "SIP BYE 3002",
                ]
            )
        case .retryThenTerminate:
            h.advance(by: 10 * ms)
            #expect(
                h.log.suffix(4) == [
                    "CH-2 update #1", "CH-2 update #1 timeout", "CH-2 update #1 (T)", "CH-2 update answer 2001",
                ]
            )
            #expect(h[key].online == .open && !h[key].uncontrolled)
        }
        h.bye(key)
        h.settle()
        let ledger = try #require(h.enabler.ledger.entry(key))
        #expect(ledger.onlineUnits == 1200)  // the duplicate was not charged twice
        #expect(ledger.duplicates == 1)
    }

    /// The enabler's Credit-Control-Failure-Handling overrides the configured one (RFC 4006
    /// §5.7): configured CONTINUE, answered TERMINATE, an update that times out ends the session.
    @Test func theEnablersFailureHandlingOverridesTheConfiguredOne() throws {
        var e = Self.enablerConfiguration()
        e.creditControlFailureHandling = .terminate
        let h = VirtualHarness(
            Self.configuration(handling: .continue),
            enabler: ScriptedEnabler(e) { r in r.kind == .onlineUpdate && r.attempt <= 1 ? true : nil }
        )
        let key = Self.setUp(h, "s1")
        #expect(h[key].online == .open)
        try h.receive(sendChunks(session: "s1", size: 1200, chunkSize: 2000))
        h.advance(by: 502 * ms)
        #expect(
            h.log.suffix(5) == [
                "CH-2 update #1", "CH-2 update #1 timeout", "CH-2 update #1 (T)", "CH-2 termination #2", "SIP BYE 3002",
            ]
        )
        #expect(!h[key].uncontrolled)
    }

    /// Both modes at once: the session's bytes show up in CH-1 and in CH-2 units.
    @Test func bothModesChargeTheSameBytes() throws {
        var c = Self.configuration()
        c.mode = .both
        c.defaultInterimInterval = 1 * second
        c.firstInterimJitter = 0
        let h = Self.harness(c, Self.enablerConfiguration(granted: 10_000))
        let key = Self.setUp(h, "s1")
        #expect(h.log.suffix(2) == ["SIP 200 OK to client", "CH-1 start #0"])
        try h.receive(sendChunks(session: "s1", size: 3000, chunkSize: 1000))
        h.advance(by: 2 * second)
        try h.receive(sendChunks(session: "s1", size: 700, chunkSize: 1000))
        h.bye(key)
        h.settle()
        let ledger = try #require(h.enabler.ledger.entry(key))
        #expect(ledger.offline == ChargingUsage(messages: 2, bytes: 3700))
        #expect(ledger.onlineUnits == 3700)
        #expect(ledger.offlineStopped && ledger.onlineTerminated)
    }
}

/// No reservation left behind (RFC 4006 §5.2): a set-up refused on a CCA-I after which the OCS
/// still holds a credit-control session (its command succeeded, or the answer could not be
/// read) closes that session with a termination; a CCA-I refused at the command level opened
/// none, and gets none.
@Suite("Online charging: unused reservations")
struct UnusedReservationTests {
    static func refusal(_ answer: (SessionKey) -> ChargingAnswer) -> (log: [String], closed: UInt64) {
        let h = OnlineFlowTests.harness()
        let key = SessionKey("r1")!
        h.invite(key)  // CCR-I out; its embedded answer is never let in (the clock stays)
        h.log.removeAll()
        h.event(key) { s, o in h.user.answerReceived(answer(key), &s, now: h.now, &o) }
        return (h.log, h.out.counters.reservationsClosed)
    }

    @Test func aGrantOfNothingIsRefusedAndTerminated() {
        let r = Self.refusal { ChargingAnswer(kind: .onlineInitial, session: $0, number: 0, grantedUnits: 0) }
        #expect(r.log == ["SIP INVITE rejected 4012", "CH-2 termination #1"])
        #expect(r.closed == 1)
    }

    @Test func anMSCCDenialUnderASuccessfulCommandIsTerminated() {
        let r = Self.refusal {
            var a = ChargingAnswer(kind: .onlineInitial, session: $0, number: 0, resultCode: 4012)
            a.enablerHoldsSession = true
            return a
        }
        #expect(r.log == ["SIP INVITE rejected 4012", "CH-2 termination #1"])
    }

    @Test func aCommandLevelRefusalOpenedNothing() {
        let r = Self.refusal { ChargingAnswer(kind: .onlineInitial, session: $0, number: 0, resultCode: 5030) }
        #expect(r.log == ["SIP INVITE rejected 5030"])
        #expect(r.closed == 0)
    }
}
