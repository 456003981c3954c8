import Foundation
import Glibc
import InteropScriptSupport
import SIP
import Testing

/// `msrpcharge serve` as a user runs it (the debug build): its printed addresses, a session
/// charged, the Prometheus text read back while it runs, SIGINT's graceful stop and report.
@Suite(.serialized) struct ServeCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func servesMetricsWhileRunningAndStopsGracefullyOnSIGINT() throws {
        let binary = InteropScript.root.appendingPathComponent(".build/debug/msrpcharge").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("SKIPPED: \(binary) is not built (swift build --build-tests builds it)")
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "serve", "--sip", "127.0.0.1:0", "--msrp", "127.0.0.1:0", "--workers", "2", "--mode", "both",
            "--interim-interval", "0", "--enabler-latency", "0", "--metrics", "127.0.0.1:0",
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var text = ""
        let deadline = now() + 20
        while !text.contains("SIP on"), now() < deadline {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        let sipPort = try #require(Int(text.firstMatch(after: "SIP on 127.0.0.1:") ?? ""), "\(text)")
        let metricsPort = try #require(Int(text.firstMatch(after: "metrics on http://127.0.0.1:") ?? ""), "\(text)")
        let s = try OneToOne.establish(sipPort: sipPort)
        for i in 0..<3 {
            s.callerStream.write(s.send(tid: "tid\(i)", messageID: "msg-\(i)", range: "1-5/5", body: "hello"))
            #expect(try s.callerStream.frames(1)[0].status == 200)
            _ = try s.recipientStream.frames(1)
        }
        let scrape = try TCPStream(connectingTo: metricsPort)
        scrape.write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        var body = ""
        while let b = scrape.readSome(timeout: 2) { body += String(decoding: b, as: UTF8.self) }
        #expect(body.hasPrefix("HTTP/1.1 200 OK"))
        let values = Dictionary(
            body.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("HTTP") }.compactMap { line in
                line.split(separator: " ").count == 2
                    ? (String(line.split(separator: " ")[0]), String(line.split(separator: " ")[1])) : nil
            },
            uniquingKeysWith: { a, _ in a }
        )
        #expect(values["msrpcharge_msrp_chunks_total"] == "3")
        #expect(values["msrpcharge_msrp_accepted_bytes_total"] == "15")
        #expect(values["msrpcharge_charging_requests_total{kind=\"ch1_interim\"}"] == "3")
        #expect(values["msrpcharge_charging_requests_total{kind=\"ch2_initial\"}"] == "1")
        #expect(values["msrpcharge_sessions_open"] == "1.0")
        #expect(values["msrpcharge_sip_setup_seconds_count"] == "1")
        #expect(values["msrpcharge_charging_round_trip_seconds_count"].flatMap { Int($0) }.map { $0 >= 5 } == true)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("sessions: 1 set up, 0 refused, 1 ended"), "\(text)")
        #expect(text.contains("conservation: ok"), "\(text)")
        #expect(try s.caller.next().method == .bye, "the session ended with a BYE to the caller")
    }

    /// Out of file descriptors, serve warns, logs the failed accepts and backs off instead of
    /// retrying accept in a busy loop, then serves again (scripts/serve-open-files.sh).
    @Test(.timeLimit(.minutes(2)))
    func outOfFileDescriptorsItBacksOffAndRecovers() throws {
        try InteropScript.check("scripts/serve-open-files.sh")
    }

    /// load's delivery check against a relay that lies (scripts/faulty-relay.sh): the honest
    /// relay passes; a chunk dropped, altered, duplicated, reordered or misrouted, a 200
    /// dropped and a 403 forged each fail it (exit 3), named.
    @Test(.timeLimit(.minutes(4)))
    func eachLieOfAFaultyRelayFailsTheDeliveryCheck() throws {
        try InteropScript.check("scripts/faulty-relay.sh")
    }
}

extension String {
    /// The digits right after `prefix`'s first occurrence.
    func firstMatch(after prefix: String) -> String? {
        guard let r = firstRange(of: prefix) else { return nil }
        return String(self[r.upperBound...].prefix { $0.isNumber })
    }
}
