import RunReport

/// A `--fail-if` threshold on a load report: `delivery` fails when the delivery check failed;
/// `FIGURE<N`, `FIGURE>N`, `FIGURE<=N`, `FIGURE>=N` compare a figure of the report
/// (``SavedLoadReport/thresholdFigures``).
public typealias LoadFailCondition = ReportThreshold<SavedLoadReport>

extension SavedLoadReport: ReportThresholdSubject {
    public static let thresholdVerdicts: [(name: String, failure: @Sendable (SavedLoadReport) -> String?)] = [
        ("delivery", { $0.delivery.ok ? nil : "delivery failed: \($0.delivery.detail)" })
    ]

    /// The figures a condition can name, and where they come from in the report.
    public static let thresholdFigures: [(name: String, help: String, value: @Sendable (SavedLoadReport) -> Double)] = [
        ("chunks-per-second", "chunks per second", { $0.chunksPerSecond }),
        ("chunk-p50-us", "SEND → 200 p50, µs", { $0.latency["chunk"]?.p50 ?? 0 }),
        ("chunk-p99-us", "SEND → 200 p99, µs", { $0.latency["chunk"]?.p99 ?? 0 }),
        ("chunk-p999-us", "SEND → 200 p99.9, µs", { $0.latency["chunk"]?.p999 ?? 0 }),
        ("chunk-max-us", "SEND → 200 max, µs", { $0.latency["chunk"]?.max ?? 0 }),
        ("delivery-p99-us", "message delivery p99, µs", { $0.latency["delivery"]?.p99 ?? 0 }),
        ("setup-p99-us", "session set-up p99, µs", { $0.latency["sessionSetUp"]?.p99 ?? 0 }),
        ("setup-failures", "sessions not set up", { Double($0.sessions - $0.sessionsSetUp) }),
        ("send-queue-full", "times a connection's send queue was full", { Double($0.sendQueueFull) }),
    ]
}
