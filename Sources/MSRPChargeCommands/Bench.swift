import ArgumentParser
import Charging
import DiameterNIO
import Foundation
import LoadEngine
import ReportPage
import RunReport
import Workload

/// `msrpcharge bench`: the load engine with the embedded Charging Enabler.
public struct Bench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Charge MSRP chunks at load and report throughput, charging requests and latency.",
        discussion: """
            Worker threads read each session's MSRP stream (message templates encoded before \
            timing, the session's id patched in) in reads cut anywhere, as fast as possible or \
            paced (--message-interval, --rate), and run parse → session table → Charging \
            Enabler User → interim limiter → embedded Charging Enabler, encoding a 200 OK per \
            chunk. With no options: 100000 \
            sessions, 100-byte messages, offline charging, a 10 s interim interval, 15 s. \
            The run fails (exit status 1) if the enabler's ledger does not hold exactly the \
            usage accepted; --fail-if adds thresholds (exit status 3).
            Example: msrpcharge bench --sessions 20000 --duration 5 --stages --json bench.json --html bench.html
            """
    )

    @OptionGroup public var workload: WorkloadOptions

    @OptionGroup public var enablerConnection: EnablerConnectionOptions

    @Flag(
        help:
            "First run the same traffic through each shallower stage (scan, parse, table) for --stage-duration each, and print a table of throughputs and ratios."
    )
    var stages = false

    @Option(help: "Seconds each shallower stage runs with --stages.")
    var stageDuration: Double = 3

    @OptionGroup(title: "Report files") var output: ReportOutputOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Option(
        help: ArgumentHelp(
            "A condition that fails the run (exit status 3); repeat or separate with commas.",
            discussion: "'conservation', 'model', or FIGURE<N, FIGURE>N, FIGURE<=N, FIGURE>=N with FIGURE one of: "
                + BenchReport.thresholdFigures.map(\.name).joined(separator: ", ")
        )
    )
    var failIf: [String] = []

    @Option(
        help: ArgumentHelp(
            "With --enabler diameter://…: an enabler's --journal (repeat for each enabler that served the run) to check conservation against after the run.",
            discussion:
                "Without it, the check over Diameter compares the usage accepted with what the peers acknowledged (2001), the client's own record, and is reported as 'Acknowledged', not conservation. With it, the enablers' journals are read after the run and reconciled session by session (as msrpcharge reconcile does): conservation then holds only if the enablers booked exactly the usage accepted, no record twice.",
            valueName: "path"
        )
    )
    var enablerJournal: [String] = []

    public init() {}

    var conditions: [FailCondition] {
        get throws {
            try FailCondition.parsing(failIf)
        }
    }

    public func validate() throws {
        do {
            try workload.model().validate()
            _ = try conditions
        } catch let e as WorkloadError {
            throw ValidationError(e.description)
        }
        try enablerConnection.validate(role: "bench")
        if !enablerJournal.isEmpty, !enablerConnection.enabler.hasPrefix("diameter://") {
            throw ValidationError(
                "--enabler-journal needs --enabler diameter://…: the embedded enabler's ledger is checked already, got --enabler \(enablerConnection.enabler)"
            )
        }
        guard stageDuration > 0, stageDuration.isFinite else {
            throw ValidationError("--stage-duration must be a positive number of seconds, got \(stageDuration)")
        }
    }

    public func run() throws {
        let model = try workload.model()
        let conditions = try self.conditions
        let live = !output.noProgress && isatty(2) == 1
        let progress: ((Double, UInt64) -> Void)? = live ? { Self.progressLine($0, $1) } : nil
        var stageRows: [BenchReport.Stage]? = nil
        if stages {
            var rows: [BenchReport.Stage] = []
            for stage in [PipelineStage.scan, .parse, .table] {
                var m = model
                m.stage = stage
                m.duration = Int64(stageDuration * 1e9)
                if live { FileHandle.standardError.write(Data("stage \(stage.rawValue)…\n".utf8)) }
                let r = try LoadRun.run(m, progress: progress)
                if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                rows.append(BenchReport.Stage(stage, r, previous: rows.last))
            }
            stageRows = rows
        }
        let remote = try enablerConnection.connect(
            role: "bench",
            charging: model.charging,
            expectedSessions: model.sessions
        )
        defer { remote?.close() }
        let exporter = try RunMetrics.start(
            metricsOptions.metrics,
            labels: RunMetrics.labels(command: "bench", partition: model.partition),
            announce: { FileHandle.standardError.write(Data(("msrpcharge bench: " + $0 + "\n").utf8)) }
        )
        // The live chunk count every 250 ms (the coordinator's poll), for Prometheus too.
        let liveProgress: ((Double, UInt64) -> Void)? =
            exporter.map { e in
                { seconds, chunks in
                    e.set("msrpcharge_chunks_total", [], chunks)
                    progress?(seconds, chunks)
                }
            } ?? progress
        let result = try LoadRun.run(
            model,
            remote: remote?.enablerClient,
            peerCounters: remote.map { client in { client.countersNow() } },
            progress: liveProgress
        )
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if var rows = stageRows {
            let table = rows.first { $0.stage == PipelineStage.table.rawValue }
            rows.append(BenchReport.Stage(model.stage, result, previous: rows.last, table: table))
            // The worst case beside the configured one: the same traffic with every completed
            // message charged (interval 0, no interval from the enabler), as a pair with the
            // table stage: the charging overhead users come to measure.
            if model.stage == .charging && model.charging.mode.offline && model.charging.defaultInterimInterval > 0 {
                var m = model
                m.charging.defaultInterimInterval = 0
                m.enabler.interimInterval = nil
                m.duration = Int64(stageDuration * 1e9)
                m.totalChunks = nil
                if live { FileHandle.standardError.write(Data("stage \(BenchReport.Stage.everyMessage)…\n".utf8)) }
                let r = try LoadRun.run(m, progress: progress)
                if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                rows.append(
                    BenchReport.Stage(
                        .charging,
                        r,
                        previous: rows.last,
                        table: table,
                        name: BenchReport.Stage.everyMessage
                    )
                )
            }
            stageRows = rows
        }
        var report = BenchReport(result, stages: stageRows)
        if !enablerJournal.isEmpty { report.conservation = try conservationAgainstJournals(report, result) }
        if output.jsonSessions { report.addSessions(result) }
        report.failedConditions = conditions.compactMap { $0.failure(in: report) }
        print(ReportText.render(report), terminator: "")
        try write(report, result)
        if let exporter {
            exporter.record(report)
            for (name, h) in result.latency.named {
                exporter.histogram("msrpcharge_" + name.replacingOccurrences(of: "-", with: "_") + "_seconds", h)
            }
            exporter.hold(metricsOptions.metricsHold) {
                FileHandle.standardError.write(Data(("msrpcharge bench: " + $0 + "\n").utf8))
            }
        }
        if report.conservation.applicable && !report.conservation.ok {
            FileHandle.standardError.write(
                Data("msrpcharge bench: \(report.conservation.title.lowercased()) FAILED: \(report.conservation.detail)\n".utf8)
            )
            throw ExitCode(1)
        }
        if !report.failedConditions.isEmpty { throw ExitCode(3) }
    }

    /// Conservation against the Diameter enablers' own records: their journals, reconciled
    /// with every session's accepted usage, double charges included.
    func conservationAgainstJournals(_ report: BenchReport, _ result: RunResult) throws -> ConservationCheck {
        var withSessions = report
        withSessions.addSessions(result)
        let sources = try enablerJournal.map { path in
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError("--enabler-journal: cannot read '\(path)'")
            }
            return Reconciliation.Source.journal(path, String(decoding: data, as: UTF8.self))
        }
        let r = try Reconciliation.run(withSessions, sources)
        var detail = r.figures
        if let first = r.differences.first { detail = "first: \(first); " + detail }
        if result.conservation.applicable && !result.conservation.ok {
            detail += "; and the client's own record: \(result.conservation.detail)"
        }
        return ConservationCheck(
            applicable: result.conservation.applicable,
            ok: r.ok && result.conservation.ok,
            sessionsChecked: withSessions.sessions?.count ?? 0,
            sessionsMismatched: r.differences.count,
            detail: detail + " (enabler journals)",
            basis: .enablerJournals
        )
    }

    @Sendable static func progressLine(_ seconds: Double, _ chunks: UInt64) {
        let line = String(
            format: "\r\u{1B}[K[%5.1f s] %llu chunks, %@ chunks/s",
            seconds,
            chunks,
            SVGText.si(Double(chunks) / max(seconds, 1e-3)) as NSString
        )
        FileHandle.standardError.write(Data(line.utf8))
    }

    func write(_ report: BenchReport, _ result: RunResult) throws {
        try output.write(
            report: report,
            histograms: result.latency.named.map { ($0.name, $0.histogram) },
            intervals: { IntervalSummary.csv(report.intervals) },
            page: {
                ReportPage.html(runs: [ReportPageRuns.run(bench: report, label: "bench")], title: "msrpcharge bench")
            }
        )
    }
}
