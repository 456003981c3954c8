import Histogram

/// One point of a latency distribution: the value (µs) at or below which `percentile` % of
/// the recorded values lie. HdrHistogram's percentile iteration gives these, as its `.hgrm`
/// output and its plotter use them.
public struct PercentilePoint: Codable, Sendable, Equatable {
    public var percentile: Double
    public var value: Double

    public init(percentile: Double, value: Double) {
        self.percentile = percentile
        self.value = value
    }

    /// The distribution of a histogram of nanoseconds, in microseconds, five ticks per half
    /// distance to 100 % (HdrHistogram's default: about ten points per decade of 1/(1-p)).
    public static func distribution(of h: Histogram<UInt64>, ticksPerHalfDistance: Int = 5) -> [PercentilePoint] {
        guard h.totalCount > 0 else { return [] }
        var points: [PercentilePoint] = []
        for v in h.percentiles(ticksPerHalfDistance: ticksPerHalfDistance) {
            points.append(PercentilePoint(percentile: v.percentileLevelIteratedTo, value: Double(v.value) / 1000))
        }
        return points
    }
}
