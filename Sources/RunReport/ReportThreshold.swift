import Workload

/// What a report offers `--fail-if`: its verdicts (a check that holds or fails, such as
/// `conservation` or `delivery`) and its figures (a number, such as `chunks-per-sec`), by name.
public protocol ReportThresholdSubject {
    /// Each verdict: nil when it held, else why it failed.
    static var thresholdVerdicts: [(name: String, failure: @Sendable (Self) -> String?)] { get }
    static var thresholdFigures: [(name: String, help: String, value: @Sendable (Self) -> Double)] { get }
}

/// A `--fail-if` threshold on a report: the run exits non-zero when it holds (for stress runs
/// in CI). A verdict's name fails when the verdict failed; `FIGURE<N`, `FIGURE>N`, `FIGURE<=N`,
/// `FIGURE>=N` compare one of the report's figures. Parsed once, with the report's names, so
/// that a typing error is refused before the run, naming what is known.
public struct ReportThreshold<Report: ReportThresholdSubject>: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case verdict(String)
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

    public init(parsing text: String) throws(WorkloadError) {
        let t = String(text.filter { $0 != " " })
        description = t
        let verdicts = Report.thresholdVerdicts.map(\.name)
        if verdicts.contains(t) {
            kind = .verdict(t)
            return
        }
        let figures = Report.thresholdFigures.map(\.name)
        for op in [Op.lessOrEqual, .greaterOrEqual, .less, .greater] {
            guard let range = t.firstRange(of: op.rawValue) else { continue }
            let name = String(t[..<range.lowerBound])
            let number = String(t[range.upperBound...])
            guard figures.contains(name) else {
                throw WorkloadError(
                    "--fail-if '\(text)': unknown figure '\(name)'; one of \(figures.joined(separator: ", "))"
                )
            }
            guard let value = Double(number), value.isFinite else {
                throw WorkloadError("--fail-if '\(text)': '\(number)' is not a number")
            }
            kind = .compare(metric: name, op: op, value: value)
            return
        }
        let example = figures.first.map { " (e.g. \($0)<1000)" } ?? ""
        throw WorkloadError(
            "--fail-if '\(text)' is not \(verdicts.map { "'\($0)'" }.joined(separator: ", ")) or FIGURE<N / FIGURE>N\(example)"
        )
    }

    /// Every condition in `texts`, each of which may list several separated by commas.
    public static func parsing(_ texts: [String]) throws(WorkloadError) -> [Self] {
        var out: [Self] = []
        for text in texts {
            for part in text.split(separator: ",") { out.append(try Self(parsing: String(part))) }
        }
        return out
    }

    /// Nil if the condition does not hold, else why the run fails.
    public func failure(in report: Report) -> String? {
        switch kind {
        case .verdict(let name):
            return Report.thresholdVerdicts.first { $0.name == name }?.failure(report)
        case .compare(let metric, let op, let value):
            guard let figure = Report.thresholdFigures.first(where: { $0.name == metric }) else { return nil }
            let actual = figure.value(report)
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
