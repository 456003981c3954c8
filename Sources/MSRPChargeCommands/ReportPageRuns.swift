import Foundation
import LoadEngine
import LoadGenerator
import RunReport
import ReportPage

/// Reports as the page draws them: a ``ReportRun`` from `bench`'s report and from `load`'s
/// JSON, and saved JSON reports read back (`msrpcharge report`).
enum ReportPageRuns {
    static let requestKinds = ["ch1-start", "ch1-interim", "ch1-stop", "ch2-initial", "ch2-update", "ch2-termination"]

    static func latency(_ name: String, _ l: BenchReport.Latency) -> ReportRun.Latency {
        ReportRun.Latency(name: name, count: l.count, points: (l.distribution ?? []).map { ($0.percentile, $0.value) })
    }

    static func run(bench r: BenchReport, label: String) -> ReportRun {
        let t = r.throughput
        var checks = [
            ReportRun.Check(
                name: "conservation",
                ok: r.conservation.applicable ? r.conservation.ok : nil,
                detail: r.conservation.detail
            ),
            ReportRun.Check(name: "model", ok: r.modelCheck.ok, detail: r.modelCheck.detail),
        ]
        for c in r.failedConditions { checks.append(ReportRun.Check(name: "--fail-if", ok: false, detail: c)) }
        let total = requestKinds.reduce(0) { $0 + (r.charging.requests[$1] ?? 0) }
        return ReportRun(
            label: label,
            kind: "bench",
            workload: ReportText.workload(r),
            machine: ReportText.machine(r) ?? "machine load not measured",
            checks: checks,
            figures: [
                ("chunks/s", SVGText.si(t.chunksPerSecond)),
                ("messages/s", SVGText.si(t.messagesPerSecond)),
                ("body MB/s", String(format: "%.1f", t.bodyMBPerSecond)),
                ("timed phase", String(format: "%.2f s", t.seconds)),
                ("sessions set up/s", SVGText.si(r.setUp.sessionsPerSecond)),
                ("charging requests", String(r.charging.totalRequests)),
                ("interims per completed message", String(format: "%.4f", r.charging.interimsPerMessage)),
                ("table bytes per session", String(format: "%.0f", r.tableBytesPerSession)),
            ],
            latencies: r.latency.map { latency($0.name, $0) },
            intervals: r.intervals.map {
                ReportRun.Interval(
                    second: Double($0.second),
                    chunksPerSecond: $0.chunksPerSecond,
                    requestsPerSecond: $0.requestsPerSecond,
                    p99: $0.p99
                )
            },
            stages: (r.stages ?? []).map {
                ReportRun.Stage(
                    name: $0.stage,
                    chunksPerSecond: $0.chunksPerSecond,
                    ratioToPrevious: $0.ratioToPrevious,
                    ratioToTable: $0.ratioToTable
                )
            },
            requests: total == 0 ? [] : requestKinds.map { ($0, Double(r.charging.requests[$0] ?? 0)) }
        )
    }

    static func run(load j: SavedLoadReport, label: String) -> ReportRun {
        var checks = [ReportRun.Check(name: "delivery", ok: j.delivery.ok, detail: j.delivery.detail)]
        for c in j.failedConditions ?? [] { checks.append(ReportRun.Check(name: "--fail-if", ok: false, detail: c)) }
        let names = [
            ("sessionSetUp", "session set-up (INVITE → 200)"), ("chunk", "SEND → 200"),
            ("delivery", "message delivery"), ("bye", "BYE → 200"),
        ]
        let failures = j.setupFailures.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
        return ReportRun(
            label: label,
            kind: "load",
            workload: j.workload ?? "msrpcharge load: \(j.sessions) sessions",
            machine: String(
                format: "generator: %.2f CPU seconds over the run, send queue full %llu times",
                j.generatorCPUSeconds,
                j.sendQueueFull
            ),
            checks: checks,
            figures: [
                ("chunks/s", SVGText.si(j.chunksPerSecond)),
                ("chunks sent", String(j.chunksSent)),
                ("messages sent", "\(j.messagesSent) + \(j.abortedSent) aborted"),
                (
                    "sessions set up",
                    "\(j.sessionsSetUp) of \(j.sessions) in \(String(format: "%.2f", j.setupSeconds)) s"
                ),
                ("SIP set-up failures", failures.isEmpty ? "none" : failures.joined(separator: ", ")),
                ("timed phase", String(format: "%.2f s", j.seconds)),
            ],
            latencies: names.compactMap { key, name in
                j.latency[key].map {
                    ReportRun.Latency(
                        name: name,
                        count: $0.count,
                        points: ($0.distribution ?? []).map { ($0.percentile, $0.value) }
                    )
                }
            },
            intervals: (j.intervals ?? []).map {
                ReportRun.Interval(
                    second: Double($0.second),
                    chunksPerSecond: $0.chunksPerSecond,
                    requestsPerSecond: nil,
                    p99: $0.p99
                )
            }
        )
    }

    /// A saved report, `bench --json` or `load --json`, as a run labelled by its file name.
    static func run(readingJSON path: String) throws -> ReportRun {
        let label = (path as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        switch try SavedReport.read(path, for: "report") {
        case .bench(let r): return run(bench: r, label: label)
        case .load(let j): return run(load: j, label: label)
        }
    }
}

/// Writes a page, with a clear error.
enum ReportPageFile {
    static func write(_ html: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(html.utf8)) else {
            throw CLIError("cannot write the HTML report '\(path)'")
        }
    }
}
