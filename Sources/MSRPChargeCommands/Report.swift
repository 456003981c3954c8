import ArgumentParser
import ReportPage

/// `msrpcharge report`: saved JSON reports as one HTML page, overlaid for comparison.
public struct Report: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Render saved JSON reports (bench --json, load --json) as one self-contained HTML page.",
        discussion: """
            Several reports are drawn over each other, one colour each: before and after a \
            change, charging on and off, two machines. The page has the checks first, each \
            latency histogram on HdrHistogram's percentile axis, throughput and p99 second by \
            second, the stages as bars and the charging requests by kind; inline SVG and CSS, \
            nothing fetched, no script.
            Example: msrpcharge report before.json after.json --html compare.html
            """
    )

    @Argument(help: "Reports written by bench --json or load --json.")
    var reports: [String]

    @Option(help: "The page to write.")
    var html: String

    @Option(help: "The page's title.")
    var title = "msrpcharge report"

    public init() {}

    public func validate() throws {
        guard !reports.isEmpty else { throw ValidationError("report: name at least one JSON report") }
    }

    public func run() throws {
        let runs = try reports.map { try ReportPageRuns.run(readingJSON: $0) }
        try ReportPageFile.write(ReportPage.html(runs: runs, title: title), to: html)
        let failed = runs.flatMap(\.checks).filter { $0.ok == false }.count
        print(
            "msrpcharge report: \(runs.count) report\(runs.count == 1 ? "" : "s") drawn to \(html)"
                + (failed == 0 ? "; every check passed" : "; \(failed) check\(failed == 1 ? "" : "s") failed")
        )
    }
}
