/// The report as one self-contained HTML page: inline SVG charts and CSS, nothing fetched,
/// no script (it opens from a mail attachment or a CI artifact with no network). Several runs
/// are drawn over each other, one colour each, for comparison.
///
/// Sections, in order (each a `<section>` with this id): `checks` (pass or fail, first),
/// `workload` (each run's workload, machine and headline figures), `latency` (every latency
/// histogram on HdrHistogram's percentile axis), `throughput` (chunks/s and charging
/// requests/s per second), `p99-over-time`, `stages` (the stages table as bars, with their
/// ratios) and `charging` (requests by kind).
public enum ReportPage {
    /// Colours for runs (and for series within one chart), in order.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static func colour(_ i: Int) -> String { palette[i % palette.count] }

    /// The page for `runs`, titled `title`.
    public static func html(runs: [ReportRun], title: String) -> String {
        var body = "<header><h1>\(SVGText.escape(title))</h1><ul class=\"runs\">"
        for (i, r) in runs.enumerated() {
            body += "<li><span class=\"swatch\" style=\"background:\(colour(i))\"></span>\(SVGText.escape(r.label)) "
            body += "<span class=\"kind\">(\(SVGText.escape(r.kind)))</span></li>"
        }
        body += "</ul></header>"
        body += checks(runs) + workload(runs) + latency(runs) + throughput(runs) + p99OverTime(runs)
        body += stages(runs) + charging(runs)
        return document(title: title, body: body)
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGText.escape(title))</title>
        <style>\(css)</style></head><body>
        \(body)
        <footer>Written by msrpcharge. Latency curves: HdrHistogram percentile distributions (µs), the x axis log-scaled as 1/(1 − percentile).</footer>
        </body></html>

        """
    }

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#1b1b1b;background:#fff}
        h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        ul.runs{list-style:none;padding:0;margin:0}ul.runs li{display:inline-block;margin-right:18px}
        .swatch{display:inline-block;width:14px;height:14px;border-radius:3px;vertical-align:-2px;margin-right:6px}
        .kind{color:#666}table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}td:first-child{white-space:nowrap}
        .pass{background:#1a7f37;color:#fff;border-radius:3px;padding:1px 7px;font-weight:600}
        .fail{background:#cf222e;color:#fff;border-radius:3px;padding:1px 7px;font-weight:600}
        .na{background:#8c959f;color:#fff;border-radius:3px;padding:1px 7px}
        .verdict{font-size:16px;margin:8px 0}
        svg.chart{display:block;margin:10px 0;max-width:100%;height:auto}
        svg .grid{stroke:#e5e5e5;stroke-width:1}svg .frame{fill:none;stroke:#999}svg text{font:12px system-ui,sans-serif;fill:#333}
        svg .title{font-weight:600;font-size:13px}svg .axis{fill:#555}svg .value{fill:#333}
        p.workload{margin:4px 0;font-family:ui-monospace,monospace;font-size:12.5px;white-space:pre-wrap}
        p.none{color:#777;font-style:italic}footer{margin-top:32px;color:#777;font-size:12px}
        """

    // MARK: Sections

    static func badge(_ ok: Bool?) -> String {
        switch ok {
        case .some(true): "<span class=\"pass\">PASS</span>"
        case .some(false): "<span class=\"fail\">FAIL</span>"
        case .none: "<span class=\"na\">n/a</span>"
        }
    }

    static func checks(_ runs: [ReportRun]) -> String {
        let all = runs.flatMap(\.checks)
        let failed = all.filter { $0.ok == false }.count
        var s = "<section id=\"checks\"><h2>Checks</h2>"
        s += "<p class=\"verdict\">\(badge(failed == 0)) "
        s += failed == 0 ? "every check passed" : "\(failed) check\(failed == 1 ? "" : "s") failed"
        s += "</p><table><tr><th>run</th><th>check</th><th></th><th>detail</th></tr>"
        for (i, r) in runs.enumerated() {
            for c in r.checks {
                s +=
                    "<tr class=\"check\" data-run=\"\(SVGText.escape(r.label))\" data-check=\"\(SVGText.escape(c.name))\""
                s += " data-ok=\"\(c.ok.map { $0 ? "true" : "false" } ?? "n/a")\">"
                s +=
                    "<td><span class=\"swatch\" style=\"background:\(colour(i))\"></span>\(SVGText.escape(r.label))</td>"
                s +=
                    "<td>\(SVGText.escape(c.name))</td><td>\(badge(c.ok))</td><td>\(SVGText.escape(c.detail))</td></tr>"
            }
        }
        return s + "</table></section>"
    }

    static func workload(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"workload\"><h2>Workload and machine</h2>"
        for (i, r) in runs.enumerated() {
            s += "<h3><span class=\"swatch\" style=\"background:\(colour(i))\"></span>\(SVGText.escape(r.label))</h3>"
            s +=
                "<p class=\"workload\">\(SVGText.escape(r.workload))</p><p class=\"workload\">\(SVGText.escape(r.machine))</p>"
        }
        // The headline figures side by side, one column per run.
        var names: [String] = []
        for r in runs { for (name, _) in r.figures where !names.contains(name) { names.append(name) } }
        if !names.isEmpty {
            s += "<table class=\"figures\"><tr><th></th>"
            for (i, r) in runs.enumerated() {
                s +=
                    "<th><span class=\"swatch\" style=\"background:\(colour(i))\"></span>\(SVGText.escape(r.label))</th>"
            }
            s += "</tr>"
            for name in names {
                s += "<tr><td>\(SVGText.escape(name))</td>"
                for r in runs {
                    s += "<td class=\"num\">\(SVGText.escape(r.figures.first { $0.0 == name }?.1 ?? "–"))</td>"
                }
                s += "</tr>"
            }
            s += "</table>"
        }
        return s + "</section>"
    }

    /// The value at `q` % of a distribution: the first point at or above it.
    static func value(at q: Double, _ points: [(percentile: Double, value: Double)]) -> Double {
        points.first { $0.percentile >= q }?.value ?? points.last?.value ?? 0
    }

    static func latency(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"latency\"><h2>Latency percentile distributions</h2>"
        var names: [String] = []
        for r in runs { for l in r.latencies where !names.contains(l.name) { names.append(l.name) } }
        if names.isEmpty { s += "<p class=\"none\">No latency histograms in these reports.</p>" }
        for (n, name) in names.enumerated() {
            var series: [LineChart.Series] = []
            var rows = ""
            for (i, r) in runs.enumerated() {
                guard let l = r.latencies.first(where: { $0.name == name }) else { continue }
                if !l.points.isEmpty {
                    series.append(
                        LineChart.Series(
                            run: r.label,
                            name: name,
                            colour: colour(i),
                            points: l.points.map { ($0.percentile, $0.value) }
                        )
                    )
                }
                rows +=
                    "<tr><td><span class=\"swatch\" style=\"background:\(colour(i))\"></span>\(SVGText.escape(r.label))</td>"
                rows += "<td class=\"num\">\(l.count)</td>"
                for q in [50.0, 90, 99, 99.9, 99.99, 100] {
                    rows +=
                        "<td class=\"num\">\(l.points.isEmpty ? "–" : SVGText.fixed(value(at: q, l.points), 1))</td>"
                }
                rows += "</tr>"
            }
            let decades = PercentileAxis.decades(for: series.flatMap { $0.points.map(\.0) })
            var chart = LineChart(
                id: "latency-\(n)",
                title: name,
                xAxis: .percentile(decades: decades),
                yLabel: "µs",
                series: series
            )
            chart.logY = LineChart.wantsLogY(series)
            s += chart.svg()
            s +=
                "<table><tr><th>run</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>max (µs)</th></tr>\(rows)</table>"
        }
        return s + "</section>"
    }

    static func seconds(_ runs: [ReportRun]) -> Double {
        SVGText.niceCeiling(max(1, runs.flatMap { $0.intervals.map(\.second) }.max() ?? 1))
    }

    static func throughput(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"throughput\"><h2>Throughput over time</h2>"
        guard runs.contains(where: { !$0.intervals.isEmpty }) else {
            return s + "<p class=\"none\">No interval data in these reports.</p></section>"
        }
        let xMax = seconds(runs)
        let chunks = runs.enumerated().map { i, r in
            LineChart.Series(
                run: r.label,
                name: "chunks/s",
                colour: colour(i),
                points: r.intervals.map { ($0.second, $0.chunksPerSecond) }
            )
        }
        s += LineChart(
            id: "chunks-per-second",
            title: "chunks/s, second by second",
            xAxis: .linear(max: xMax, label: "second of the timed phase"),
            yLabel: "chunks/s",
            series: chunks
        ).svg()
        let requests = runs.enumerated().compactMap { i, r -> LineChart.Series? in
            guard r.intervals.contains(where: { $0.requestsPerSecond != nil }) else { return nil }
            return LineChart.Series(
                run: r.label,
                name: "requests/s",
                colour: colour(i),
                points: r.intervals.map { ($0.second, $0.requestsPerSecond ?? 0) }
            )
        }
        if requests.isEmpty {
            s +=
                "<p class=\"none\">No charging requests per second in these reports (load sees the server from outside; its charging is in serve's figures).</p>"
        } else {
            s += LineChart(
                id: "requests-per-second",
                title: "charging requests/s (CH-1 and CH-2), second by second",
                xAxis: .linear(max: xMax, label: "second of the timed phase"),
                yLabel: "requests/s",
                series: requests
            ).svg()
        }
        return s + "</section>"
    }

    static func p99OverTime(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"p99-over-time\"><h2>p99 over time</h2>"
        guard runs.contains(where: { !$0.intervals.isEmpty }) else {
            return s + "<p class=\"none\">No interval data in these reports.</p></section>"
        }
        let series = runs.enumerated().map { i, r in
            LineChart.Series(
                run: r.label,
                name: "p99",
                colour: colour(i),
                points: r.intervals.map { ($0.second, $0.p99) }
            )
        }
        s += LineChart(
            id: "p99-per-second",
            title: "p99 of each second (µs)",
            xAxis: .linear(max: seconds(runs), label: "second of the timed phase"),
            yLabel: "µs",
            series: series
        ).svg()
        return s + "</section>"
    }

    static func stages(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"stages\"><h2>Stages</h2>"
        var names: [String] = []
        for r in runs { for st in r.stages where !names.contains(st.name) { names.append(st.name) } }
        guard !names.isEmpty else {
            return s + "<p class=\"none\">No stages in these reports (bench --stages measures them).</p></section>"
        }
        let series = runs.enumerated().map { i, r in
            BarChart.Series(
                run: r.label,
                colour: colour(i),
                values: names.map { n in r.stages.first { $0.name == n }?.chunksPerSecond },
                notes: names.map { n in
                    r.stages.first { $0.name == n }.map { st in
                        "× previous \(SVGText.fixed(st.ratioToPrevious, 3))"
                            + (st.ratioToTable.map { ", × table \(SVGText.fixed($0, 3))" } ?? "")
                    }
                }
            )
        }
        s += BarChart(
            id: "stages-bars",
            title: "the same traffic through successive depths of the pipeline",
            unit: "chunks/s",
            categories: names,
            series: series
        ).svg()
        return s + "</section>"
    }

    static func charging(_ runs: [ReportRun]) -> String {
        var s = "<section id=\"charging\"><h2>Charging requests by kind</h2>"
        var kinds: [String] = []
        for r in runs { for (k, _) in r.requests where !kinds.contains(k) { kinds.append(k) } }
        guard !kinds.isEmpty else {
            return s + "<p class=\"none\">No charging requests in these reports.</p></section>"
        }
        let series = runs.enumerated().map { i, r in
            BarChart.Series(
                run: r.label,
                colour: colour(i),
                values: kinds.map { k in r.requests.first { $0.0 == k }?.1 },
                notes: kinds.map { _ in nil }
            )
        }
        s += BarChart(
            id: "requests-bars",
            title: "requests sent, first transmissions and retransmissions",
            unit: "requests",
            categories: kinds,
            series: series
        ).svg()
        return s + "</section>"
    }
}
