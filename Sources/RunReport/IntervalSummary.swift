import Histogram
import HistogramCodec

/// One second of a run's timed phase as a report keeps it: rates, the chunk latency's p50, p99
/// and max in microseconds, and the second's counts and histogram, which `merge` adds up. One
/// type for `bench` and `load` (only `bench` counts charging requests).
public struct IntervalSummary: Codable, Sendable, Equatable {
    public var second: Int
    public var seconds: Double
    public var chunksPerSecond: Double
    public var messagesPerSecond: Double
    /// Charging requests per second (`bench`); nil where the run does not count them.
    public var requestsPerSecond: Double?
    public var p50: Double
    public var p99: Double
    public var max: Double
    /// The second's counts and its chunk latency histogram (V2), for `merge`; absent in
    /// reports written before `merge` existed.
    public var chunks: UInt64?
    public var messages: UInt64?
    public var requests: UInt64?
    public var histogram: EncodedHistogram?

    /// A second's figures from its counts and its chunk latency histogram (nanoseconds).
    public init(
        second: Int,
        seconds: Double,
        chunks: UInt64,
        messages: UInt64,
        requests: UInt64? = nil,
        latency h: Histogram<UInt64>
    ) {
        let l = LatencySummary(h, distribution: false)
        self.second = second
        self.seconds = seconds
        chunksPerSecond = Double(chunks) / seconds
        messagesPerSecond = Double(messages) / seconds
        requestsPerSecond = requests.map { Double($0) / seconds }
        p50 = l.p50
        p99 = l.p99
        max = l.max
        self.chunks = chunks
        self.messages = messages
        self.requests = requests
        histogram = l.histogram
    }

    /// The same second of every partition of a run added up, second by second (the partitions
    /// ran at the same time): counts summed, histograms added, the longest second kept.
    /// Refuses a partition without a second's counts or histogram, naming it.
    public static func merged(_ partitions: [[IntervalSummary]], names: [String]) throws(MergeError) -> [IntervalSummary] {
        let n = partitions.map(\.count).max() ?? 0
        let countsRequests = partitions.contains { $0.contains { $0.requests != nil } }
        var out: [IntervalSummary] = []
        for i in 0..<n {
            var h: Histogram<UInt64>? = nil
            var chunks: UInt64 = 0
            var messages: UInt64 = 0
            var requests: UInt64 = 0
            var seconds = 0.0
            for (p, name) in zip(partitions, names) where i < p.count {
                let x = p[i]
                guard let c = x.chunks, let m = x.messages, !countsRequests || x.requests != nil else {
                    throw MergeError("\(name) has no counts for second \(i + 1) (written by an older msrpcharge?)")
                }
                chunks &+= c
                messages &+= m
                requests &+= x.requests ?? 0
                seconds = Swift.max(seconds, x.seconds)
                let part = try MergeError.histogram(x.histogram, "second \(i + 1)", name)
                if h == nil { h = part } else { h!.add(part) }
            }
            guard let h else { continue }  // some partition has second i: never taken
            seconds = Swift.max(seconds, 1e-3)
            out.append(
                IntervalSummary(
                    second: i + 1,
                    seconds: seconds,
                    chunks: chunks,
                    messages: messages,
                    requests: countsRequests ? requests : nil,
                    latency: h
                )
            )
        }
        return out
    }

    /// The seconds as CSV (`--interval-csv`), one row a second: the second's length to the
    /// millisecond, whole rates per second, latencies in µs; `requests_per_sec` only where the
    /// run counts charging requests.
    public static func csv(_ intervals: [IntervalSummary]) -> String {
        let requests = intervals.contains { $0.requestsPerSecond != nil }
        var csv = "second,seconds,chunks_per_sec,messages_per_sec" + (requests ? ",requests_per_sec" : "")
        csv += ",p50_us,p99_us,max_us\n"
        for i in intervals {
            csv += "\(i.second),\(milliseconds(i.seconds)),\(Int(i.chunksPerSecond)),\(Int(i.messagesPerSecond))"
            if requests { csv += ",\(Int(i.requestsPerSecond ?? 0))" }
            csv += ",\(i.p50),\(i.p99),\(i.max)\n"
        }
        return csv
    }

    /// Seconds with three decimals (`1.002`), without Foundation's formatter.
    static func milliseconds(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
