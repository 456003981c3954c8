import Charging
import IMServer
import Metrics
import MetricsEndpoint
import NIOConcurrencyHelpers
import NIOCore
import Prometheus

/// `serve --metrics HOST:PORT`: the server's figures in Prometheus's text format, through
/// swift-metrics with swift-prometheus's registry behind it.
///
/// The per-chunk path keeps its figures in plain per-worker counters (no lock, no existential
/// call per chunk); a scrape gathers them from every loop with futures and moves each
/// swift-metrics counter on by what changed since the last scrape. The charging round trip,
/// which the pipeline records into HdrHistograms, is written as a Prometheus histogram from
/// them (cumulative buckets, `_sum` from the mean); the SIP set-up time goes through a
/// swift-metrics Timer as each set-up completes.
final class ServeMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let endpoint = NIOLockedValueBox<MetricsEndpoint?>(nil)
    /// The counters, through the bootstrapped factory.
    let counters = CounterMirror()
    let gauges = NIOLockedValueBox([String: Metrics.Gauge]())

    /// Bootstraps swift-metrics with a Prometheus registry (once per process), before the
    /// server makes the metrics it records itself (the SIP set-up timer).
    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ]
        MetricsSystem.bootstrap(factory)
        self.registry = registry
    }

    /// Serves `server`'s figures on `host:port`; returns the port bound.
    func serve<Client: ChargingEnablerClient>(host: String, port: Int, server: IMServer<Client>) throws -> Int {
        let e = try MetricsEndpoint(host: host, port: port) { [self] loop in
            server.snapshot(on: loop).map { report in self.exposition(report) }
        }
        endpoint.withLockedValue { $0 = e }
        return e.port
    }

    func close() { endpoint.withLockedValue { $0 }?.close() }

    /// Moves the counter `name{labels}` to `value` (counters only go up).
    func counter(_ name: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        counters.set(name, labels, value)
    }

    func gauge(_ name: String, _ value: Int) {
        gauges.withLockedValue { all in
            let g = all[name] ?? Metrics.Gauge(label: name)
            g.record(Double(value))
            all[name] = g
        }
    }

    func exposition(_ r: IMServerReport) -> [UInt8] {
        let p = r.pipeline
        gauge("msrpcharge_sessions_open", r.sessionsOpen)
        gauge("msrpcharge_sip_calls_open", r.callsOpen)
        gauge("msrpcharge_sip_registrations", r.registered)
        counter("msrpcharge_sessions_set_up_total", [], r.sessionsSetUp)
        counter("msrpcharge_sessions_refused_total", [], r.sessionsRefused)
        counter("msrpcharge_sessions_ended_total", [], r.sessionsEnded)
        counter("msrpcharge_msrp_chunks_total", [], p.chunks)
        counter("msrpcharge_msrp_messages_total", [("end", "complete")], p.messages)
        counter("msrpcharge_msrp_messages_total", [("end", "aborted")], p.abortedMessages)
        counter("msrpcharge_msrp_body_bytes_total", [], p.bodyBytes)
        counter("msrpcharge_msrp_accepted_bytes_total", [], p.accepted.bytes)
        counter("msrpcharge_msrp_chunks_forwarded_total", [], r.media.chunksForwarded)
        for (status, n) in [
            ("200", p.responses200), ("403", p.responses403), ("481", p.responses481), ("501", p.responses501),
        ] {
            counter("msrpcharge_msrp_responses_total", [("status", status)], n)
        }
        counter("msrpcharge_msrp_responses_withheld_total", [], p.responsesWithheld)
        counter("msrpcharge_msrp_malformed_total", [], r.media.malformed)
        for kind in ChargingRequestKind.allCases {
            counter("msrpcharge_charging_requests_total", [("kind", Self.name(kind))], r.charging.sent(kind))
        }
        counter("msrpcharge_charging_retransmissions_total", [], r.charging.retransmissions)
        counter("msrpcharge_charging_triggers_total", [], r.charging.interimTriggers)
        counter("msrpcharge_charging_suppressed_total", [("by", "interval")], r.charging.suppressedByInterval)
        counter("msrpcharge_charging_suppressed_total", [("by", "ceiling")], r.charging.suppressedByCeiling)
        counter("msrpcharge_charging_denials_total", [], r.charging.denials)
        counter("msrpcharge_charging_timeouts_total", [], r.charging.timeouts)
        for (method, n) in r.sipRequests { counter("msrpcharge_sip_requests_total", [("method", method)], n) }
        for (status, n) in r.sipResponsesSent {
            counter("msrpcharge_sip_responses_total", [("status", String(status))], n)
        }
        var out = registry.emitToBuffer()
        if let h = r.roundTrip {
            out.append(contentsOf: PrometheusHistogramText.render("msrpcharge_charging_round_trip_seconds", h).utf8)
        }
        return out
    }

    static func name(_ kind: ChargingRequestKind) -> String {
        switch kind {
        case .offlineStart: return "ch1_start"
        case .offlineInterim: return "ch1_interim"
        case .offlineStop: return "ch1_stop"
        case .onlineInitial: return "ch2_initial"
        case .onlineUpdate: return "ch2_update"
        case .onlineTermination: return "ch2_termination"
        }
    }
}
