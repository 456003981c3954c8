import Metrics
import NIOConcurrencyHelpers

/// swift-metrics counters that follow totals kept elsewhere (a run's or a server's own
/// counters, which the hot path keeps without a lock): each is moved up by what the total grew
/// since it was last seen, never down. `RunMetrics` and `ServeMetrics` both export through one.
final class CounterMirror: Sendable {
    /// The factory counters are made with; nil for the process's bootstrapped one.
    let factory: (any MetricsFactory)?
    /// Counter name and labels → (the swift-metrics counter, the value already exported).
    let exported = NIOLockedValueBox([String: (Metrics.Counter, Int64)]())

    init(factory: (any MetricsFactory)? = nil) { self.factory = factory }

    /// Moves the counter `name{dimensions}` up to `value`.
    func set(_ name: String, _ dimensions: [(String, String)], _ value: UInt64) {
        let key = name + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        exported.withLockedValue { all in
            let (c, last) =
                all[key]
                ?? (factory.map { Metrics.Counter(label: name, dimensions: dimensions, factory: $0) }
                    ?? Metrics.Counter(label: name, dimensions: dimensions), 0)
            let now = Int64(truncatingIfNeeded: value)
            if now > last { c.increment(by: now - last) }
            all[key] = (c, max(now, last))
        }
    }
}
