/// What a report page shows of one run, whatever command made it (`bench`, `load`): the page
/// renders several of these overlaid, one colour each. Built by the command layer from a
/// report (in memory, or read back from its JSON).
public struct ReportRun: Sendable {
    /// A short name for the legend: the report's file name, or the command.
    public var label: String
    /// The command that made the report: "bench" or "load".
    public var kind: String
    /// The workload in one line, as the text report begins.
    public var workload: String
    /// The machine during the run (CPUs, busy share, the generator's own CPU).
    public var machine: String
    /// Pass or fail, shown first: conservation, model, delivery, `--fail-if`.
    public var checks: [Check]
    /// Headline figures (name, value), in order.
    public var figures: [(String, String)]
    /// Latency histograms: each is drawn on HdrHistogram's percentile axis.
    public var latencies: [Latency]
    /// Second by second: throughput, charging requests, p99.
    public var intervals: [Interval]
    /// The stages table (`bench --stages`): the same traffic through successive depths.
    public var stages: [Stage]
    /// Charging requests by kind (CH-1 start, interim, …).
    public var requests: [(String, Double)]

    public struct Check: Sendable {
        public var name: String
        /// nil: not applicable to this run.
        public var ok: Bool?
        public var detail: String
        public init(name: String, ok: Bool?, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public struct Latency: Sendable {
        public var name: String
        public var count: UInt64
        /// (percentile in %, value in µs), ascending, the last at 100 %.
        public var points: [(percentile: Double, value: Double)]
        public init(name: String, count: UInt64, points: [(percentile: Double, value: Double)]) {
            self.name = name
            self.count = count
            self.points = points
        }
    }

    public struct Interval: Sendable {
        public var second: Double
        public var chunksPerSecond: Double
        /// nil where the report has none (`load` does not see the server's charging).
        public var requestsPerSecond: Double?
        /// SEND → 200 OK (µs) in that second.
        public var p99: Double
        public init(second: Double, chunksPerSecond: Double, requestsPerSecond: Double?, p99: Double) {
            self.second = second
            self.chunksPerSecond = chunksPerSecond
            self.requestsPerSecond = requestsPerSecond
            self.p99 = p99
        }
    }

    public struct Stage: Sendable {
        public var name: String
        public var chunksPerSecond: Double
        public var ratioToPrevious: Double
        public var ratioToTable: Double?
        public init(name: String, chunksPerSecond: Double, ratioToPrevious: Double, ratioToTable: Double?) {
            self.name = name
            self.chunksPerSecond = chunksPerSecond
            self.ratioToPrevious = ratioToPrevious
            self.ratioToTable = ratioToTable
        }
    }

    public init(
        label: String,
        kind: String,
        workload: String,
        machine: String,
        checks: [Check] = [],
        figures: [(String, String)] = [],
        latencies: [Latency] = [],
        intervals: [Interval] = [],
        stages: [Stage] = [],
        requests: [(String, Double)] = []
    ) {
        self.label = label
        self.kind = kind
        self.workload = workload
        self.machine = machine
        self.checks = checks
        self.figures = figures
        self.latencies = latencies
        self.intervals = intervals
        self.stages = stages
        self.requests = requests
    }
}
