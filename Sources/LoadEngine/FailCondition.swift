import Workload

/// A `--fail-if` threshold: the run exits non-zero when it holds (for stress runs in CI).
///
/// `conservation` fails when the conservation check fails; `model` when the engine's counts
/// differ from the traffic model's; `METRIC<N`, `METRIC>N`, `METRIC<=N`, `METRIC>=N` compare
/// a figure of the report (see ``metrics``).
public struct FailCondition: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case conservation
        case model
        case compare(metric: String, op: Op, value: Double)
    }

    public enum Op: String, Sendable, Equatable {
        case less = "<"
        case greater = ">"
        case lessOrEqual = "<="
        case greaterOrEqual = ">="
    }

    public let kind: Kind
    public let description: String

    /// The figures a condition can name, and where they come from in the report.
    public static let metrics: [(name: String, help: String, value: @Sendable (BenchReport) -> Double)] = [
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

    public init(parsing text: String) throws(WorkloadError) {
        let t = text.replacingSpaces
        description = t
        if t == "conservation" {
            kind = .conservation
            return
        }
        if t == "model" {
            kind = .model
            return
        }
        for op in [Op.lessOrEqual, .greaterOrEqual, .less, .greater] {
            guard let range = t.firstRange(of: op.rawValue) else { continue }
            let name = String(t[..<range.lowerBound])
            let number = String(t[range.upperBound...])
            guard Self.metrics.contains(where: { $0.name == name }) else {
                throw WorkloadError(
                    "--fail-if '\(text)': unknown figure '\(name)'; one of \(Self.metrics.map(\.name).joined(separator: ", "))"
                )
            }
            guard let value = Double(number), value.isFinite else {
                throw WorkloadError("--fail-if '\(text)': '\(number)' is not a number")
            }
            kind = .compare(metric: name, op: op, value: value)
            return
        }
        throw WorkloadError(
            "--fail-if '\(text)' is not 'conservation', 'model' or FIGURE<N / FIGURE>N (e.g. chunks-per-sec<6000000, p99-us>50)"
        )
    }

    /// Nil if the condition does not hold, else why the run fails.
    public func failure(in report: BenchReport) -> String? {
        switch kind {
        case .conservation:
            return report.conservation.ok ? nil : "conservation failed: \(report.conservation.detail)"
        case .model:
            return report.modelCheck.ok ? nil : "model check failed: \(report.modelCheck.detail)"
        case .compare(let metric, let op, let value):
            let actual = Self.metrics.first { $0.name == metric }!.value(report)
            let holds: Bool
            switch op {
            case .less: holds = actual < value
            case .greater: holds = actual > value
            case .lessOrEqual: holds = actual <= value
            case .greaterOrEqual: holds = actual >= value
            }
            return holds ? "\(metric) = \(formatNumber(actual)) \(op.rawValue) \(formatNumber(value))" : nil
        }
    }
}

extension String {
    var replacingSpaces: String { String(filter { $0 != " " }) }
}
