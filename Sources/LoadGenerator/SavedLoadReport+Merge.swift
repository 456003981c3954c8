import Histogram
import RunReport
import Workload

extension SavedLoadReport {
    /// Load reports of a run's partitions as the run's: counts summed, the four latency
    /// histograms added, delivery OK only if it was in every partition.
    public static func merged(_ reports: [SavedLoadReport], names: [String]) throws(MergeError) -> SavedLoadReport {
        try PartitionCover.check(
            reports.map { r throws(MergeError) -> Partition? in
                guard let text = r.partition else { return nil }
                do throws(WorkloadError) { return try Partition(parsing: text) } catch {
                    throw MergeError("\(text): \(error)")
                }
            },
            names: names
        )
        for (r, name) in zip(reports, names).dropFirst() {
            guard r.workload == reports[0].workload, r.totalSessions == reports[0].totalSessions,
                r.rate == reports[0].rate, r.window == reports[0].window
            else {
                throw MergeError(
                    "\(name) is another workload than \(names[0]): '\(r.workload ?? "?")' against '\(reports[0].workload ?? "?")'"
                )
            }
        }
        var m = reports[0]
        for r in reports.dropFirst() {
            m.sessions += r.sessions
            m.sessionsSetUp += r.sessionsSetUp
            for (k, v) in r.setupFailures { m.setupFailures[k, default: 0] &+= v }
            m.setupSeconds = max(m.setupSeconds, r.setupSeconds)
            m.seconds = max(m.seconds, r.seconds)
            m.chunksSent &+= r.chunksSent
            m.chunksPerSecond += r.chunksPerSecond
            for (k, v) in r.responses { m.responses[k, default: 0] &+= v }
            m.messagesSent &+= r.messagesSent
            m.abortedSent &+= r.abortedSent
            m.bytesSent &+= r.bytesSent
            m.messagesDelivered &+= r.messagesDelivered
            m.abortedDelivered &+= r.abortedDelivered
            m.bytesDelivered &+= r.bytesDelivered
            m.generatorCPUSeconds += r.generatorCPUSeconds
            m.sendQueueFull &+= r.sendQueueFull
            m.byesUnanswered = (m.byesUnanswered ?? 0) &+ (r.byesUnanswered ?? 0)
            m.sessionUsage = m.sessionUsage.map { $0 + (r.sessionUsage ?? []) } ?? r.sessionUsage
            m.failedConditions = (m.failedConditions ?? []) + (r.failedConditions ?? [])
        }
        m.partition = nil
        let failed = zip(reports, names).filter { !$0.0.delivery.ok }
        m.delivery = LoadReport.DeliveryCheck(
            ok: failed.isEmpty,
            detail: failed.isEmpty
                ? "every partition: every message's bytes delivered once, in order (\(m.messagesSent) messages, \(m.abortedSent) aborted, \(m.bytesSent) bytes)"
                : failed.map { "\($0.1): \($0.0.delivery.detail)" }.joined(separator: "; ")
        )
        for key in reports[0].latency.keys {
            var h: Histogram<UInt64>? = nil
            for (r, name) in zip(reports, names) {
                let part = try MergeError.histogram(r.latency[key]?.histogram, key, name)
                if h == nil { h = part } else { h!.add(part) }
            }
            if let h { m.latency[key] = LoadReport.Latency(h, name: key) }
        }
        m.intervals = try IntervalSummary.merged(reports.map { $0.intervals ?? [] }, names: names)
        return m
    }
}
