import Foundation
import LoadEngine
import ReportPage

/// The human-readable form of a ``BenchReport``.
enum ReportText {
    /// The workload as the report begins: what was run, two lines.
    static func workload(_ r: BenchReport) -> String {
        var s = ""
        let w = r.workload
        let run = w.totalChunks.map { "\($0) chunks" } ?? String(format: "%.1f s", w.durationSeconds ?? 0)
        s += "msrpcharge bench: \(w.sessions) sessions, messages of \(w.messageSizes) bytes "
        s += "(\(pct(w.multiChunkShare)) multi-chunk in chunks of ≤\(w.chunkSize), \(pct(w.abortedShare)) aborted), "
        s += "\(w.workers) worker\(w.workers == 1 ? "" : "s"), stage \(w.stage), charging \(w.chargingMode), "
        s += "interim interval \(num(w.interimIntervalSeconds)) s, \(run)"
        s +=
            w.targetRate.map { ", target \(SVGText.si($0)) chunks/s" }
            ?? (w.messageInterval == nil ? ", as fast as possible" : ", paced")
        s +=
            "\n  traffic: \(w.messageInterval.map { "each session's messages \($0) s apart" } ?? "no pause between a session's messages"), reads of \(w.readSizes) bytes, \(w.templates) message templates, "
        s +=
            "Failure-Report no \(pct(w.failureReportNoShare)) / partial \(pct(w.failureReportPartialShare)), seed \(w.seed), \(w.shards) shards, "
        s += "shard affinity \(pct(w.shardAffinity))"
        return s
    }

    /// The machine line, where the report has one.
    static func machine(_ r: BenchReport) -> String? {
        guard let m = r.machine else { return nil }
        var s =
            "Machine during the timed phase: \(m.cpus) CPUs, \(pct(m.busyShare)) busy, \(pct(m.stealShare)) taken by the hypervisor (steal); "
        s += "workers preempted \(m.workerPreemptions.map(String.init).joined(separator: ", ")) times"
        return s
    }

    static func render(_ r: BenchReport) -> String {
        var s = workload(r) + "\n\n"
        let t = r.throughput
        s += String(format: "Throughput (timed phase %.2f s)\n", t.seconds)
        s += row("chunks", "\(t.chunks)", SVGText.si(t.chunksPerSecond) + " chunks/s")
        s += row("messages", "\(t.messages) + \(t.abortedMessages) aborted", SVGText.si(t.messagesPerSecond) + " msgs/s")
        s += row("body bytes", "\(t.bodyBytes)", String(format: "%.1f MB/s", t.bodyMBPerSecond))
        s += row("wire bytes", "\(t.wireBytes)", String(format: "%.1f MB/s", t.wireMBPerSecond))
        s += row("per worker", t.perWorkerChunksPerSecond.map { SVGText.si($0) }.joined(separator: ", "), "chunks/s")
        s += row("worker CPU", t.perWorkerCPUShare.map { pct($0) }.joined(separator: ", "), "of the timed phase")
        let p = r.responses
        s +=
            "Responses: \(p.ok200) × 200 OK, \(p.forbidden403) × 403, \(p.sessionDoesNotExist481) × 481, \(p.parseErrors) parse errors"
        s += p.firstParseError.map { " (first: \($0))" } ?? ""
        s += "; \(p.withheldByFailureReport) withheld by Failure-Report, \(p.notImplemented501) × 501, "
        s += "\(p.reports) REPORTs, \(p.responsesReceived) responses received\n"
        let tr = r.traffic
        s += "Reads: \(tr.reads) (\(String(format: "%.2f", tr.messagesPerRead)) messages a read), "
        s += "\(tr.tailBuffers) buffers for frames split across reads"
        if tr.releases > 0 {
            s +=
                "; paced: \(tr.releases) messages released when due, \(tr.releasesAfterWaiting) of them after waiting for a read"
        }
        s += "\n"
        s += "Sessions: \(r.setUp.completed ?? 0) set up in \(String(format: "%.2f", r.setUp.seconds)) s "
        s += "(\(SVGText.si(r.setUp.sessionsPerSecond))/s), \(r.setUp.rejected ?? 0) rejected; "
        s += "ended in \(String(format: "%.2f", r.end.seconds)) s\n"
        s += String(
            format: "Memory per session: table %.0f B, connection %.0f B, enabler's ledger %.0f B",
            r.tableBytesPerSession,
            r.connectionBytesPerSession,
            r.ledgerBytesPerSession
        )
        if let setUp = r.residentBytesPerSessionAfterSetUp {
            s += String(format: "; resident %.0f B once set up", setUp)
        }
        if let rss = r.residentBytes, let per = r.residentBytesPerSession, let peak = r.peakResidentBytes {
            s += String(
                format:
                    "; resident memory %.1f MB after the timed phase (%.0f B per session, all included), peak %.1f MB",
                Double(rss) / 1e6,
                per,
                Double(peak) / 1e6
            )
        }
        s += "\n\n"
        if let m = machine(r) { s += m + "\n\n" }

        let c = r.charging
        let wire = r.diameter != nil
        s +=
            "Charging requests (to \(wire ? "Diameter peers" : "the embedded enabler"); first transmissions and retransmissions)\n"
        s += "  CH-1 start \(c.requests["ch1-start"] ?? 0), interim \(c.requests["ch1-interim"] ?? 0) "
        s += "(\(SVGText.si(c.interimsPerSecond))/s), stop \(c.requests["ch1-stop"] ?? 0)\n"
        s += "  CH-2 initial \(c.requests["ch2-initial"] ?? 0), update \(c.requests["ch2-update"] ?? 0), "
        s += "termination \(c.requests["ch2-termination"] ?? 0)\n"
        s += "  interims per completed message \(String(format: "%.4f", c.interimsPerMessage)); "
        s += "interim triggers \(c.interimTriggers): suppressed by the interval \(c.suppressedByInterval), "
        s +=
            "by the ceiling \(c.suppressedByCeiling); carried over \(c.carriedOverMessages) messages, \(c.carriedOverBytes) bytes\n"
        s += "  denials \(c.denials), timeouts \(c.timeouts), retransmissions \(c.retransmissions), "
        s +=
            "given up \(c.abandoned), sessions ended by charging \(c.sessionsEndedByCharging), chunks refused \(c.chunksRefused)\n"
        s += "  timers: \(c.flushedByTimer) interims flushed, \(c.validityExpiries) validity expiries; "
        s +=
            "late answers \(c.lateAnswers) (grants taken up \(c.lateGrantsAdopted), released \(c.lateGrantsReleased)), "
            + ((c.reservationsClosed ?? 0) > 0 ? "unused reservations closed \(c.reservationsClosed ?? 0), " : "")
        s += "unmatched answers \(c.unmatchedAnswers), records forgotten \(c.forgottenRecords)\n"
        if !wire {
            s += String(
                format:
                    "  embedded enabler: %.1f%% of the workers' timed phase, %.0f ns a request (1 request in 64 timed); ",
                100 * c.embeddedEnablerShare,
                c.embeddedEnablerNanosecondsPerRequest
            )
            s += "it stands for a remote system: the rest of charging's cost is the Charging Enabler User's\n"
        }
        s +=
            "  \(wire ? "acknowledged (2001)" : "ledger"): \(c.ledgerSessions) sessions, CH-1 \(c.ledgerOfflineMessages) messages / \(c.ledgerOfflineBytes) bytes, "
        s += "CH-2 \(c.ledgerOnlineUnits) units, \(c.ledgerDuplicatesDropped) duplicates dropped\n"
        for d in r.diameter ?? [] {
            func codes(_ d: [String: UInt64]) -> String {
                d.isEmpty
                    ? "none" : d.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            }
            s +=
                "  Diameter \(d.peer) (\(d.peerOriginHost)\(d.peerIsRelay ? ", a relay" : "")): ACR \(d.accountingRequests), "
            s +=
                "CCR \(d.creditControlRequests), retransmitted \(d.retransmissions); ACA \(codes(d.accountingAnswersByResultCode)), CCA \(codes(d.creditControlAnswersByResultCode)); "
            s +=
                "unmatched \(d.unmatchedAnswers), malformed \(d.malformedAnswers), failed over \(d.failedOver), DWR \(d.watchdogRequests), "
            s += "connects \(d.connects), disconnects \(d.disconnects)\n"
            if let n = d.transientAccountingFailures, n > 0 {
                s += "    \(n) ACAs with a transient failure (4xxx): left to Tx, sent again\n"
            }
            if let n = d.unknownMandatoryAVPs, n > 0 {
                s += "    answers used with \(n) AVPs this codec does not know (M bit); first: \(d.firstUnknownMandatoryAVP ?? "?")\n"
            }
            if let waits = d.queueFullWaits, waits > 0 || (d.answersHeldForOwner ?? 0) > 0 {
                s +=
                    "    back-pressure: workers waited for room \(waits) times, left \(d.queueGiveUps ?? 0) requests to Tx; \(d.answersHeldForOwner ?? 0) answers held for a busy owner\n"
            }
            s += String(
                format: "    wire round trip µs: p50 %.1f, p99 %.1f, p99.9 %.1f, max %.1f\n",
                d.roundTrip.p50,
                d.roundTrip.p99,
                d.roundTrip.p999,
                d.roundTrip.max
            )
        }
        let cons = r.conservation
        s += "\(cons.title): \(cons.applicable ? (cons.ok ? "OK" : "FAILED") : "n/a") (\(cons.detail))\n"
        s += "Model check: \(r.modelCheck.ok ? "OK" : "FAILED") (\(r.modelCheck.detail))\n\n"

        s += "Latency (µs)                 count        p50        p90        p99      p99.9     p99.99        max\n"
        for l in r.latency {
            s += "  " + l.name.padding(toLength: 22, withPad: " ", startingAt: 0)
            s += String(
                format: " %10llu %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f\n",
                l.count,
                l.p50,
                l.p90,
                l.p99,
                l.p999,
                l.p9999,
                l.max
            )
        }
        s += "  (\(r.latencyNote))\n"

        if let stages = r.stages {
            s += "\nStages (the same traffic through successive depths of the pipeline)\n"
            s += "  stage                     chunks/s   body GB/s   wire GB/s   × previous   × table   interims/s\n"
            for st in stages {
                s += "  " + st.stage.padding(toLength: 22, withPad: " ", startingAt: 0)
                s += String(repeating: " ", count: max(0, 13 - SVGText.si(st.chunksPerSecond).count)) + SVGText.si(st.chunksPerSecond)
                s += String(
                    format: " %11.3f %11.3f %12.3f",
                    st.bodyGBPerSecond,
                    st.wireGBPerSecond,
                    st.ratioToPrevious
                )
                s += st.ratioToTable.map { String(format: " %9.3f", $0) } ?? String(repeating: " ", count: 10)
                s +=
                    st.ratioToTable == nil
                    ? "\n"
                    : String(repeating: " ", count: max(1, 13 - SVGText.si(st.interimsPerSecond).count))
                        + SVGText.si(st.interimsPerSecond) + "\n"
            }
        }
        if !r.failedConditions.isEmpty {
            s += "\nFAIL: " + r.failedConditions.joined(separator: "; ") + "\n"
        }
        return s
    }

    static func row(_ name: String, _ count: String, _ rate: String) -> String {
        "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + count + "  (" + rate + ")\n"
    }

    static func pct(_ v: Double) -> String { num(v * 100) + "%" }

    static func num(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v)
    }

}
