/// A line chart as inline SVG: one polyline per series. The x axis is either HdrHistogram's
/// percentile axis (``PercentileAxis``) or linear (seconds of the run); y is linear from 0.
///
/// The plot's geometry and scales are written on the `<svg>` element (`data-plot`,
/// `data-x-axis`, `data-decades`, `data-x-max`, `data-y-max`), so a reader (the tests) can
/// turn every plotted point back into the value it stands for.
struct LineChart {
    enum XAxis {
        case percentile(decades: Int)
        case linear(max: Double, label: String)
    }

    struct Series {
        var run: String
        var name: String
        var colour: String
        /// (x, y) in data units: x a percentile in % or seconds; y the value.
        var points: [(Double, Double)]
    }

    var id: String
    var title: String
    var xAxis: XAxis
    var yLabel: String
    var series: [Series]
    /// A logarithmic y axis (decades from `yMin` to `yMax`): latency whose tail is a hundred
    /// times its median would otherwise flatten the body of the curve onto the axis.
    var logY = false

    /// Whether a latency chart needs a log y axis: its largest value over 30 × the smallest
    /// median (x is a percentile here).
    static func wantsLogY(_ series: [Series]) -> Bool {
        let top = series.flatMap { $0.points.map(\.1) }.max() ?? 0
        let medians = series.compactMap { s in s.points.first { $0.0 >= 50 }?.1 }.filter { $0 > 0 }
        guard let median = medians.min() else { return false }
        return top > 30 * median
    }

    static let width = 760.0
    static let height = 340.0
    // The plot area inside the chart: room on the left for y labels, below for x labels.
    static let left = 70.0
    static let top = 34.0
    static let plotWidth = 560.0
    static let plotHeight = 250.0

    var yMax: Double {
        let top = series.flatMap { $0.points.map(\.1) }.max() ?? 1
        return logY ? PercentileAxis.pow10(PercentileAxis.log10(max(top, 1e-3)).rounded(.up)) : SVGText.niceCeiling(top)
    }

    /// The log axis's bottom: the decade at or below the smallest positive value.
    var yMin: Double {
        let low = series.flatMap { $0.points.map(\.1) }.filter { $0 > 0 }.min() ?? 1
        return min(yMax / 10, PercentileAxis.pow10(PercentileAxis.log10(low).rounded(.down)))
    }

    func x(_ v: Double) -> Double {
        switch xAxis {
        case .percentile(let decades):
            return Self.left + PercentileAxis.position(percentile: v, decades: decades) / Double(decades)
                * Self.plotWidth
        case .linear(let max, _):
            return Self.left + (max > 0 ? min(v, max) / max : 0) * Self.plotWidth
        }
    }

    func y(_ v: Double, _ top: Double) -> Double {
        if logY {
            let low = PercentileAxis.log10(yMin)
            let share = (PercentileAxis.log10(max(v, yMin)) - low) / (PercentileAxis.log10(top) - low)
            return Self.top + Self.plotHeight - share * Self.plotHeight
        }
        return Self.top + Self.plotHeight - (top > 0 ? v / top : 0) * Self.plotHeight
    }

    func svg() -> String {
        let yTop = yMax
        let f = SVGText.fixed
        var s = "<svg class=\"chart\" id=\"\(SVGText.escape(id))\" xmlns=\"http://www.w3.org/2000/svg\""
        s +=
            " viewBox=\"0 0 \(f(Self.width, 0)) \(f(Self.height, 0))\" width=\"\(f(Self.width, 0))\" height=\"\(f(Self.height, 0))\""
        s += " data-plot=\"\(f(Self.left, 2)) \(f(Self.top, 2)) \(f(Self.plotWidth, 2)) \(f(Self.plotHeight, 2))\""
        switch xAxis {
        case .percentile(let decades): s += " data-x-axis=\"percentile\" data-decades=\"\(decades)\""
        case .linear(let max, _): s += " data-x-axis=\"linear\" data-x-max=\"\(f(max, 6))\""
        }
        s += " data-y-max=\"\(f(yTop, 6))\""
        s += logY ? " data-y-scale=\"log\" data-y-min=\"\(f(yMin, 6))\"" : " data-y-scale=\"linear\""
        s += " role=\"img\" aria-label=\"\(SVGText.escape(title))\">"
        s +=
            "<text class=\"title\" x=\"\(f(Self.left, 0))\" y=\"20\">\(SVGText.escape(title))\(logY ? " (log scale)" : "")</text>"
        // Grid and y labels: five steps, or one per decade.
        var ticks: [Double] = (0...5).map { yTop * Double($0) / 5 }
        if logY {
            ticks = []
            var v = yMin
            while v <= yTop * 1.0001 {
                ticks.append(v)
                v *= 10
            }
        }
        for v in ticks {
            let py = y(v, yTop)
            s +=
                "<line class=\"grid\" x1=\"\(f(Self.left, 1))\" y1=\"\(f(py, 1))\" x2=\"\(f(Self.left + Self.plotWidth, 1))\" y2=\"\(f(py, 1))\"/>"
            s +=
                "<text class=\"tick\" x=\"\(f(Self.left - 6, 1))\" y=\"\(f(py + 4, 1))\" text-anchor=\"end\">\(SVGText.si(v))</text>"
        }
        s +=
            "<text class=\"axis\" transform=\"translate(14 \(f(Self.top + Self.plotHeight / 2, 1))) rotate(-90)\" text-anchor=\"middle\">\(SVGText.escape(yLabel))</text>"
        // x ticks.
        switch xAxis {
        case .percentile(let decades):
            for d in 0...decades {
                let px = Self.left + Double(d) / Double(decades) * Self.plotWidth
                s +=
                    "<line class=\"grid\" x1=\"\(f(px, 1))\" y1=\"\(f(Self.top, 1))\" x2=\"\(f(px, 1))\" y2=\"\(f(Self.top + Self.plotHeight, 1))\"/>"
                s +=
                    "<text class=\"tick\" x=\"\(f(px, 1))\" y=\"\(f(Self.top + Self.plotHeight + 16, 1))\" text-anchor=\"middle\">\(PercentileAxis.label(decade: d))</text>"
            }
            s +=
                "<text class=\"axis\" x=\"\(f(Self.left + Self.plotWidth / 2, 1))\" y=\"\(f(Self.top + Self.plotHeight + 36, 1))\" text-anchor=\"middle\">percentile (the right end is the maximum)</text>"
        case .linear(let max, let label):
            let step = SVGText.niceCeiling(max / 6)
            var v = 0.0
            while v <= max + 1e-9 {
                let px = x(v)
                s +=
                    "<line class=\"grid\" x1=\"\(f(px, 1))\" y1=\"\(f(Self.top, 1))\" x2=\"\(f(px, 1))\" y2=\"\(f(Self.top + Self.plotHeight, 1))\"/>"
                s +=
                    "<text class=\"tick\" x=\"\(f(px, 1))\" y=\"\(f(Self.top + Self.plotHeight + 16, 1))\" text-anchor=\"middle\">\(SVGText.si(v))</text>"
                v += step
            }
            s +=
                "<text class=\"axis\" x=\"\(f(Self.left + Self.plotWidth / 2, 1))\" y=\"\(f(Self.top + Self.plotHeight + 36, 1))\" text-anchor=\"middle\">\(SVGText.escape(label))</text>"
        }
        s +=
            "<rect class=\"frame\" x=\"\(f(Self.left, 1))\" y=\"\(f(Self.top, 1))\" width=\"\(f(Self.plotWidth, 1))\" height=\"\(f(Self.plotHeight, 1))\"/>"
        // The series, and a legend to the right of the plot.
        for (k, series) in self.series.enumerated() {
            let points = series.points.map { "\(f(x($0.0), 2)),\(f(y($0.1, yTop), 2))" }.joined(separator: " ")
            s +=
                "<polyline class=\"series\" data-run=\"\(SVGText.escape(series.run))\" data-name=\"\(SVGText.escape(series.name))\""
            s += " fill=\"none\" stroke=\"\(series.colour)\" stroke-width=\"2\" points=\"\(points)\"/>"
            let ly = Self.top + 8 + Double(k) * 18
            let lx = Self.left + Self.plotWidth + 12
            s +=
                "<line x1=\"\(f(lx, 1))\" y1=\"\(f(ly, 1))\" x2=\"\(f(lx + 18, 1))\" y2=\"\(f(ly, 1))\" stroke=\"\(series.colour)\" stroke-width=\"3\"/>"
            s +=
                "<text class=\"legend\" x=\"\(f(lx + 22, 1))\" y=\"\(f(ly + 4, 1))\">\(SVGText.escape(Self.short(series.run)))</text>"
        }
        if series.allSatisfy({ $0.points.isEmpty }) {
            s +=
                "<text class=\"empty\" x=\"\(f(Self.left + Self.plotWidth / 2, 1))\" y=\"\(f(Self.top + Self.plotHeight / 2, 1))\" text-anchor=\"middle\">no samples</text>"
        }
        return s + "</svg>"
    }

    /// A legend entry fits beside the plot.
    static func short(_ s: String) -> String { s.count <= 14 ? s : String(s.prefix(13)) + "…" }
}
