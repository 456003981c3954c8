import ArgumentParser
import Foundation
import InteropScriptSupport
import LoadEngine
import Testing

@testable import MSRPChargeCommands
@testable import ReportPage

/// The report as a page: what it plots is what the report holds. Points are read back from
/// the SVG and turned into values through the scales the chart writes on itself.
@Suite("the report as a page")
struct ReportPageTests {
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "msrpcharge-page-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The value of `name="…"` in `tag`.
    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let r = tag.range(of: " \(name)=\"") else { return nil }
        let rest = tag[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// Every `<svg class="chart" …>` element's opening tag and its content.
    static func charts(_ html: String) -> [(tag: Substring, body: Substring)] {
        var out: [(Substring, Substring)] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg class=\"chart") {
            let tagEnd = rest[start.lowerBound...].firstIndex(of: ">")!
            let end = rest[tagEnd...].range(of: "</svg>")!
            out.append((rest[start.lowerBound...tagEnd], rest[tagEnd..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    /// Every `<polyline …>` in a chart's content: its run, its name and its points in pixels.
    static func polylines(_ body: Substring) -> [(run: String, name: String, points: [(Double, Double)])] {
        body.components(separatedBy: "<polyline ").dropFirst().map { line in
            let tag = Substring(line)
            let points = (attribute("points", in: tag) ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
            return (attribute("data-run", in: tag) ?? "", attribute("data-name", in: tag) ?? "", points)
        }
    }

    /// Reads every point of every percentile chart back through the chart's own scales and
    /// compares it with `expected(name)`: the points checked, and the y scales seen.
    static func checkPlottedPoints(
        _ html: String,
        expected: (String) -> [(Double, Double)]?
    ) -> (checked: Int, scales: Set<String>) {
        var checked = 0
        var scales: Set<String> = []
        for (tag, body) in charts(html) where attribute("data-x-axis", in: tag) == "percentile" {
            let plot = attribute("data-plot", in: tag)!.split(separator: " ").map { Double($0)! }
            let (left, top, width, height) = (plot[0], plot[1], plot[2], plot[3])
            let decades = Double(attribute("data-decades", in: tag)!)!
            let yMax = Double(attribute("data-y-max", in: tag)!)!
            let log = attribute("data-y-scale", in: tag) == "log"
            scales.insert(log ? "log" : "linear")
            let yMin = attribute("data-y-min", in: tag).flatMap(Double.init) ?? 0
            for line in polylines(body) {
                guard let points = expected(line.name) else {
                    Issue.record("\(line.name) is drawn but not in the report")
                    continue
                }
                #expect(points.count == line.points.count && !points.isEmpty)
                for ((percentile, v), (px, py)) in zip(points, line.points) {
                    // x: decades of 1/(1-p) from the left edge; 100 % sits at the right end.
                    let position = (px - left) / width * decades
                    let want = PercentileAxis.position(percentile: percentile, decades: Int(decades))
                    #expect(abs(position - want) < 1e-3, "\(line.name) at \(percentile) %")
                    // y: linear from 0, or decades from yMin.
                    let share = (top + height - py) / height
                    if log {
                        let value = pow(
                            10,
                            Foundation.log10(yMin) + share * (Foundation.log10(yMax) - Foundation.log10(yMin))
                        )
                        let want = max(v, yMin)
                        #expect(
                            abs(value - want) / want < 1e-3,
                            "\(line.name) at \(percentile) %: \(value) for \(want)"
                        )
                    } else {
                        #expect(abs(share * yMax - v) <= yMax * 1e-4, "\(line.name) at \(percentile) %")
                    }
                    checked += 1
                }
            }
        }
        return (checked, scales)
    }

    @Test func bothYScalesPlotTheirPointsWhereTheyBelong() {
        // A flat distribution (linear y) and one whose tail is 1000 × its median (log y).
        let flat = (0..<40).map { (100 * (1 - pow(0.7, Double($0))), 10 + Double($0) / 4) } + [(100.0, 21.0)]
        let tailed =
            (0..<40).map { (100 * (1 - pow(0.7, Double($0))), 10 + pow(1.25, Double($0))) } + [(100.0, 10_000.0)]
        let run = ReportRun(
            label: "synthetic",
            kind: "bench",
            workload: "w",
            machine: "m",
            latencies: [
                ReportRun.Latency(name: "flat", count: 1000, points: flat),
                ReportRun.Latency(name: "tailed", count: 1000, points: tailed),
            ]
        )
        let html = ReportPage.html(runs: [run], title: "t")
        let (checked, scales) = Self.checkPlottedPoints(html) { $0 == "flat" ? flat : $0 == "tailed" ? tailed : nil }
        #expect(checked == 82)
        #expect(scales == ["log", "linear"])
    }

    static func bench(_ args: [String]) throws {
        var command = try Bench.parseAsRoot(args)
        try command.run()
    }

    @Test func thePlottedPointsAreTheReportsPercentiles() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.bench(
            BenchCommandTests.small + [
                "--stages", "--stage-duration", "0.2", "--json", dir + "/r.json", "--html", dir + "/r.html",
            ]
        )
        let report = try JSONDecoder().decode(
            BenchReport.self,
            from: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))
        )
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        let (checked, _) = Self.checkPlottedPoints(html) { name in
            report.latency.first { $0.name == name }?.distribution?.map { ($0.percentile, $0.value) }
        }
        #expect(checked > 100, "points checked: \(checked)")
        // Every latency of the report is drawn, and the table beside it shows its percentiles.
        for l in report.latency {
            #expect(html.contains("data-run=\"bench\" data-name=\"\(l.name)\""), "\(l.name)")
        }
        // The page's sections, the checks passed, the stages as bars with their ratios.
        for id in ["checks", "workload", "latency", "throughput", "p99-over-time", "stages", "charging"] {
            #expect(html.contains("<section id=\"\(id)\">"), "\(id)")
        }
        #expect(html.contains("data-check=\"conservation\" data-ok=\"true\""))
        #expect(html.contains("data-check=\"model\" data-ok=\"true\""))
        let stages = try #require(report.stages)
        for st in stages {
            let bar = try #require(
                html.range(of: "class=\"bar\" data-category=\"\(st.stage)\" data-run=\"bench\" data-value=\""),
                "\(st.stage)"
            )
            let value = Double(html[bar.upperBound...].prefix { $0 != "\"" })!
            #expect(abs(value - st.chunksPerSecond) <= 1e-6 * max(1, st.chunksPerSecond))
        }
        #expect(html.contains("× previous \(SVGText.fixed(stages[1].ratioToPrevious, 3))"))
        // Nothing fetched, no script.
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("<link"))
    }

    @Test func reportOverlaysSavedReportsAndRefusesOthers() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.bench(
            BenchCommandTests.small + ["--mode", "offline", "--interim-interval", "0", "--json", dir + "/offline.json"]
        )
        try Self.bench(BenchCommandTests.small + ["--mode", "online", "--json", dir + "/online.json"])
        var report = try Report.parseAsRoot([dir + "/offline.json", dir + "/online.json", "--html", dir + "/both.html"])
        try report.run()
        let html = try String(contentsOfFile: dir + "/both.html", encoding: .utf8)
        let offline = try JSONDecoder().decode(
            BenchReport.self,
            from: Data(contentsOf: URL(fileURLWithPath: dir + "/offline.json"))
        )
        for l in offline.latency {
            #expect(html.contains("data-run=\"offline\" data-name=\"\(l.name)\""), "\(l.name)")
        }
        #expect(html.contains("data-run=\"online\" data-name=\"chunk\""))
        #expect(html.contains("data-category=\"ch1-interim\" data-run=\"offline\""))
        #expect(html.contains("data-category=\"ch2-initial\" data-run=\"online\""))
        // Not a report: a clear error naming the file.
        try Data("{\"hello\": 1}".utf8).write(to: URL(fileURLWithPath: dir + "/other.json"))
        var refused = try Report.parseAsRoot([dir + "/other.json", "--html", dir + "/x.html"])
        #expect {
            try refused.run()
        } throws: { error in
            "\(error)".contains("other.json' is neither a bench report")
        }
        var missing = try Report.parseAsRoot([dir + "/absent.json", "--html", dir + "/x.html"])
        #expect {
            try missing.run()
        } throws: { error in
            "\(error)".contains("cannot read '\(dir)/absent.json'")
        }
        #expect(throws: (any Error).self) { _ = try Report.parseAsRoot(["--html", dir + "/x.html"]) }
    }

    @Test func thePlanIsDrawnAsBars() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var plan = try Plan.parseAsRoot([
            "--per-core-rate", "1000000", "--interims", "0,10,60", "--json", dir + "/plan.json", "--html",
            dir + "/plan.html",
        ])
        try plan.run()
        let rows = try #require(
            (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/plan.json")))
                as? [String: Any])?[
                    "rows"
                ] as? [[String: Any]]
        )
        let html = try String(contentsOfFile: dir + "/plan.html", encoding: .utf8)
        for id in ["plan", "plan-requests", "plan-cores"] { #expect(html.contains("<section id=\"\(id)\">")) }
        #expect(
            html.contains("msrpcharge plan: 100000 sessions") && !html.contains("interims/1000 msgs"),
            "the heading, not the table"
        )
        for (row, label) in zip(rows, ["0", "10", "60"]) {
            for (run, key) in [("all requests", "requestsPerSecond"), ("cores", "coreSeconds")] {
                let prefix = "data-category=\"interim every \(label) s\" data-run=\"\(run)\" data-value=\""
                let r = try #require(html.range(of: prefix), "\(prefix)")
                let value = Double(html[r.upperBound...].prefix { $0 != "\"" })!
                let want = row[key] as! Double
                #expect(abs(value - want) <= 1e-6 * max(1, want), "\(run) at \(label) s")
            }
        }
    }

    @Test func numbersAreWrittenWithoutFoundation() {
        #expect(SVGText.fixed(3.14159, 2) == "3.14")
        #expect(SVGText.fixed(-0.004, 2) == "0.00")
        #expect(SVGText.fixed(-2.5, 1) == "-2.5")
        #expect(SVGText.fixed(1234.5, 0) == "1235")
        #expect(SVGText.si(1_840_000) == "1.84 M" && SVGText.si(412_000) == "412 k" && SVGText.si(950) == "950")
        #expect(SVGText.si(0.0107) == "0.0107" && SVGText.si(0.5) == "0.5" && SVGText.si(0.123456) == "0.123")
        #expect(
            SVGText.niceCeiling(3200) == 5000 && SVGText.niceCeiling(1000) == 1000 && SVGText.niceCeiling(0.3) == 0.5
        )
        #expect(SVGText.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
        #expect(PercentileAxis.label(decade: 2) == "99%" && PercentileAxis.label(decade: 4) == "99.99%")
        #expect(abs(PercentileAxis.position(percentile: 99.9, decades: 5) - 3) < 1e-12)
        #expect(PercentileAxis.position(percentile: 100, decades: 5) == 5)
        #expect(PercentileAxis.decades(for: [50, 99.95, 100]) == 4)
    }
}

/// The page in a real browser (scripts/browser/report-chromium.sh): headless Chromium takes a
/// screenshot (not blank) and dumps the DOM (every section, every plotted series). Run with
/// the wire suites, after the others: it runs two benches and a browser.
@Suite struct ReportInBrowserTests {
    @Test func chromiumDrawsEverySectionAndSeries() throws {
        try InteropScript.check("scripts/browser/report-chromium.sh")
    }
}
