import Histogram
import HistogramCodec

/// A latency distribution as a report keeps it, in microseconds: the usual percentiles, the
/// whole distribution for a page, and the histogram itself (HdrHistogram's V2 encoding) for
/// `merge`, which adds histograms and never averages percentiles. One type for every report
/// (`bench`, `load`, `merge`): the same figure is read the same way everywhere.
public struct LatencySummary: Codable, Sendable, Equatable {
    /// What was timed (`chunk`, `session-set-up`, …); empty in reports written before every
    /// latency carried its name (`load`'s, which keys them).
    public var name: String
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var p9999: Double
    public var max: Double
    public var mean: Double
    /// The whole percentile distribution, as HdrHistogram's `.hgrm` lists it (five ticks per
    /// half distance to 100 %): what a report page plots. Absent in older reports and per
    /// second.
    public var distribution: [PercentilePoint]?
    /// The histogram itself, in HdrHistogram's V2 encoding: what `merge` adds up.
    public var histogram: EncodedHistogram?

    public init(
        name: String,
        count: UInt64,
        p50: Double,
        p90: Double,
        p99: Double,
        p999: Double,
        p9999: Double,
        max: Double,
        mean: Double,
        distribution: [PercentilePoint]? = nil,
        histogram: EncodedHistogram? = nil
    ) {
        self.name = name
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.p9999 = p9999
        self.max = max
        self.mean = mean
        self.distribution = distribution
        self.histogram = histogram
    }

    /// From a histogram of nanoseconds, in microseconds (0 for every figure when it is empty).
    public init(_ h: Histogram<UInt64>, name: String = "", distribution withDistribution: Bool = true) {
        func us(_ p: Double) -> Double { h.totalCount == 0 ? 0 : Double(h.valueAtPercentile(p)) / 1000 }
        self.init(
            name: name,
            count: h.totalCount,
            p50: us(50),
            p90: us(90),
            p99: us(99),
            p999: us(99.9),
            p9999: us(99.99),
            max: h.totalCount == 0 ? 0 : Double(h.max) / 1000,
            mean: h.totalCount == 0 ? 0 : h.mean / 1000,
            distribution: withDistribution ? PercentilePoint.distribution(of: h) : nil,
            histogram: EncodedHistogram(h)
        )
    }

    enum CodingKeys: String, CodingKey {
        case name, count, p50, p90, p99, p999, p9999, max, mean, distribution, histogram
    }

    /// Reads reports written before p99.99 and the mean were kept for every latency (`load`'s):
    /// those read as 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        count = try c.decode(UInt64.self, forKey: .count)
        p50 = try c.decode(Double.self, forKey: .p50)
        p90 = try c.decode(Double.self, forKey: .p90)
        p99 = try c.decode(Double.self, forKey: .p99)
        p999 = try c.decode(Double.self, forKey: .p999)
        p9999 = try c.decodeIfPresent(Double.self, forKey: .p9999) ?? 0
        max = try c.decode(Double.self, forKey: .max)
        mean = try c.decodeIfPresent(Double.self, forKey: .mean) ?? 0
        distribution = try c.decodeIfPresent([PercentilePoint].self, forKey: .distribution)
        histogram = try c.decodeIfPresent(EncodedHistogram.self, forKey: .histogram)
    }
}
