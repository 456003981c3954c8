/// The `plan` command's table as a page: per interim interval, the requests per second the
/// charging system sees and the engine cores needed, as bars.
public struct PlanChart: Sendable {
    /// The plan's heading lines (traffic, costs, model).
    public var lines: [String]
    /// One per interim interval, in the plan's order.
    public var intervals: [Double]
    public var interimsPerSecond: [Double]
    public var requestsPerSecond: [Double]
    public var coreSeconds: [Double]
    public var cores: [Int]

    public init(
        lines: [String],
        intervals: [Double],
        interimsPerSecond: [Double],
        requestsPerSecond: [Double],
        coreSeconds: [Double],
        cores: [Int]
    ) {
        self.lines = lines
        self.intervals = intervals
        self.interimsPerSecond = interimsPerSecond
        self.requestsPerSecond = requestsPerSecond
        self.coreSeconds = coreSeconds
        self.cores = cores
    }
}

extension ReportPage {
    /// The plan page: its heading, requests/s per interval (CH-1 interims and all requests)
    /// and cores per interval, in sections `plan`, `plan-requests` and `plan-cores`.
    public static func html(plan p: PlanChart, title: String) -> String {
        let categories = p.intervals.map { "interim every \(SVGText.trim(SVGText.fixed($0, 3))) s" }
        var body = "<header><h1>\(SVGText.escape(title))</h1></header><section id=\"plan\"><h2>Plan</h2>"
        for line in p.lines { body += "<p class=\"workload\">\(SVGText.escape(line))</p>" }
        body += "</section><section id=\"plan-requests\"><h2>Charging requests per second, by interim interval</h2>"
        body += BarChart(
            id: "plan-requests-bars",
            title: "requests the charging system sees",
            unit: "requests/s",
            categories: categories,
            series: [
                BarChart.Series(
                    run: "CH-1 interims",
                    colour: colour(0),
                    values: p.interimsPerSecond,
                    notes: p.interimsPerSecond.map { _ in "CH-1 interim" }
                ),
                BarChart.Series(
                    run: "all requests",
                    colour: colour(1),
                    values: p.requestsPerSecond,
                    notes: p.requestsPerSecond.map { _ in "all kinds" }
                ),
            ]
        ).svg()
        body += "</section><section id=\"plan-cores\"><h2>Engine cores, by interim interval</h2>"
        body += BarChart(
            id: "plan-cores-bars",
            title: "chunks/s × c_chunk + requests/s × c_request",
            unit: "cores",
            categories: categories,
            series: [
                BarChart.Series(
                    run: "cores",
                    colour: colour(2),
                    values: p.coreSeconds,
                    notes: p.cores.map { "→ \($0) core\($0 == 1 ? "" : "s")" }
                )
            ]
        ).svg()
        body += "</section>"
        return document(title: title, body: body)
    }
}
