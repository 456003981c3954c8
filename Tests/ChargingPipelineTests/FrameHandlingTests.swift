import Charging
import ChargingPipeline
import MSRP
import Testing

/// What the pipeline does with each kind of frame (RFC 4975 §7), with Failure-Report's rules
/// (§7.1.2), on bytes as a client would send them.
@Suite("Pipeline: frames and responses")
struct FrameHandlingTests {
    static func fixture(
        _ mode: ChargingMode = .offline,
        interval: Int64 = 0
    ) -> PipelineFixture<EmbeddedChargingEnabler> {
        var c = ChargingConfiguration(mode: mode)
        c.defaultInterimInterval = interval
        c.firstInterimJitter = 0
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = nil
        e.latency = .fixed(1 * ms)
        return PipelineFixture(c, client: EmbeddedChargingEnabler(e))
    }

    @Test func sendIsChargedAndAnswered() throws {
        let f = Self.fixture()
        let key = f.setUp("s1")
        let out = try f.feed(message("s1", size: 300, chunkSize: 100))
        #expect(out.map(\.status) == [200, 200, 200])
        #expect(f.pipeline.counters.accepted == ChargingUsage(messages: 1, bytes: 300))
        #expect(f.pipeline.charging.sent(.offlineInterim) == 1)  // interval 0: every message
        #expect(f.table.lookup(key)?.accepted == ChargingUsage(messages: 1, bytes: 300))
    }

    @Test func reportIsNeitherChargedNorAnswered() throws {
        let f = Self.fixture()
        let key = f.setUp("s1")
        let out = try f.feed(
            request(
                "REPORT",
                "s1",
                headers: [
                    "Message-ID: msg00001", "Byte-Range: 1-10/10", "Status: 000 200 OK",
                ]
            )
        )
        #expect(out.isEmpty)
        #expect(f.pipeline.counters.reports == 1)
        #expect(f.pipeline.counters.chunks == 0)
        #expect(f.table.lookup(key)?.accepted == .zero)
        #expect(f.pipeline.charging.interimTriggers == 0)
    }

    @Test func anUnknownMethodGets501AndIsNotCharged() throws {
        let f = Self.fixture()
        let key = f.setUp("s1")
        let out = try f.feed(request("NICKNAME", "s1", tid: "tidnick1"))
        #expect(out.map(\.status) == [501])
        #expect(out.map(\.tid) == ["tidnick1"])
        #expect(f.pipeline.counters.unknownMethods == 1 && f.pipeline.counters.responses501 == 1)
        #expect(f.table.lookup(key)?.accepted == .zero)
        // Under Failure-Report: no, not even the error goes out.
        let none = try f.feed(request("NICKNAME", "s1", tid: "tidnick2", headers: ["Failure-Report: no"]))
        #expect(none.isEmpty)
        #expect(f.pipeline.counters.responsesWithheld == 1)
    }

    @Test func aResponseEndsItsTransactionAndIsNotCharged() throws {
        let f = Self.fixture()
        let key = f.setUp("s1")
        let bytes = Array(
            "MSRP tidresp1 200 OK\r\nTo-Path: msrp://server.example.com:7777/s1;tcp\r\nFrom-Path: msrp://client.example.com:8888/cs1;tcp\r\n-------tidresp1$\r\n"
                .utf8
        )
        let out = try f.feed(bytes)
        #expect(out.isEmpty)
        #expect(f.pipeline.counters.responsesReceived == 1)
        #expect(f.pipeline.counters.chunks == 0)
        #expect(f.table.lookup(key)?.accepted == .zero)
    }

    /// `no`: no transaction response at all, not even an error; the trigger still fires.
    @Test func failureReportNoGetsNoResponseAtAll() throws {
        let f = Self.fixture()
        _ = f.setUp("s1")
        let ok = try f.feed(message("s1", size: 50, failureReport: .no))
        #expect(ok.isEmpty)
        #expect(f.pipeline.charging.interimTriggers == 1)
        #expect(f.pipeline.charging.sent(.offlineInterim) == 1)
        let unknown = try f.feed(message("nosuch", size: 50, failureReport: .no))
        #expect(unknown.isEmpty)  // 481 withheld
        #expect(f.pipeline.counters.responses481 == 0 && f.pipeline.counters.responsesWithheld == 2)
    }

    /// `partial`: only non-200 responses.
    @Test func failureReportPartialGetsOnlyErrors() throws {
        let f = Self.fixture()
        let key = f.setUp("s1")
        #expect(try f.feed(message("s1", size: 50, failureReport: .partial)).isEmpty)
        #expect(try f.feed(message("nosuch", size: 50, failureReport: .partial)).map(\.status) == [481])
        // A session whose CH-1 stop went: refused with 403 (the table still holds it here).
        _ = f.table.update(key) { s in s.offline = .closed }
        #expect(try f.feed(message("s1", size: 50, failureReport: .partial)).map(\.status) == [403])
        #expect(try f.feed(message("s1", size: 50)).map(\.status) == [403])
    }

    /// After the session ends its chunks are refused, never charged into a record nobody
    /// reports: what the ledger holds is exactly what was accepted before the end.
    @Test func chunksAfterTheStopAreRefusedNotLost() throws {
        let f = Self.fixture(interval: 60 * second)
        let key = f.setUp("s1")
        try f.feed(message("s1", size: 100))
        // The Charging Enabler User alone: the stop went, the state is still there.
        var s = try #require(f.table.lookup(key))
        var out = ChargingOutbox()
        f.user.sessionEnded(&s, key, now: f.now, &out)
        #expect(!f.user.chunkAccepted(&s, key, bodyBytes: 70, flag: .end, now: f.now, &out))
        #expect(s.accepted == ChargingUsage(messages: 1, bytes: 100) && s.pending == .zero)
        // Through the pipeline: the session leaves the table at its end; a late chunk gets 481.
        let ended = f.pipeline.endSession(key, now: f.now)
        let last = try #require(ended)
        #expect(last.accepted == ChargingUsage(messages: 1, bytes: 100))
        #expect(try f.feed(message("s1", size: 70)).map(\.status) == [481])
        f.advance(by: 1 * second)
        #expect(f.pipeline.dispatcher.inFlight == 0)
        #expect(f.pipeline.client.ledger.entry(key)?.offline == ChargingUsage(messages: 1, bytes: 100))
        #expect(f.pipeline.closedSessions?.map(\.accepted) == [ChargingUsage(messages: 1, bytes: 100)])
        #expect(f.table.lookup(key) == nil)
    }
}

extension MSRPChargingPipeline {
    var client: Client { dispatcher.client }
}
