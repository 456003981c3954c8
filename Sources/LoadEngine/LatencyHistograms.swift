import Histogram

/// The latency histograms of a run, in nanoseconds (HdrHistogram, 3 significant digits, up
/// to one minute). Each worker keeps its own; they are merged at the end.
public struct LatencyHistograms: Sendable {
    /// A read in → its 200 OKs written, recorded once for each chunk the read completed.
    public var chunk = LatencyHistograms.make()
    /// First chunk of a message in → the 200 OK of its last chunk out.
    public var message = LatencyHistograms.make()
    /// Charging request sent → its answer handled (to the embedded enabler).
    public var chargingRoundTrip = LatencyHistograms.make()
    /// SIP INVITE in → 200 OK to the originator and INVITE forwarded (with the CH-2
    /// reservation when charging online).
    public var sessionSetUp = LatencyHistograms.make()

    public init() {}

    public static let highestTrackable: UInt64 = 60_000_000_000

    public static func make(digits: SignificantDigits = .three) -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: highestTrackable,
            numberOfSignificantValueDigits: digits
        )
    }

    public mutating func add(_ o: LatencyHistograms) {
        chunk.add(o.chunk)
        message.add(o.message)
        chargingRoundTrip.add(o.chargingRoundTrip)
        sessionSetUp.add(o.sessionSetUp)
    }

    /// The histograms by the names the report, the JSON and the `.hgrm` files use.
    public var named: [(name: String, histogram: Histogram<UInt64>)] {
        [
            ("chunk", chunk), ("message", message), ("charging-round-trip", chargingRoundTrip),
            ("session-set-up", sessionSetUp),
        ]
    }
}

extension Histogram where Count == UInt64 {
    /// Records `value` nanoseconds, clamped to the trackable range.
    @inlinable
    mutating func recordClamped(_ value: Int64, count: UInt64 = 1) {
        let v = UInt64(Swift.max(1, Swift.min(value, Int64(LatencyHistograms.highestTrackable))))
        _ = record(v, count: count)
    }
}
