import Charging
import ChargingPipeline
import MSRP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An enabler client whose answers the test scripts: the embedded enabler's answer, delayed
/// by a chosen time, or lost.
final class ScriptedClient: ChargingEnablerClient, @unchecked Sendable {
    let inner: EmbeddedChargingEnabler
    /// Arrival delay after the request left; nil: no answer (the request was recorded).
    let delay: (ChargingRequest) -> Int64?
    var sent: [ChargingRequest] = []

    init(_ e: EmbeddedEnablerConfiguration = .init(), delay: @escaping (ChargingRequest) -> Int64?) {
        inner = EmbeddedChargingEnabler(e)
        self.delay = delay
    }

    var peerCount: Int { 2 }
    var ledger: ChargingLedger { inner.ledger }

    /// Answers through the queue, as a network client does.
    func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        sent.append(request)
        guard var d = inner.answer(request) else { return nil }
        guard let delay = delay(request) else { return nil }
        d.arrivesAt = request.sentAt + delay
        answers.push(d)
        return nil
    }
}

/// The asynchronous seam: answers later than Tx, out of order, from another thread.
@Suite("Pipeline: the enabler seam")
struct EnablerSeamTests {
    static func configuration(_ mode: ChargingMode, _ handling: CreditControlFailureHandling) -> ChargingConfiguration {
        var c = ChargingConfiguration(mode: mode)
        c.failureHandling = handling
        c.txTimeout = 1 * second
        c.defaultInterimInterval = 0
        c.firstInterimJitter = 0
        return c
    }

    /// CH-2 initial answered 1.5 s after it left, with Tx 1 s, under each failure handling.
    static func lateInitial(_ handling: CreditControlFailureHandling) -> PipelineFixture<ScriptedClient> {
        let client = ScriptedClient { r in r.kind == .onlineInitial && r.attempt == 1 ? 1500 * ms : 1 * ms }
        let f = PipelineFixture(configuration(.online, handling), client: client)
        return f
    }

    @Test func aLateGrantAfterTerminateIsReleased() throws {
        let f = Self.lateInitial(.terminate)
        let key = SessionKey("s1")!
        f.pipeline.invite(key, now: 0)
        f.advance(by: 1000 * ms)  // Tx: the set-up is refused
        #expect(f.seen.map(\.event) == [.rejectInvite(resultCode: ChargingResultCode.unableToDeliver)])
        #expect(f.table.lookup(key)?.online == .closed)
        f.advance(by: 600 * ms)  // the grant arrives, late
        #expect(f.pipeline.charging.lateAnswers == 1)
        #expect(f.pipeline.charging.lateGrantsReleased == 1)
        f.advance(by: 100 * ms)
        let entry = try #require(f.pipeline.client.ledger.entry(key))
        #expect(entry.onlineInitiated && entry.onlineTerminated)  // the reservation was given back
        #expect(f.pipeline.dispatcher.inFlight == 0)
    }

    @Test func aLateGrantAfterContinueBringsCreditControlBack() throws {
        let f = Self.lateInitial(.continue)
        let key = SessionKey("s1")!
        f.pipeline.invite(key, now: 0)
        f.forwardInvites()
        f.advance(by: 1000 * ms)  // Tx: carry on without credit control
        f.forwardInvites()
        #expect(f.table.lookup(key)?.uncontrolled == true)
        try f.feed(message("s1", size: 100))  // used while uncontrolled: still counted
        f.advance(by: 600 * ms)
        let s = try #require(f.table.lookup(key))
        #expect(!s.uncontrolled && s.online == .open && s.grantedUnits == 1_000_000)
        #expect(s.unitsAgainstGrant == 100)
        #expect(f.pipeline.charging.lateGrantsAdopted == 1)
        f.pipeline.endSession(key, now: f.now)
        f.advance(by: 100 * ms)
        #expect(f.pipeline.client.ledger.entry(key)?.onlineUnits == 100)
    }

    /// Retry: the first attempt's answer, arriving after Tx but while the retransmission is
    /// out, answers the record; the retransmission's answer is a duplicate and is dropped.
    @Test func underRetryTheFirstAnswerToArriveWins() throws {
        let f = Self.lateInitial(.retryThenTerminate)
        let key = SessionKey("s1")!
        f.pipeline.invite(key, now: 0)
        f.advance(by: 1000 * ms)
        #expect(f.pipeline.client.sent.map(\.attempt) == [1, 2])
        #expect(f.pipeline.client.sent.map { ChargingPeers.peer(forAttempt: $0.attempt, peers: 2) } == [0, 1])
        f.advance(by: 600 * ms)  // attempt 1's answer (sent at 0, arrives at 1.5 s)
        f.forwardInvites()
        #expect(f.table.lookup(key)?.online == .open)
        #expect(f.pipeline.charging.lateAnswers == 0)  // a retransmission was out: not late
        f.advance(by: 1 * second)
        #expect(f.pipeline.dispatcher.counters.unmatchedAnswers == 1)
        #expect(f.pipeline.client.ledger.entry(key)?.duplicates == 1)
    }

    /// A CH-1 interim answered after Tx: retransmitted with the T flag; whichever answer
    /// comes first acknowledges the record (RFC 6733 §9.4); the usage is charged once.
    @Test func aLateAccountingAnswerAcknowledgesTheRecordOnce() throws {
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = nil  // the client's 0: every message
        let client = ScriptedClient(e) { r in r.kind == .offlineInterim && r.attempt == 1 ? 1200 * ms : 1 * ms }
        let f = PipelineFixture(Self.configuration(.offline, .continue), client: client)
        let key = f.setUp("s1")
        try f.feed(message("s1", size: 100))
        f.advance(by: 1000 * ms)
        #expect(f.pipeline.client.sent.filter { $0.kind == .offlineInterim }.map(\.isRetransmission) == [false, true])
        f.advance(by: 300 * ms)
        #expect(f.pipeline.dispatcher.inFlight == 0)
        #expect(f.pipeline.dispatcher.counters.unmatchedAnswers == 1)
        f.pipeline.endSession(key, now: f.now)
        f.advance(by: 100 * ms)
        let entry = try #require(f.pipeline.client.ledger.entry(key))
        #expect(entry.offline == ChargingUsage(messages: 1, bytes: 100) && entry.duplicates == 1)
    }

    /// Two interims answered in the reverse order: both acknowledged; the interval of the
    /// newer record stays.
    @Test func answersOutOfOrderAreMatched() throws {
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = nil
        let client = ScriptedClient(e) { r in r.kind == .offlineInterim && r.number == 1 ? 800 * ms : 100 * ms }
        let f = PipelineFixture(Self.configuration(.offline, .continue), client: client)
        let key = f.setUp("s1")
        try f.feed(message("s1", size: 10, messageID: "msg00001"))
        f.advance(by: 10 * ms)
        try f.feed(message("s1", size: 20, messageID: "msg00002"))
        f.advance(by: 200 * ms)  // record 2's answer first
        #expect(f.pipeline.dispatcher.inFlight == 1)
        f.advance(by: 700 * ms)  // then record 1's
        #expect(f.pipeline.dispatcher.inFlight == 0)
        #expect(f.pipeline.charging.lateAnswers == 0 && f.pipeline.dispatcher.counters.unmatchedAnswers == 0)
        #expect(f.pipeline.client.ledger.entry(key)?.offline == ChargingUsage(messages: 2, bytes: 30))
    }

    /// A request never answered and not retransmitted is forgotten one Tx after its timeout;
    /// nothing stays in flight.
    @Test func anUnansweredRecordIsForgottenAfterTheLateWindow() {
        let client = ScriptedClient { r in r.kind == .onlineInitial ? nil : 1 * ms }
        let f = PipelineFixture(Self.configuration(.online, .terminate), client: client)
        let key = SessionKey("s1")!
        f.pipeline.invite(key, now: 0)
        f.advance(by: 1000 * ms)
        #expect(f.pipeline.dispatcher.inFlight == 1)
        f.advance(by: 1000 * ms)
        #expect(f.pipeline.dispatcher.inFlight == 0 && f.pipeline.dispatcher.counters.forgotten == 1)
    }

    @Test func attemptsGoToThePrimaryThenTheAlternates() {
        #expect((1...5).map { ChargingPeers.peer(forAttempt: UInt8($0), peers: 3) } == [0, 1, 2, 0, 1])
        #expect((1...3).map { ChargingPeers.peer(forAttempt: UInt8($0), peers: 1) } == [0, 0, 0])
    }
}
