import Foundation

extension SavedLoadReport {
    /// The report as printed (from its JSON form, which `merge` also makes).
    public var lines: [String] {
        let r = self
        func l(_ name: String, _ key: String) -> String {
            let x = r.latency[key]
            return String(
                format: "  %-16@ %10llu %10.1f %10.1f %10.1f %10.1f %10.1f",
                name as NSString,
                x?.count ?? 0,
                x?.p50 ?? 0,
                x?.p90 ?? 0,
                x?.p99 ?? 0,
                x?.p999 ?? 0,
                x?.max ?? 0
            )
        }
        func byCode(_ d: [String: UInt64]) -> String {
            d.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key) ×\($0.value)" }.joined(
                separator: ", "
            )
        }
        let statuses = byCode(r.responses)
        let failures = byCode(r.setupFailures)
        var out = [
            "msrpcharge load: \(r.sessionsSetUp) of \(r.sessions) sessions set up in \(String(format: "%.2f", r.setupSeconds)) s"
                + (failures.isEmpty ? "" : " (SIP failures: \(failures))")
                + (r.partition.map { " (partition \($0) of \(r.totalSessions ?? r.sessions) sessions)" } ?? ""),
            "traffic: \(r.chunksSent) chunks in \(String(format: "%.2f", r.seconds)) s = \(String(format: "%.0f", r.chunksPerSecond)) chunks/s "
                + (r.rate.map { "(target \(String(format: "%.0f", $0))/s, open loop)" }
                    ?? "(window \(r.window) per connection)"),
            "messages: \(r.messagesSent) sent, \(r.abortedSent) aborted, \(r.bytesSent) body bytes; responses \(statuses.isEmpty ? "none" : statuses)",
            "delivery: \(r.delivery.ok ? "OK" : "FAILED"): \(r.delivery.detail)",
            "latency (µs)           count        p50        p90        p99      p99.9        max",
            l("session set-up", "sessionSetUp"),
            l("SEND → 200", "chunk"),
            l("delivery", "delivery"),
            l("BYE → 200", "bye"),
            String(
                format: "generator: %.2f CPU seconds over the run, send queue full %llu times",
                r.generatorCPUSeconds,
                r.sendQueueFull
            )
                + (r.sendQueueFull > 0 ? " (its connections, not only the target, held it back)" : ""),
        ]
        if let n = r.byesUnanswered, n > 0 { out.append("teardown: \(n) BYEs unanswered when it timed out") }
        if !r.delivery.ok { out.append("a check failed: delivery") }
        return out
    }
}
