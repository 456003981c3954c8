import Foundation
import LoadEngine
import Metrics
import MetricsEndpoint
import NIOConcurrencyHelpers
import NIOCore
import Prometheus
import Workload

/// `--metrics HOST:PORT` on `bench`, `load` and `enabler`: the run's figures in Prometheus's
/// text format while it runs, every series labelled by command and partition, so that one
/// Prometheus scraping N generators sums them (`sum by (kind) (…)`).
///
/// Counters go through swift-metrics with swift-prometheus's registry behind it (its factory
/// passed to each counter: nothing is bootstrapped process-wide, so the commands and their
/// tests can make as many as they like); they are moved on from the run's own counters once
/// a second and at the end, never per chunk. Latency histograms are HdrHistograms on the hot
/// path: each is written as a Prometheus histogram (cumulative buckets) once it is complete.
final class RunMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let labels: [(String, String)]
    let counters: CounterMirror
    let histograms = NIOLockedValueBox([(String, String)]())
    let endpoint: MetricsEndpoint

    /// What a scrape runs first (the enabler moves its counters on then).
    let refresh = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    /// Serves on `host:port` (port 0 picks one) with `labels` on every series.
    init(host: String, port: Int, labels: [(String, String)]) throws {
        let registry = self.registry
        factory = PrometheusMetricsFactory(registry: registry)
        counters = CounterMirror(factory: factory)
        self.labels = labels
        let histograms = self.histograms
        let refresh = self.refresh
        endpoint = try MetricsEndpoint(host: host, port: port) { loop in
            refresh.withLockedValue { $0 }?()
            var out = registry.emitToBuffer()
            for (_, text) in histograms.withLockedValue({ $0 }) { out.append(contentsOf: text.utf8) }
            return loop.makeSucceededFuture(out)
        }
    }

    /// The labels of a run: the command, and the partition (`0/1` for a whole run).
    static func labels(command: String, partition: Partition) -> [(String, String)] {
        [("command", command), ("partition", partition.description)]
    }

    var port: Int { endpoint.port }

    /// Moves the counter `name{labels, extra}` up to `value`.
    func set(_ name: String, _ extra: [(String, String)] = [], _ value: UInt64) {
        counters.set(name, labels + extra, value)
    }

    /// A finished HdrHistogram of nanoseconds as the Prometheus histogram `name` (seconds).
    func histogram(_ name: String, _ h: NanosecondHistogram) {
        let text = PrometheusHistogramText.render(name, h, labels: labels)
        histograms.withLockedValue { all in
            all.removeAll { $0.0 == name }
            all.append((name, text))
        }
    }

    /// Keeps answering for `seconds` (so that the last scrape sees the final figures), then
    /// closes.
    func hold(_ seconds: Double, announce: (String) -> Void) {
        if seconds > 0 {
            announce("metrics: final figures on /metrics for \(ReportText.num(seconds)) s more (--metrics-hold)")
            usleep(useconds_t(min(seconds, 3600) * 1e6))
        }
        endpoint.close()
    }

    /// A bench report's figures.
    func record(_ r: BenchReport) {
        set("msrpcharge_chunks_total", [], r.throughput.chunks)
        set("msrpcharge_messages_total", [("end", "complete")], r.throughput.messages)
        set("msrpcharge_messages_total", [("end", "aborted")], r.throughput.abortedMessages)
        set("msrpcharge_body_bytes_total", [], r.throughput.bodyBytes)
        set("msrpcharge_responses_total", [("status", "200")], r.responses.ok200)
        set("msrpcharge_responses_total", [("status", "403")], r.responses.forbidden403)
        set("msrpcharge_responses_total", [("status", "481")], r.responses.sessionDoesNotExist481)
        for (kind, n) in r.charging.requests { set("msrpcharge_charging_requests_total", [("kind", kind)], n) }
        set("msrpcharge_sessions_set_up_total", [], UInt64(r.setUp.completed ?? r.setUp.sessions))
    }
}

extension RunMetrics {
    /// `--metrics HOST:PORT` started, announced; nil without the option.
    static func start(_ address: String?, labels: [(String, String)], announce: (String) -> Void) throws -> RunMetrics?
    {
        guard let address else { return nil }
        let (host, port) = try Serve.hostPort("--metrics", address)
        let m = try RunMetrics(host: host, port: port, labels: labels)
        announce("metrics on http://\(host):\(m.port)/metrics")
        return m
    }
}
