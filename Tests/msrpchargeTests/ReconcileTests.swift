import Charging
import RunReport
import DiameterNIO
import Foundation
import Glibc
import LoadEngine
import Testing

@testable import MSRPChargeCommands
import Workload

/// `reconcile` against what two enablers journalled while one of them died mid-run (closed
/// every connection at once, as a killed process does, with nothing more answered).
@Suite("reconcile", .serialized)
struct ReconcileTests {
    static func server(journal: String) throws -> (DiameterEnablerServer, Int) {
        var c = EmbeddedEnablerConfiguration()
        c.latency = .fixed(0)
        c.interimInterval = nil
        let s = DiameterEnablerServer(
            enabler: EmbeddedChargingEnabler(c, expectedSessions: 256),
            identity: DiameterLocalIdentity(originHost: "ocs.test", originRealm: "test", originStateID: 1),
            journal: try LedgerJournal(path: journal)
        )
        return (s, try s.start(host: "127.0.0.1", port: 0))
    }

    static func run(abortFirst: Bool) throws -> (BenchReport, [Reconciliation.Source]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reconcile-\(getpid())-\(abortFirst)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = [dir.appendingPathComponent("a.journal").path, dir.appendingPathComponent("b.journal").path]
        let (a, portA) = try Self.server(journal: paths[0])
        let (b, portB) = try Self.server(journal: paths[1])
        // Stopped however the test ends (the one that dies is stopped by its killer).
        defer {
            if !abortFirst { a.stop() }
            b.stop()
        }
        var m = WorkloadModel()
        m.sessions = 200
        m.workers = 2
        m.shards = 16
        m.templateBytes = 1 << 20
        m.duration = 1_500_000_000
        m.targetRate = 4_000
        m.charging.mode = .both
        m.charging.defaultInterimInterval = 0
        m.charging.txTimeout = 100_000_000
        m.enabler.interimInterval = nil
        let client = try DiameterChargingClient.connect(
            [portA, portB].map { DiameterChargingClient.Endpoint(host: "127.0.0.1", port: $0) },
            identity: DiameterLocalIdentity(originHost: "bench.test", originRealm: "test", originStateID: 2),
            mapping: ChargingDiameterMapping(destinationRealm: "test"),
            expectedSessions: m.sessions,
            slotExpiry: 2 * m.charging.txTimeout
        )
        var killer = pthread_t()
        if abortFirst {
            pthread_create(
                &killer,
                nil,
                { arg in
                    usleep(500_000)
                    Unmanaged<DiameterEnablerServer>.fromOpaque(arg!).takeRetainedValue().abort()
                    return nil
                },
                Unmanaged.passRetained(a).toOpaque()
            )
        }
        defer { client.close() }
        let r = try LoadRun.run(m, remote: client.enablerClient, peerCounters: client.countersNow)
        if abortFirst { pthread_join(killer, nil) }
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        var report = BenchReport(r)
        report.addSessions(r)
        let sources = try paths.map { p in
            Reconciliation.Source.journal(p, try String(contentsOfFile: p, encoding: .utf8))
        }
        return (report, sources)
    }

    @Test func oneOfTwoEnablersDiesAndNothingIsLost() throws {
        let (report, sources) = try Self.run(abortFirst: true)
        let result = try Reconciliation.run(report, sources)
        #expect(result.ok, "\(result.summary) \(result.differences.prefix(3))")
        // Both journals hold records: the one that died, until it died.
        for case .journal(let path, let text) in sources { #expect(!text.isEmpty, "\(path)") }
    }

    /// A record missing from the journals, or one too many, is a difference.
    @Test func aMissingOrExtraRecordFails() throws {
        let (report, sources) = try Self.run(abortFirst: false)
        #expect(try Reconciliation.run(report, sources).ok)
        guard case .journal(let path, let text) = sources[0] else { return }
        // A record that carries usage (a stop or a termination with nothing pending carries none)
        // and that the other journal does not hold too (a retransmission after Tx may have gone
        // to the other enabler).
        guard case .journal(_, let other) = sources[1] else { return }
        let elsewhere = Set(
            other.split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        )
        var lines = text.split(separator: "\n")
        let index = try #require(
            lines.lastIndex {
                !$0.hasSuffix(" 0") && !$0.hasSuffix(" T")
                    && !elsewhere.contains($0.split(separator: " ").prefix(3).joined(separator: " "))
            }
        )
        let dropped = lines.remove(at: index)
        let fewer = try Reconciliation.run(
            report,
            [.journal(path, lines.joined(separator: "\n"))] + sources.dropFirst()
        )
        #expect(!fewer.ok && fewer.differences.count == 1, "\(dropped)")
        let extra = try Reconciliation.run(report, sources + [.journal("x", "O s9999999 0 1 10\n")])
        #expect(!extra.ok && extra.differences.first?.contains("no such session") == true)
        // The same record with other usage, in a third journal.
        var fields = dropped.split(separator: " ").map(String.init)
        fields[fields.count - 1] = String(UInt64(fields[fields.count - 1])! + 1)
        let conflicting = try Reconciliation.run(
            report,
            sources + [.journal("y", fields.joined(separator: " ") + "\n")]
        )
        #expect(!conflicting.ok)

        // A record charged twice: by a second enabler without the T flag, or twice by one.
        let again = String(dropped) + "\n"
        let byTwo = try Reconciliation.run(report, sources + [.journal("z", again)])
        #expect(!byTwo.ok)
        let named = byTwo.differences.first { $0.hasPrefix("double charge") } ?? ""
        let f = dropped.split(separator: " ")
        #expect(named.contains(" \(f[2]) of session \(f[1])") && named.contains("two enablers"), "\(named)")
        #expect(byTwo.summary.contains("1 double charges"), "\(byTwo.summary)")
        let twiceByOne = try Reconciliation.run(
            report,
            [.journal(path, text + again)] + sources.dropFirst()
        )
        #expect(!twiceByOne.ok)
        #expect(twiceByOne.differences.contains { $0.contains("charged twice by one enabler") })
        // The same record retransmitted with the T flag to another enabler: de-duplicated
        // downstream, counted once, no difference.
        let retransmitted = try Reconciliation.run(report, sources + [.journal("t", String(dropped) + " T\n")])
        #expect(retransmitted.ok, "\(retransmitted.differences.prefix(2))")
    }

    /// A journal line that is not one is refused with its place and text.
    @Test func aMalformedJournalLineIsRefused() throws {
        let extraField = #expect(throws: ReconciliationError.self) {
            try Reconciliation.run([], mode: "offline", unit: "bytes", [.journal("j", "O s1 1 2 3 X\n")])
        }
        #expect(extraField?.description.contains("j:1: not a journal line: 'O s1 1 2 3 X'") == true)
        let short = #expect(throws: ReconciliationError.self) {
            try Reconciliation.run([], mode: "offline", unit: "bytes", [.journal("j", "C s1 1\n")])
        }
        #expect(short?.description.contains("j:1") == true)
    }

    /// `A` lines hold session totals (what an ACR carries, RFC 7155 §4.4): a session's charge
    /// is its largest total, in any journal and any order; a lost STOP shows, a lost INTERIM
    /// before it does not (the STOP holds its usage), and the same record again counts once.
    @Test func sessionTotalsAreChargedByTheirLargest() throws {
        let usage = [SessionUsage(session: "s1", messages: 3, abortedMessages: 0, bytes: 390)]
        func run(_ journals: [String]) throws -> Reconciliation.Result {
            try Reconciliation.run(
                usage,
                mode: "offline",
                unit: "bytes",
                journals.enumerated().map { .journal("j\($0.offset)", $0.element) }
            )
        }
        let all = "A s1 0 0 0\nA s1 1 1 100\nA s1 2 2 350\nA s1 3 3 390\n"
        #expect(try run([all]).ok)
        #expect(try run(["A s1 3 3 390\nA s1 0 0 0\nA s1 2 2 350\n"]).ok, "out of order, an interim lost")
        let noStop = try run(["A s1 0 0 0\nA s1 1 1 100\nA s1 2 2 350\n"])
        #expect(!noStop.ok && noStop.differences.first?.contains("350 bytes") == true, "\(noStop.differences)")
        #expect(try run([all, "A s1 3 3 390 T\n"]).ok, "a failover's retransmission, counted once")
        let summed = try run(["O s1 1 1 100\nO s1 2 1 250\nO s1 3 1 40\n"])
        #expect(summed.ok, "O lines (a record's own usage) still add up")
    }

    /// Two enablers' ledgers that both hold a session (a failover): its CH-1 figures are
    /// session totals, so it is charged the larger of them, not their sum; its CH-2 units,
    /// reported per request, add up.
    @Test func ledgersCombineBySessionTotals() throws {
        func ledger(_ bytes: UInt64, _ messages: UInt64, units: UInt64) throws -> EnablerLedgerFile {
            let json = """
                {"sessions": [{"session": "s1", "offlineMessages": \(messages), "offlineBytes": \(bytes),
                  "onlineUnits": \(units), "duplicates": 0, "offlineStarted": true, "offlineStopped": true,
                  "onlineInitiated": true, "onlineTerminated": true}],
                 "totalOfflineMessages": \(messages), "totalOfflineBytes": \(bytes), "totalOnlineUnits": \(units),
                 "duplicatesDropped": 0, "accountingRequests": 3, "creditControlRequests": 2,
                 "answersByResultCode": {}, "refusedByResultCode": {}}
                """
            return try JSONDecoder().decode(EnablerLedgerFile.self, from: Data(json.utf8))
        }
        let usage = [SessionUsage(session: "s1", messages: 3, abortedMessages: 0, bytes: 390)]
        let first = try ledger(350, 2, units: 200)
        let second = try ledger(390, 3, units: 190)
        let r = try Reconciliation.run(usage, mode: "both", unit: "bytes", [.ledger(first), .ledger(second)])
        #expect(r.ok, "\(r.differences)")
        let short = try Reconciliation.run(usage, mode: "both", unit: "bytes", [.ledger(first)])
        #expect(!short.ok, "the first alone lacks the STOP's usage")
    }
}
