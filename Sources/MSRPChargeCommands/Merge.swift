import ArgumentParser
import Foundation
import Histogram
import HistogramCodec
import LoadEngine
import LoadGenerator
import ReportPage
import Workload

/// `msrpcharge merge`: the reports of a run's partitions (`--partition I/N` on N generators)
/// as the one run's report, losslessly: counters summed, HdrHistograms added from their V2
/// encoding (never percentiles averaged), checks combined.
public struct Merge: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Merge the JSON reports of a run's partitions (bench or load --partition I/N) into the run's report.",
        discussion: """
            Counters are summed and rates too (the partitions ran at the same time); every \
            latency histogram is added from the HdrHistogram V2 encoding each report carries, \
            so every percentile is the one run's; the checks (conservation, model, delivery) \
            hold only if they held in every partition. Reports of different workloads, \
            overlapping partitions (or a whole run beside a partition) and missing partitions \
            are refused, naming the files.
            Example: msrpcharge merge p0.json p1.json p2.json --json run.json --html run.html
            """
    )

    @Argument(help: "The partitions' reports (bench --json or load --json), all of one run.")
    var reports: [String]

    @Option(help: "Write the merged report as JSON to this file ('-' for standard output).")
    var json: String?

    @Option(help: "Write the merged HdrHistogram percentile distributions (.hgrm, microseconds) to this directory.")
    var hgrm: String?

    @Option(help: "Write the merged report as one self-contained HTML page to this file.")
    var html: String?

    public init() {}

    public func validate() throws {
        guard reports.count >= 2 else {
            throw ValidationError("merge needs at least two reports, got \(reports.count)")
        }
    }

    public func run() throws {
        let names = reports.map { ($0 as NSString).lastPathComponent }
        let saved = try reports.map { try SavedReport.read($0, for: "merge") }
        let benches = saved.compactMap { if case .bench(let r) = $0 { r } else { nil } }
        let loads = saved.compactMap { if case .load(let j) = $0 { j } else { nil } }
        if benches.count == saved.count {
            let merged: BenchReport
            do throws(MergeError) { merged = try BenchReport.merged(benches, names: names) } catch {
                throw CLIError("merge: \(error)")
            }
            print(ReportText.render(merged), terminator: "")
            print(
                "merged: \(reports.count) partitions (\(benches.compactMap(\.workload.partition).joined(separator: ", ")))"
            )
            try write(
                report: merged,
                histograms: merged.latency.map { ($0.name, $0.histogram) },
                page: {
                    ReportPage.html(
                        runs: [ReportPageRuns.run(bench: merged, label: "merged")],
                        title: "msrpcharge merge"
                    )
                }
            )
            if merged.conservation.applicable && !merged.conservation.ok { throw ExitCode(1) }
        } else if loads.count == saved.count {
            let merged: LoadReportText.JSON
            do throws(MergeError) { merged = try LoadReportText.merged(loads, names: names) } catch {
                throw CLIError("merge: \(error)")
            }
            print(LoadReportText.lines(merged).joined(separator: "\n"))
            print("merged: \(reports.count) partitions (\(loads.compactMap(\.partition).joined(separator: ", ")))")
            try write(
                report: merged,
                histograms: ["sessionSetUp", "chunk", "delivery", "bye"].map { ($0, merged.latency[$0]?.histogram) },
                page: {
                    ReportPage.html(
                        runs: [ReportPageRuns.run(load: merged, label: "merged")],
                        title: "msrpcharge merge"
                    )
                }
            )
            if !merged.delivery.ok { throw ExitCode(3) }
        } else {
            let kinds = zip(names, saved).map { name, r in
                if case .bench = r { "\(name): bench" } else { "\(name): load" }
            }
            throw CLIError(
                "merge: the reports must all be bench reports or all load reports (\(kinds.joined(separator: ", ")))"
            )
        }
    }

    func write(report: some Encodable, histograms: [(String, EncodedHistogram?)], page: () -> String) throws {
        if let json { try ReportFiles.writeJSON(report, to: json) }
        if let hgrm {
            try ReportFiles.writeHgrm(
                histograms.compactMap { name, e in (try? e?.histogram()).flatMap { $0 }.map { (name, $0) } },
                to: hgrm
            )
        }
        if let html { try ReportPageFile.write(page(), to: html) }
    }
}

extension LoadReportText {
    /// Load reports of a run's partitions as the run's: counts summed, the four latency
    /// histograms added, delivery OK only if it was in every partition.
    static func merged(_ reports: [JSON], names: [String]) throws(MergeError) -> JSON {
        try PartitionCover.check(
            reports.map { r throws(MergeError) -> Partition? in
                guard let text = r.partition else { return nil }
                do throws(WorkloadError) { return try Partition(parsing: text) } catch {
                    throw MergeError("\(text): \(error)")
                }
            },
            names: names
        )
        for (r, name) in zip(reports, names).dropFirst() {
            guard r.workload == reports[0].workload, r.totalSessions == reports[0].totalSessions,
                r.rate == reports[0].rate, r.window == reports[0].window
            else {
                throw MergeError(
                    "\(name) is another workload than \(names[0]): '\(r.workload ?? "?")' against '\(reports[0].workload ?? "?")'"
                )
            }
        }
        var m = reports[0]
        for r in reports.dropFirst() {
            m.sessions += r.sessions
            m.sessionsSetUp += r.sessionsSetUp
            for (k, v) in r.setupFailures { m.setupFailures[k, default: 0] &+= v }
            m.setupSeconds = max(m.setupSeconds, r.setupSeconds)
            m.seconds = max(m.seconds, r.seconds)
            m.chunksSent &+= r.chunksSent
            m.chunksPerSecond += r.chunksPerSecond
            for (k, v) in r.responses { m.responses[k, default: 0] &+= v }
            m.messagesSent &+= r.messagesSent
            m.abortedSent &+= r.abortedSent
            m.bytesSent &+= r.bytesSent
            m.messagesDelivered &+= r.messagesDelivered
            m.abortedDelivered &+= r.abortedDelivered
            m.bytesDelivered &+= r.bytesDelivered
            m.generatorCPUSeconds += r.generatorCPUSeconds
            m.sendQueueFull &+= r.sendQueueFull
            m.byesUnanswered = (m.byesUnanswered ?? 0) &+ (r.byesUnanswered ?? 0)
            m.sessionUsage = m.sessionUsage.map { $0 + (r.sessionUsage ?? []) } ?? r.sessionUsage
            m.failedConditions = (m.failedConditions ?? []) + (r.failedConditions ?? [])
        }
        m.partition = nil
        let failed = zip(reports, names).filter { !$0.0.delivery.ok }
        m.delivery = LoadReport.DeliveryCheck(
            ok: failed.isEmpty,
            detail: failed.isEmpty
                ? "every partition: every message's bytes delivered once, in order (\(m.messagesSent) messages, \(m.abortedSent) aborted, \(m.bytesSent) bytes)"
                : failed.map { "\($0.1): \($0.0.delivery.detail)" }.joined(separator: "; ")
        )
        for key in reports[0].latency.keys {
            var h: Histogram<UInt64>? = nil
            for (r, name) in zip(reports, names) {
                let part = try BenchReport.histogram(r.latency[key]?.histogram, key, name)
                if h == nil { h = part } else { h!.add(part) }
            }
            if let h { m.latency[key] = LoadReport.Latency(h) }
        }
        let n = reports.map { $0.intervals?.count ?? 0 }.max() ?? 0
        var intervals: [JSON.Interval] = []
        for i in 0..<n {
            var chunks: UInt64 = 0
            var messages: UInt64 = 0
            var seconds = 0.0
            var h: Histogram<UInt64>? = nil
            for (r, name) in zip(reports, names) {
                guard let x = r.intervals, i < x.count else { continue }
                guard let c = x[i].chunks, let mm = x[i].messages else {
                    throw MergeError("\(name) has no counts for second \(i + 1) (written by an older msrpcharge?)")
                }
                chunks &+= c
                messages &+= mm
                seconds = max(seconds, x[i].seconds)
                let part = try BenchReport.histogram(x[i].histogram, "second \(i + 1)", name)
                if h == nil { h = part } else { h!.add(part) }
            }
            let l = h.map { LoadReport.Latency($0, distribution: false) }
            seconds = max(seconds, 1e-3)
            intervals.append(
                JSON.Interval(
                    second: i + 1,
                    seconds: seconds,
                    chunksPerSecond: Double(chunks) / seconds,
                    messagesPerSecond: Double(messages) / seconds,
                    p50: l?.p50 ?? 0,
                    p99: l?.p99 ?? 0,
                    max: l?.max ?? 0,
                    chunks: chunks,
                    messages: messages,
                    histogram: l?.histogram
                )
            )
        }
        m.intervals = intervals
        return m
    }
}
