import ArgumentParser
import Foundation
import Testing

@testable import MSRPChargeCommands

/// Every command that writes a report takes the same output flags (one group), so a script
/// written for one works for the others.
@Suite struct OutputOptionsTests {
    static let flags = [
        "--json", "r.json", "--json-sessions", "--html", "r.html", "--hgrm", "h", "--interval-csv", "i.csv",
        "--no-progress",
    ]

    static func check(_ o: ReportOutputOptions, _ command: String) {
        #expect(o.json == "r.json" && o.html == "r.html" && o.hgrm == "h" && o.intervalCsv == "i.csv", "\(command)")
        #expect(o.jsonSessions && o.noProgress, "\(command)")
    }

    @Test func benchLoadAndMergeTakeTheSameFlags() throws {
        Self.check(try Bench.parse(Self.flags).output, "bench")
        Self.check(try Load.parse(["--target", "sip:127.0.0.1:5060"] + Self.flags).output, "load")
        Self.check(try Merge.parse(["a.json", "b.json"] + Self.flags).output, "merge")
    }

    /// merge --json-sessions with a partition written without its sessions is refused, naming
    /// it; without the flag the merged report carries none (as bench and load without it).
    @Test func mergeWantsEveryPartitionsSessions() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/merge-sessions-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--sessions", "200", "--duration", "0.2", "--workers", "1", "--no-progress"]
        var p0 = try Bench.parseAsRoot(common + ["--partition", "0/2", "--json", dir + "/p0.json", "--json-sessions"])
        try p0.run()
        var p1 = try Bench.parseAsRoot(common + ["--partition", "1/2", "--json", dir + "/p1.json"])
        try p1.run()
        var refused = try Merge.parseAsRoot([dir + "/p0.json", dir + "/p1.json", "--json-sessions"])
        #expect {
            try refused.run()
        } throws: { error in
            "\(error)".contains("p1.json has none")
        }
        var plain = try Merge.parseAsRoot([dir + "/p0.json", dir + "/p1.json", "--json", dir + "/m.json"])
        try plain.run()
        let merged = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json")))
                as? [String: Any]
        )
        #expect(merged["sessions"] == nil, "no sessions without --json-sessions")
    }
}
