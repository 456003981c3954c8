import RunReport
import Workload

/// A `--fail-if` threshold on a bench report (for stress runs in CI): `conservation` fails when
/// the conservation check fails, `model` when the engine's counts differ from the traffic
/// model's; `METRIC<N`, `METRIC>N`, `METRIC<=N`, `METRIC>=N` compare a figure of the report
/// (``BenchReport/thresholdFigures``).
public typealias FailCondition = ReportThreshold<BenchReport>

extension BenchReport: ReportThresholdSubject {
    public static let thresholdVerdicts: [(name: String, failure: @Sendable (BenchReport) -> String?)] = [
        ("conservation", { $0.conservation.ok ? nil : "conservation failed: \($0.conservation.detail)" }),
        ("model", { $0.modelCheck.ok ? nil : "model check failed: \($0.modelCheck.detail)" }),
    ]

    /// The figures a condition can name, and where they come from in the report.
    public static let thresholdFigures: [(name: String, help: String, value: @Sendable (BenchReport) -> Double)] = [
        ("chunks-per-sec", "chunks per second", { $0.throughput.chunksPerSecond }),
        ("messages-per-sec", "messages per second", { $0.throughput.messagesPerSecond }),
        ("mb-per-sec", "body MB (10^6 bytes) per second", { $0.throughput.bodyMBPerSecond }),
        ("wire-mb-per-sec", "wire MB per second", { $0.throughput.wireMBPerSecond }),
        ("p50-us", "chunk latency p50, µs", { lat($0, "chunk").p50 }),
        ("p90-us", "chunk latency p90, µs", { lat($0, "chunk").p90 }),
        ("p99-us", "chunk latency p99, µs", { lat($0, "chunk").p99 }),
        ("p999-us", "chunk latency p99.9, µs", { lat($0, "chunk").p999 }),
        ("p9999-us", "chunk latency p99.99, µs", { lat($0, "chunk").p9999 }),
        ("max-us", "chunk latency max, µs", { lat($0, "chunk").max }),
        ("message-p99-us", "message completion p99, µs", { lat($0, "message").p99 }),
        ("charging-p99-us", "charging round trip p99, µs", { lat($0, "charging-round-trip").p99 }),
        ("setup-p99-us", "session set-up p99, µs", { lat($0, "session-set-up").p99 }),
        ("requests", "charging requests sent", { Double($0.charging.totalRequests) }),
        ("interims-per-sec", "CH-1 interims per second", { $0.charging.interimsPerSecond }),
        ("denials", "charging denials", { Double($0.charging.denials) }),
        ("abandoned", "requests given up", { Double($0.charging.abandoned) }),
        ("parse-errors", "chunks that failed to parse", { Double($0.responses.parseErrors) }),
        ("steal-pct", "CPU time the hypervisor took, % (0 where unknown)", { ($0.machine?.stealShare ?? 0) * 100 }),
    ]

    static func lat(_ r: BenchReport, _ name: String) -> BenchReport.Latency {
        r.latency.first { $0.name == name }!
    }
}
