import ArgumentParser
import Foundation
import Histogram
import HistogramCodec
import LoadEngine
import LoadGenerator
import RunReport
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

    @OptionGroup(title: "Report files") var output: ReportOutputOptions

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
            try requireSessions(zip(names, benches).map { ($0, $1.sessions != nil) })
            var merged: BenchReport
            do throws(MergeError) { merged = try BenchReport.merged(benches, names: names) } catch {
                throw CLIError("merge: \(error)")
            }
            if !output.jsonSessions { merged.sessions = nil }
            print(ReportText.render(merged), terminator: "")
            print(
                "merged: \(reports.count) partitions (\(benches.compactMap(\.workload.partition).joined(separator: ", ")))"
            )
            try write(
                report: merged,
                histograms: merged.latency.map { ($0.name, $0.histogram) },
                intervals: merged.intervals,
                page: {
                    ReportPage.html(
                        runs: [ReportPageRuns.run(bench: merged, label: "merged")],
                        title: "msrpcharge merge"
                    )
                }
            )
            if merged.conservation.applicable && !merged.conservation.ok { throw ExitCode(1) }
        } else if loads.count == saved.count {
            try requireSessions(zip(names, loads).map { ($0, $1.sessionUsage != nil) })
            var merged: SavedLoadReport
            do throws(MergeError) { merged = try SavedLoadReport.merged(loads, names: names) } catch {
                throw CLIError("merge: \(error)")
            }
            if !output.jsonSessions { merged.sessionUsage = nil }
            print(merged.lines.joined(separator: "\n"))
            print("merged: \(reports.count) partitions (\(loads.compactMap(\.partition).joined(separator: ", ")))")
            try write(
                report: merged,
                histograms: SavedLoadReport.latencyKeys.map { ($0, merged.latency[$0]?.histogram) },
                intervals: merged.intervals ?? [],
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

    /// With --json-sessions every partition must carry its sessions' usage (written with
    /// --json-sessions itself): a merged list missing a partition's would fail reconcile later,
    /// far from the cause.
    func requireSessions(_ carried: [(name: String, has: Bool)]) throws {
        guard output.jsonSessions else { return }
        let missing = carried.filter { !$0.has }.map(\.name)
        guard missing.isEmpty else {
            throw CLIError(
                "merge: --json-sessions needs every partition's sessions; \(missing.joined(separator: ", ")) has none (written without --json-sessions)"
            )
        }
    }

    func write(
        report: some Encodable,
        histograms: [(String, EncodedHistogram?)],
        intervals: [IntervalSummary],
        page: () -> String
    ) throws {
        try output.write(
            report: report,
            histograms: histograms.compactMap { name, e in (try? e?.histogram()).flatMap { $0 }.map { (name, $0) } },
            intervals: { IntervalSummary.csv(intervals) },
            page: page
        )
    }
}
