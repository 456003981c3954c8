import Charging
import DiameterNIO
import Glibc
import LoadEngine
import Testing
import Workload

/// The load engine with its requests on the wire: the Diameter client against in-process
/// `enabler` servers on loopback. Every byte accepted must be acknowledged once, also when the
/// enabler loses requests or one of two enablers goes away mid-run.
@Suite("bench over Diameter", .serialized)
struct BenchOverDiameterTests {
    static func model(_ configure: (inout WorkloadModel) -> Void = { _ in }) -> WorkloadModel {
        var m = WorkloadModel()
        m.sessions = 200
        m.workers = 2
        m.totalChunks = 20_000
        m.shards = 16
        m.templateBytes = 1 << 20
        m.charging.mode = .both
        m.charging.defaultInterimInterval = 0
        m.enabler.interimInterval = nil
        configure(&m)
        return m
    }

    static func server(
        busyShare: Double = 0,
        _ configure: (inout EmbeddedEnablerConfiguration) -> Void = { _ in }
    ) throws -> (DiameterEnablerServer, Int) {
        var c = EmbeddedEnablerConfiguration()
        c.latency = .fixed(0)
        c.interimInterval = nil
        configure(&c)
        let s = DiameterEnablerServer(
            enabler: EmbeddedChargingEnabler(c, expectedSessions: 256),
            identity: DiameterLocalIdentity(originHost: "ocs.test", originRealm: "test", originStateID: 1),
            busyShare: busyShare
        )
        return (s, try s.start(host: "127.0.0.1", port: 0))
    }

    /// What several enablers charged, session by session: an ACR carries the session's totals
    /// (RFC 7155), so a session's charge is the largest any enabler saw, and the sessions add up.
    static func chargedBytes(_ servers: [DiameterEnablerServer]) -> UInt64 {
        var perSession: [SessionKey: UInt64] = [:]
        for s in servers {
            s.enabler.ledger.entries.forEach { key, e in perSession[key] = max(perSession[key] ?? 0, e.offline.bytes) }
        }
        return perSession.values.reduce(0, +)
    }

    static func client(_ ports: [Int], _ m: WorkloadModel) throws -> DiameterChargingClient {
        try DiameterChargingClient.connect(
            ports.map { DiameterChargingClient.Endpoint(host: "127.0.0.1", port: $0) },
            identity: DiameterLocalIdentity(originHost: "bench.test", originRealm: "test", originStateID: 2),
            mapping: ChargingDiameterMapping(destinationRealm: "test"),
            expectedSessions: m.sessions,
            slotExpiry: 2 * m.charging.txTimeout
        )
    }

    @Test func everyMessageChargedOnTheWire() throws {
        let (server, port) = try Self.server()
        defer { server.stop() }
        let m = Self.model()
        let client = try Self.client([port], m)
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(r.charging.sent(.offlineInterim) == r.fed.messages, "every completed message charged")
        // The server's own ledger holds what was accepted: messages (completed and aborted
        // together on Rf), bytes, and the CH-2 units.
        let t = server.enabler.ledger.totals
        #expect(t.sessions == m.sessions)
        #expect(t.offline.messages == r.counters.accepted.messages + r.counters.accepted.abortedMessages)
        #expect(t.offline.bytes == r.counters.accepted.bytes)
        #expect(t.onlineUnits == r.counters.accepted.bytes)
        #expect(t.offlineOpen == 0 && t.onlineOpen == 0)
        let d = try #require(r.diameter?.first)
        let offline = r.charging.sent(.offlineStart) + r.charging.sent(.offlineInterim) + r.charging.sent(.offlineStop)
        #expect(d.accountingRequests == offline)
        #expect(d.answersByResultCode == [2001: d.accountingRequests + d.creditControlRequests])
        #expect(d.accountingAnswersByResultCode == [2001: d.accountingRequests])
        #expect(d.creditControlAnswersByResultCode == [2001: d.creditControlRequests])
        #expect(d.unmatchedAnswers == 0 && d.malformedAnswers == 0 && d.peerOriginHost == "ocs.test")
        #expect(d.roundTrip.totalCount == d.accountingRequests + d.creditControlRequests)
    }

    /// The enabler never answers 10 % of requests (half of them recorded): Tx expires, the
    /// request goes again with the T flag and the same number, the enabler drops the duplicate.
    @Test func lostRequestsAreRetransmittedAndChargedOnce() throws {
        let (server, port) = try Self.server { $0.timeoutShare = 0.1 }
        defer { server.stop() }
        // Paced well inside what a debug build carries on two cores (a worker thread each, the
        // client's and the server's event loops), so that only the lost requests wait out Tx.
        let m = Self.model {
            $0.totalChunks = nil
            $0.duration = 1_000_000_000
            $0.targetRate = 4_000
            $0.charging.txTimeout = 100_000_000
            $0.charging.mode = .offline
        }
        let client = try Self.client([port], m)
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(r.charging.retransmissions > 0)
        let d = try #require(r.diameter?.first)
        #expect(d.retransmissions == r.charging.retransmissions)
        let t = server.enabler.ledger.totals
        #expect(t.duplicates > 0)
        #expect(t.offline.bytes == r.counters.accepted.bytes)
    }

    /// An enabler that sheds 10 % of requests with DIAMETER_TOO_BUSY (3004): with one peer the
    /// owner's Tx sends them again; with two, the other peer takes them at once (T flag).
    /// Either way nothing is charged twice or lost.
    @Test(arguments: [1, 2])
    func busyAnswersAreSentAgain(peers: Int) throws {
        let servers = try (0..<peers).map { i in try Self.server(busyShare: i == 0 ? 0.1 : 0) }
        defer { for (s, _) in servers { s.stop() } }
        let m = Self.model {
            $0.totalChunks = nil
            $0.duration = 1_000_000_000
            $0.targetRate = 4_000
            // One peer: Tx sends the busy ones again, so it is short. Two: the other peer takes
            // them at once, and a short Tx would also fire for answers merely slow (a loaded
            // machine), sending them to the other enabler, whose ledger is not the first's:
            // that is a duplicate only reconcile over both journals can count once.
            $0.charging.txTimeout = peers == 1 ? 100_000_000 : 2_000_000_000
        }
        let client = try Self.client(servers.map(\.1), m)
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        let d = try #require(r.diameter)
        let busy = d[0].answersByResultCode[3004] ?? 0
        #expect(busy > 0)
        if peers == 1 {
            #expect(r.charging.timeouts >= busy, "each busy answer left to Tx")
        } else {
            #expect(d[0].failedOver >= busy && d[1].retransmissions >= busy, "each busy answer sent to the other peer")
        }
        let charged = Self.chargedBytes(servers.map(\.0))
        #expect(charged == r.counters.accepted.bytes, "no request charged twice")
    }

    /// Two enablers; one leaves (DPR) a third of the way in. Requests for it wait, Tx sends
    /// them to the other with the T flag, and the usage acknowledged is still the usage
    /// accepted, session by session.
    @Test func oneOfTwoEnablersGoesAway() throws {
        let (a, portA) = try Self.server()
        let (b, portB) = try Self.server()
        defer { b.stop() }
        let m = Self.model {
            $0.totalChunks = nil
            $0.duration = 1_500_000_000
            $0.targetRate = 4_000
            $0.charging.txTimeout = 100_000_000
            $0.charging.mode = .offline
        }
        let client = try Self.client([portA, portB], m)
        var stopper = pthread_t()
        let box = Unmanaged.passRetained(a)
        pthread_create(
            &stopper,
            nil,
            { arg in
                usleep(500_000)
                let server = Unmanaged<DiameterEnablerServer>.fromOpaque(arg!).takeRetainedValue()
                server.stop()
                return nil
            },
            box.toOpaque()
        )
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        pthread_join(stopper, nil)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        let peers = try #require(r.diameter)
        #expect(peers.count == 2 && peers[0].disconnects >= 1)
        #expect(peers[1].accountingRequests > peers[0].accountingRequests, "the second took over")
        // What the two enablers recorded is what was accepted: a record charged by the one that
        // left, whose answer was lost, and charged again by the other carries the same session
        // total, so it is not counted twice (before session totals, the sum here could only be
        // said to cover what was accepted).
        #expect(Self.chargedBytes([a, b]) == r.counters.accepted.bytes)
    }
}
