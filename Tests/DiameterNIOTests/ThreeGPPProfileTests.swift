import Charging
import DiameterNIO
import LoadEngine
import Testing
import Workload

/// The engine against an enabler as strict as an operator's OCS/OFCS (`--require-3gpp`) that
/// answers as one does (`--operator-avps`): with the 3GPP profile every request is taken and
/// every answer read (none malformed), the usage exact; with the minimal profile every set-up
/// is refused, as a real OCS refuses it.
@Suite("3GPP charging profile over Diameter", .serialized)
struct ThreeGPPProfileTests {
    /// An enabler on loopback, answering at once, as strict and as talkative as asked.
    static func server(
        require3GPP: Bool = false,
        operatorAVPs: Bool = false,
        transientShare: Double = 0
    ) throws -> (DiameterEnablerServer, Int) {
        var c = EmbeddedEnablerConfiguration()
        c.latency = .fixed(0)
        c.interimInterval = nil
        let server = DiameterEnablerServer(
            enabler: EmbeddedChargingEnabler(c, expectedSessions: 256),
            identity: DiameterLocalIdentity(originHost: "ocs.test", originRealm: "test", originStateID: 1),
            transientShare: transientShare,
            require3GPP: require3GPP,
            operatorAVPs: operatorAVPs
        )
        return (server, try server.start(host: "127.0.0.1", port: 0))
    }

    static func run(_ profile: ChargingDiameterMapping.Profile) throws -> RunResultSummary {
        let (server, port) = try Self.server(require3GPP: true, operatorAVPs: true)
        defer { server.stop() }
        let m = BenchOverDiameterTests.model()
        let client = try DiameterChargingClient.connect(
            [DiameterChargingClient.Endpoint(host: "127.0.0.1", port: port)],
            identity: DiameterLocalIdentity(originHost: "bench.test", originRealm: "test", originStateID: 2),
            mapping: ChargingDiameterMapping(
                destinationRealm: "test",
                profile: profile,
                ratingGroup: profile == .threeGPP ? 1 : nil
            ),
            expectedSessions: m.sessions,
            slotExpiry: 2 * m.charging.txTimeout
        )
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        let d = r.diameter?.first
        return RunResultSummary(
            conservationOK: r.conservation.ok,
            detail: r.conservation.detail,
            accepted: r.counters.accepted.bytes,
            ledgerBytes: server.enabler.ledger.totals.offline.bytes,
            malformed: d?.malformedAnswers ?? 0,
            creditControlCodes: d?.creditControlAnswersByResultCode ?? [:],
            sessionsSetUp: r.workers.reduce(0) { $0 + $1.sessionsSetUp },
            openReservations: server.enabler.ledger.totals.onlineOpen
        )
    }

    struct RunResultSummary {
        var conservationOK: Bool
        var detail: String
        var accepted: UInt64
        var ledgerBytes: UInt64
        var malformed: UInt64
        var creditControlCodes: [UInt32: UInt64]
        var sessionsSetUp: Int
        var openReservations: Int
    }

    @Test func theThreeGPPProfileIsTakenAndTheOperatorsAnswersRead() throws {
        let r = try Self.run(.threeGPP)
        #expect(r.conservationOK, "\(r.detail)")
        #expect(r.malformed == 0, "Cost-Information, CC-Session-Failover and Low-Balance-Indication are read")
        #expect(r.creditControlCodes.keys.allSatisfy { $0 == 2001 }, "\(r.creditControlCodes)")
        #expect(r.ledgerBytes == r.accepted && r.accepted > 0)
        #expect(r.openReservations == 0, "every reservation closed")
    }

    @Test func theMinimalProfileIsRefusedAsAnOperatorWould() throws {
        let r = try Self.run(.minimal)
        #expect(r.sessionsSetUp == 0)
        #expect((r.creditControlCodes[5004] ?? 0) > 0, "another Service-Context-Id than 32260@3gpp.org: \(r.creditControlCodes)")
    }

    /// An OFCS answering 4002 (DIAMETER_OUT_OF_SPACE, transient, RFC 6733 §7.1.4) to a share of
    /// ACRs: each such record is sent again after Tx (T flag) rather than taken as answered, so
    /// the usage is all charged.
    @Test func transientAccountingFailuresAreSentAgain() throws {
        let (server, port) = try Self.server(transientShare: 0.05)
        defer { server.stop() }
        let m = BenchOverDiameterTests.model {
            $0.charging.mode = .offline
            // Long enough that an answer merely slow (a loaded machine) is not retransmitted
            // until its attempts run out; a 4002 waits one Tx before it goes again.
            $0.charging.txTimeout = 1_000_000_000
        }
        let client = try BenchOverDiameterTests.client([port], m)
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        let d = try #require(r.diameter?.first)
        #expect(d.transientAccountingFailures > 0)
        #expect(r.charging.retransmissions >= d.transientAccountingFailures)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(server.enabler.ledger.totals.offline.bytes == r.counters.accepted.bytes)
    }
}
