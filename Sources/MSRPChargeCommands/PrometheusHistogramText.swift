import Histogram

/// An HdrHistogram of nanoseconds (named here apart: Prometheus has a `Histogram` too).
typealias NanosecondHistogram = Histogram<UInt64>

/// An HdrHistogram as a Prometheus histogram (text format), for figures the engine records into
/// HdrHistograms on its hot path rather than through swift-metrics.
enum PrometheusHistogramText {
    /// Upper bounds of the round-trip buckets, seconds.
    static let bounds: [Double] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5,
    ]

    /// A Prometheus histogram from an HdrHistogram of nanoseconds: `_bucket{le}` counts the
    /// values at or below each bound (cumulative, as the format defines), `_sum` and `_count`.
    static func render(_ name: String, _ h: Histogram<UInt64>, labels: [(String, String)] = []) -> String {
        let tags = labels.map { "\($0.0)=\"\(escaped($0.1))\"" }.joined(separator: ",")
        let inner = tags.isEmpty ? "" : tags + ","
        let outer = tags.isEmpty ? "" : "{" + tags + "}"
        var s = "# TYPE \(name) histogram\n"
        for le in bounds {
            let n = h.count(within: 0...UInt64(le * 1e9))
            s += "\(name)_bucket{\(inner)le=\"\(le)\"} \(n)\n"
        }
        s += "\(name)_bucket{\(inner)le=\"+Inf\"} \(h.totalCount)\n"
        s += "\(name)_sum\(outer) \(h.mean * Double(h.totalCount) / 1e9)\n"
        s += "\(name)_count\(outer) \(h.totalCount)\n"
        return s
    }

    /// A label value as the text format wants it: backslash, double quote and line feed
    /// escaped (`\\`, `\"`, `\n`), so that a value from the command line cannot end the label
    /// or the line.
    static func escaped(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
