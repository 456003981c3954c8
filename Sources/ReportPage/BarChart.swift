/// Horizontal bars as inline SVG, grouped by category, one bar per run in its colour, the
/// value written at the bar's end with an optional note (a ratio). Each bar carries its
/// category, run and value (`data-category`, `data-run`, `data-value`).
struct BarChart {
    struct Series {
        var run: String
        var colour: String
        /// One per category; nil: no bar.
        var values: [Double?]
        var notes: [String?]
    }

    var id: String
    var title: String
    var unit: String
    var categories: [String]
    var series: [Series]

    static let width = 760.0
    static let left = 190.0
    static let barWidth = 430.0
    static let barHeight = 16.0

    func svg() -> String {
        let f = SVGText.fixed
        let top = SVGText.niceCeiling(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let perCategory = Double(max(1, series.count)) * (Self.barHeight + 3) + 10
        let height = 40 + Double(categories.count) * perCategory + 10
        var s = "<svg class=\"chart bars\" id=\"\(SVGText.escape(id))\" xmlns=\"http://www.w3.org/2000/svg\""
        s +=
            " viewBox=\"0 0 \(f(Self.width, 0)) \(f(height, 0))\" width=\"\(f(Self.width, 0))\" height=\"\(f(height, 0))\""
        s += " data-x-max=\"\(f(top, 6))\" role=\"img\" aria-label=\"\(SVGText.escape(title))\">"
        s += "<text class=\"title\" x=\"10\" y=\"20\">\(SVGText.escape(title)) (\(SVGText.escape(unit)))</text>"
        for (c, category) in categories.enumerated() {
            let y0 = 34 + Double(c) * perCategory
            let group = Double(max(1, series.count)) * (Self.barHeight + 3) - 3
            s +=
                "<text class=\"tick\" x=\"\(f(Self.left - 8, 1))\" y=\"\(f(y0 + group / 2 + 4, 1))\" text-anchor=\"end\">\(SVGText.escape(category))</text>"
            for (k, run) in series.enumerated() {
                guard c < run.values.count, let v = run.values[c] else { continue }
                let y = y0 + Double(k) * (Self.barHeight + 3)
                let w = max(1, v / top * Self.barWidth)
                s +=
                    "<rect class=\"bar\" data-category=\"\(SVGText.escape(category))\" data-run=\"\(SVGText.escape(run.run))\" data-value=\"\(f(v, 6))\""
                s +=
                    " x=\"\(f(Self.left, 1))\" y=\"\(f(y, 1))\" width=\"\(f(w, 2))\" height=\"\(f(Self.barHeight, 1))\" fill=\"\(run.colour)\"/>"
                var label = SVGText.si(v)
                if c < run.notes.count, let note = run.notes[c] { label += "  " + note }
                s +=
                    "<text class=\"value\" x=\"\(f(Self.left + w + 5, 1))\" y=\"\(f(y + 12, 1))\">\(SVGText.escape(label))</text>"
            }
        }
        return s + "</svg>"
    }
}
