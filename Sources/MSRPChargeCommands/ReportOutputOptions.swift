import ArgumentParser
import Histogram

/// The flags of every command that writes a report (`bench`, `load`, `merge`): one group, so a
/// script written for one works for the others, and each flag means the same everywhere.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "Write every figure of the report as JSON to this file ('-' for standard output).")
    var json: String?

    @Flag(
        help:
            "Add each session's usage to --json, named by the session-id the server handed out (for msrpcharge reconcile); merge: every partition must carry it."
    )
    var jsonSessions = false

    @Option(help: "Write the report as one self-contained HTML page (inline SVG charts) to this file.")
    var html: String?

    @Option(help: "Write HdrHistogram percentile distributions (.hgrm, microseconds) to this directory.")
    var hgrm: String?

    @Option(help: "Write per-second throughput and latency percentiles as CSV to this file.")
    var intervalCsv: String?

    @Flag(help: "No progress on standard error while it runs (bench shows it only on a terminal); the report is the same. merge shows none.")
    var noProgress = false

    /// Writes the files asked for; `intervals` makes the interval CSV, `page` the HTML.
    func write(
        report: some Encodable,
        histograms: [(String, Histogram<UInt64>)],
        intervals: () -> String,
        page: () -> String
    ) throws {
        if let json { try ReportFiles.writeJSON(report, to: json) }
        if let hgrm { try ReportFiles.writeHgrm(histograms, to: hgrm) }
        if let html { try ReportPageFile.write(page(), to: html) }
        if let intervalCsv { try ReportFiles.write(intervals(), to: intervalCsv, option: "--interval-csv") }
    }
}
