import ArgumentParser
import Charging
import Foundation
import IMServer
import LoadGenerator
import Logging
import Testing

@testable import MSRPChargeCommands

/// `msrpcharge load` as a user runs it, against a server in the same process: the JSON read
/// back, `--fail-if` exit statuses, bad options refused with their value.
@Suite(.serialized) struct LoadCommandTests {
    static func server() throws -> (IMServer<EmbeddedChargingEnabler>, Int) {
        var c = IMServerConfiguration()
        c.sipPort = 0
        c.msrpPort = 0
        c.workers = 1
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let s = IMServer(configuration: c, client: EmbeddedChargingEnabler(model), answerPoll: nil, logger: logger)
        return (s, try s.start().sipPort)
    }

    @Test func writesItsJSONAndFailsOnlyWhenAConditionHolds() throws {
        let (server, sip) = try Self.server()
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("load-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: json) }
        let common = ["--target", "sip:127.0.0.1:\(sip)", "--sessions", "4", "--duration", "0.5", "--workers", "1"]
        let csv = json + ".csv"
        let html = json + ".html"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        defer { try? FileManager.default.removeItem(atPath: html) }
        var ok = try Load.parseAsRoot(
            common.map { $0 == "0.5" ? "2.2" : $0 } + [
                "--json", json, "--interval-csv", csv, "--fail-if", "delivery", "--html", html,
            ]
        )
        try ok.run()
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "second,seconds,chunks_per_sec,messages_per_sec,p50_us,p99_us,max_us")
        #expect(rows.count == 3, "two whole seconds in 2.2 s: \(rows)")
        #expect(
            rows.dropFirst().allSatisfy { ($0.split(separator: ",").dropFirst(2).first.flatMap { Int($0) } ?? 0) > 0 }
        )
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        )
        #expect(
            Set(object.keys) == [
                "sessions", "sessionsSetUp", "setupFailures", "setupSeconds", "seconds", "chunksSent",
                "chunksPerSecond",
                "responses", "messagesSent", "abortedSent", "bytesSent", "messagesDelivered", "abortedDelivered",
                "bytesDelivered", "delivery", "latency", "window", "generatorCPUSeconds", "sendQueueFull",
                "kind", "workload", "intervals", "failedConditions", "totalSessions", "byesUnanswered",
            ]
        )
        #expect(object["kind"] as? String == "load")
        #expect((object["intervals"] as? [Any])?.count == 2)
        #expect((object["workload"] as? String)?.contains("4 sessions against sip:127.0.0.1:\(sip) over udp") == true)
        // The page: the delivery check passed, the four latency curves, chunks/s second by second.
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("data-check=\"delivery\" data-ok=\"true\""))
        for name in ["session set-up (INVITE → 200)", "SEND → 200", "message delivery", "BYE → 200"] {
            #expect(page.contains("class=\"series\" data-run=\"load\" data-name=\"\(name)\""), "\(name)")
        }
        #expect(page.contains("id=\"chunks-per-second\""))
        // Read back by `report`, the saved load report draws the same curves, labelled by its file.
        var report = try Report.parseAsRoot([json, "--html", html])
        try report.run()
        let label = URL(fileURLWithPath: json).deletingPathExtension().lastPathComponent
        let saved = try String(contentsOfFile: html, encoding: .utf8)
        #expect(saved.contains("class=\"series\" data-run=\"\(label)\" data-name=\"SEND → 200\""))
        #expect(saved.contains("data-run=\"\(label)\" data-check=\"delivery\" data-ok=\"true\""))
        // "rate" is there only with --rate (this run keeps a window).
        #expect((object["delivery"] as? [String: Any])?["ok"] as? Bool == true)
        #expect(
            Set(((object["latency"] as? [String: Any]) ?? [:]).keys) == ["sessionSetUp", "chunk", "delivery", "bye"]
        )
        #expect((object["chunksSent"] as? Int ?? 0) > 0)
        var failing = try Load.parseAsRoot(common + ["--fail-if", "chunks-per-second<1000000000"])
        #expect {
            try failing.run()
        } throws: { error in
            (error as? ExitCode) == ExitCode(3)
        }
    }

    /// Three `load --partition I/3` against one server send exactly what one run does, and
    /// `merge` makes the run's report of theirs (counts summed, histograms added).
    @Test func partitionsSendWhatOneRunDoesAndMerge() throws {
        let (server, sip) = try Self.server()
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("load-merge-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = [
            "--target", "sip:127.0.0.1:\(sip)", "--sessions", "12", "--chunks", "3000", "--size", "1-3000",
            "--multi-chunk-share", "0.3", "--aborted-share", "0.05", "--seed", "9", "--workers", "1", "--duration",
            "30",
        ]
        var whole = try Load.parseAsRoot(common + ["--json", dir + "/whole.json"])
        try whole.run()
        for i in 0..<3 {
            var part = try Load.parseAsRoot(common + ["--partition", "\(i)/3", "--json", dir + "/p\(i).json"])
            try part.run()
        }
        var merge = try Merge.parseAsRoot([
            dir + "/p0.json", dir + "/p1.json", dir + "/p2.json", "--json", dir + "/merged.json", "--hgrm",
            dir + "/hgrm",
        ])
        try merge.run()
        // The merged histograms as .hgrm files: SEND → 200's holds every response's sample.
        let hgrm = try String(contentsOfFile: dir + "/hgrm/chunk.hgrm", encoding: .utf8)
        #expect(hgrm.contains("Percentile") && hgrm.contains("#[Max"))
        func object(_ name: String) throws -> [String: Any] {
            try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
                    as? [String: Any]
            )
        }
        let w = try object("whole.json")
        let m = try object("merged.json")
        for key in [
            "chunksSent", "messagesSent", "abortedSent", "bytesSent", "bytesDelivered", "sessions", "sessionsSetUp",
        ] {
            #expect(m[key] as? Int == w[key] as? Int, "\(key): merged \(m[key] ?? "-"), one run \(w[key] ?? "-")")
        }
        #expect((m["delivery"] as? [String: Any])?["ok"] as? Bool == true)
        let p1 = try object("p1.json")
        #expect(m["partition"] == nil && p1["partition"] as? String == "1/3" && p1["totalSessions"] as? Int == 12)
        let chunk = (m["latency"] as? [String: Any])?["chunk"] as? [String: Any]
        #expect(chunk?["count"] as? Int == (w["responses"] as? [String: Int])?["200"])
        // A partition twice is refused.
        var twice = try Merge.parseAsRoot([dir + "/p0.json", dir + "/p0.json", dir + "/p2.json"])
        #expect {
            try twice.run()
        } throws: { error in
            "\(error)".contains("overlapping partitions: 0/3 is in both p0.json and p0.json")
        }
    }

    @Test func refusesBadOptionsWithTheirValue() {
        #expect(throws: (any Error).self) { _ = try Load.parseAsRoot(["--target", "127.0.0.1:5060"]) }
        do {
            _ = try Load.parseAsRoot(["--window", "0"])
            Issue.record("--window 0 accepted")
        } catch {
            #expect(Load.message(for: error).contains("--window must be from 1 to 65536, got 0"))
        }
        do {
            _ = try Load.parseAsRoot(["--fail-if", "speed"])
            Issue.record("--fail-if speed accepted")
        } catch {
            #expect(Load.message(for: error).contains("'speed'"))
        }
        do {
            _ = try Load.parseAsRoot(["--recipient", "bob@example.test"])
            Issue.record("--recipient without sip: accepted")
        } catch {
            #expect(Load.message(for: error).contains("got 'bob@example.test'"))
        }
        do {
            _ = try Load.parseAsRoot(["--recipient", "sip:bob@example.test", "--setup", "conference"])
            Issue.record("--recipient with a conference accepted")
        } catch {
            #expect(Load.message(for: error).contains("--setup conference"))
        }
    }

    /// A run that needs more descriptors than the process may open is refused before it
    /// starts, with the numbers: two connections a session (one with `--recipient`).
    @Test func aRunPastTheOpenFileLimitIsRefusedWithItsNumbers() throws {
        let limit = FileDescriptorLimit.raise()
        #expect(limit == FileDescriptorLimit.hard, "the soft limit is raised to the hard one")
        guard limit < 1 << 30 else {
            print("SKIPPED: no finite limit on open files here (\(limit))")
            return
        }
        var c = LoadConfiguration()
        c.model.sessions = limit / 2
        do {
            try Load.checkOpenFiles(c)
            Issue.record("\(c.model.sessions) sessions accepted under a limit of \(limit) open files")
        } catch {
            let text = "\(error)"
            #expect(text.contains("\(limit / 2) sessions need about \((limit / 2) * 2 + 64) open files"), "\(text)")
            #expect(text.contains("may open \(limit)") && text.contains("--partition"), "\(text)")
        }
        c.externalRecipient = "sip:bob@example.test"
        try Load.checkOpenFiles(c)  // one connection a session: fits
        c.model.sessions = 100
        c.externalRecipient = nil
        try Load.checkOpenFiles(c)
    }
}

/// `reconcile` with a load report: session by session, the ledger must hold what load sent.
@Suite struct ReconcileLoadReportTests {
    static func files(ledgerBytes: UInt64) throws -> (String, String) {
        let dir = FileManager.default.temporaryDirectory.path + "/reconcile-load-\(getpid())-\(ledgerBytes)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let load = """
            {"sessions": 1, "sessionsSetUp": 1, "setupFailures": {}, "setupSeconds": 0.1, "seconds": 1,
             "chunksSent": 3, "chunksPerSecond": 3, "responses": {"200": 3}, "messagesSent": 2, "abortedSent": 1,
             "bytesSent": 300, "messagesDelivered": 2, "abortedDelivered": 1, "bytesDelivered": 300,
             "delivery": {"ok": true, "detail": ""}, "latency": {}, "window": 16, "generatorCPUSeconds": 0.1,
             "sendQueueFull": 0,
             "sessionUsage": [{"session": "abc123def456", "messages": 2, "abortedMessages": 1, "bytes": 300}]}
            """
        let ledger = """
            {"sessions": [{"session": "abc123def456", "offlineMessages": 3, "offlineBytes": \(ledgerBytes),
              "onlineUnits": 0, "duplicates": 0, "offlineStarted": true, "offlineStopped": true,
              "onlineInitiated": false, "onlineTerminated": false}],
             "totalOfflineMessages": 3, "totalOfflineBytes": \(ledgerBytes), "totalOnlineUnits": 0, "duplicatesDropped": 0,
             "accountingRequests": 3, "creditControlRequests": 0, "answersByResultCode": {}, "refusedByResultCode": {}}
            """
        try load.write(toFile: dir + "/load.json", atomically: true, encoding: .utf8)
        try ledger.write(toFile: dir + "/ledger.json", atomically: true, encoding: .utf8)
        return (dir + "/load.json", dir + "/ledger.json")
    }

    @Test func matchesWhatLoadSentSessionBySession() throws {
        let (load, ledger) = try Self.files(ledgerBytes: 300)
        var ok = try Reconcile.parseAsRoot([load, ledger, "--mode", "offline"])
        try ok.run()
        let (load2, ledger2) = try Self.files(ledgerBytes: 299)
        var short = try Reconcile.parseAsRoot([load2, ledger2, "--mode", "offline"])
        #expect {
            try short.run()
        } throws: { ($0 as? ExitCode) == ExitCode(1) }
        var noMode = try Reconcile.parseAsRoot([load, ledger])
        #expect {
            try noMode.run()
        } throws: { "\($0)".contains("give --mode offline, online or both") }
    }
}
