import ArgumentParser
import Foundation
import Histogram
import HistogramCodec
import LoadEngine
import LoadGenerator
import ReportPage
import RunReport
import SIP
import Workload

/// `msrpcharge load`: the network load generator. Both ends of every session, SIP and MSRP,
/// against any IM server (ours: `msrpcharge serve`), with `bench`'s workload options.
public struct Load: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Load an IM server over the wire: SIP set-up, MSRP traffic, BYE, with latency and delivery checks.",
        discussion: """
            Recipients REGISTER and answer the server's INVITE with the generator's MSRP path; \
            callers INVITE with an MSRP offer, connect to the server's path and send messages \
            chunked by the same workload model as bench, keeping --window chunks unanswered per \
            connection, or at --rate chunks/s (open loop, latency from each chunk's due time). \
            The recipients check every message arrives once, in order, byte for byte. SIP over \
            UDP or TCP. Exit status 3 when the delivery check fails (unless --ignore-delivery) \
            or a --fail-if condition holds.
            Example: msrpcharge load --target sip:127.0.0.1:5060 --sessions 100 --duration 5
            """
    )

    @Option(help: "The IM server's SIP address, sip:HOST:PORT (UDP).")
    var target = "sip:127.0.0.1:5060"

    @Option(help: "SIP transport: udp (re-sent until answered) or tcp (one connection for every session).")
    var transport = SIPTransportChoice.udp

    @Option(help: "Where the recipients' MSRP endpoint listens, HOST:PORT (port 0 picks one).")
    var msrpListen = "127.0.0.1:0"

    @Option(
        help:
            "Send the callers' chunks through an RFC 4976 relay, msrp://HOST:PORT;tcp (Kamailio's msrp module, for one)."
    )
    var relay: String?

    @Option(
        help: """
            Call this SIP URI instead of the generator's own recipients, and REGISTER none: a \
            recipient registered by itself (SIPp, a softphone). [session] in it becomes the \
            session's index. Its MSRP answer must name --msrp-listen for the delivery check.
            """
    )
    var recipient: String?

    @Option(help: "Recipients per session with --setup conference (an RFC 5366 URI list in the INVITE).")
    var conferenceSize = 3

    @Option(help: "Chunks each connection keeps unanswered at most (without --rate).")
    var window = 16

    @Option(help: "Sessions set up per second (default: as fast as the server answers, 256 at a time).")
    var setupRate: Double?

    @OptionGroup var workload: WorkloadOptions

    @Option(
        help: ArgumentHelp(
            "A condition that fails the run (exit status 3); repeat or separate with commas.",
            discussion: "'delivery' (the default: a failed delivery check always fails the run unless --ignore-delivery), or FIGURE<N, FIGURE>N, FIGURE<=N, FIGURE>=N with FIGURE one of: "
                + SavedLoadReport.thresholdFigures.map(\.name).joined(separator: ", ")
        )
    )
    var failIf: [String] = []

    @Flag(
        help:
            "Print a failed delivery check but exit 0 (exploring a server known to lose or alter messages). Without it, a failed delivery check exits 3, as SIPp exits non-zero when a call fails."
    )
    var ignoreDelivery = false

    @OptionGroup(title: "Report files") var output: ReportOutputOptions

    @OptionGroup var metricsOptions: MetricsOptions

    /// The workload in one line, for the JSON and the page.
    func workloadLine(_ c: LoadConfiguration) -> String {
        let m = c.model
        var s = "msrpcharge load: \(m.sessions) sessions against sip:\(c.targetHost):\(c.targetPort) over \(transport)"
        s += c.relayHost.map { " through the relay \($0):\(c.relayPort)" } ?? ""
        s += ", set-up \(m.charging.setup)"
        s +=
            ", messages of \(workload.size) bytes (\(ReportText.pct(m.multiChunkShare)) multi-chunk in chunks of ≤\(m.chunkSize), "
        s +=
            "\(ReportText.pct(m.abortedShare)) aborted), Failure-Report no \(ReportText.pct(m.failureReportNoShare)) / partial "
        s += "\(ReportText.pct(m.failureReportPartialShare)), \(m.workers) worker\(m.workers == 1 ? "" : "s"), "
        s +=
            m.targetRate.map { "target \(SVGText.si($0)) chunks/s (open loop)" }
            ?? "window \(c.window) per connection"
        s += m.totalChunks.map { ", \($0) chunks" } ?? ", \(ReportText.num(Double(m.duration) / 1e9)) s"
        s += ", seed \(m.seed)"
        return s
    }

    public init() {}

    func configuration() throws -> LoadConfiguration {
        var c = LoadConfiguration()
        guard target.hasPrefix("sip:") else { throw ValidationError("--target must be sip:HOST:PORT, got '\(target)'") }
        (c.targetHost, c.targetPort) = try Serve.hostPort("--target", String(target.dropFirst(4)))
        (c.msrpListenHost, c.msrpListenPort) = try Serve.hostPort("--msrp-listen", msrpListen)
        let model: Result<WorkloadModel, WorkloadError>
        do throws(WorkloadError) {
            model = .success(try workload.model())
        } catch {
            model = .failure(error)
        }
        switch model {
        case .success(let m): c.model = m
        case .failure(let e): throw ValidationError(e.description)
        }
        guard (1...65_536).contains(window) else {
            throw ValidationError("--window must be from 1 to 65536, got \(window)")
        }
        c.window = window
        guard (1...64).contains(conferenceSize) else {
            throw ValidationError("--conference-size must be from 1 to 64, got \(conferenceSize)")
        }
        c.conferenceSize = conferenceSize
        c.sipOverTCP = transport == .tcp
        if let relay {
            var rest = Substring(relay)
            guard rest.hasPrefix("msrp://") else {
                throw ValidationError("--relay must be msrp://HOST:PORT;tcp, got '\(relay)'")
            }
            rest = rest.dropFirst(7)
            if let semi = rest.firstIndex(of: ";") { rest = rest[..<semi] }
            if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
            do {
                (c.relayHost, c.relayPort) = try Serve.hostPort("--relay", String(rest))
            } catch {
                throw ValidationError("--relay must be msrp://HOST:PORT;tcp, got '\(relay)'")
            }
        }
        if let setupRate, !(setupRate > 0 && setupRate.isFinite) {
            throw ValidationError("--setup-rate must be a positive number of sessions per second, got \(setupRate)")
        }
        c.setupRate = setupRate

        if let recipient {
            guard recipient.hasPrefix("sip:"),
                (try? SIPURI(parsing: recipient.replacingOccurrences(of: "[session]", with: "0"))) != nil
            else {
                throw ValidationError("--recipient must be a SIP URI (sip:USER@HOST), got '\(recipient)'")
            }
            guard c.model.charging.setup != .conference else {
                throw ValidationError(
                    "--recipient calls one recipient per session; it cannot be used with --setup conference"
                )
            }
            c.externalRecipient = recipient
        }
        return c
    }

    public func validate() throws {
        _ = try configuration()
        _ = try conditions
    }

    /// The `--fail-if` conditions, and `delivery` unless `--ignore-delivery`.
    var conditions: [LoadFailCondition] {
        get throws {
            var c: [LoadFailCondition]
            do throws(WorkloadError) { c = try LoadFailCondition.parsing(failIf) } catch {
                throw ValidationError(error.description)
            }
            if !ignoreDelivery && !c.contains(where: { $0.kind == .verdict("delivery") }) {
                c.append(try LoadFailCondition(parsing: "delivery"))
            }
            return c
        }
    }

    /// Raises the open-file limit to the hard one and refuses a run that would still run out:
    /// every session holds a caller connection and one per recipient (none with `--recipient`,
    /// whose connections are someone else's). Out of descriptors, connects fail one by one and
    /// the run would end with set-up failures that look like the target's.
    static func checkOpenFiles(_ c: LoadConfiguration) throws {
        let limit = FileDescriptorLimit.raise()
        let perSession = 1 + (c.externalRecipient == nil ? c.recipientsPerSession : 0)
        let needed = c.sessionRange.count * perSession + FileDescriptorLimit.overhead
        guard needed > limit else { return }
        let most = max(0, (limit - FileDescriptorLimit.overhead) / perSession)
        throw CLIError(
            "load: \(c.sessionRange.count) sessions need about \(needed) open files (\(perSession) connections a session), but this process may open \(limit) (ulimit -n; the hard limit is \(FileDescriptorLimit.hard)): raise the hard limit, run at most \(most) sessions, or spread them over processes with --partition"
        )
    }

    public func run() throws {
        let c = try configuration()
        let conditions = try self.conditions
        try Self.checkOpenFiles(c)
        let report: LoadReport
        var exporter: RunMetrics? = nil
        do {
            let say: (String) -> Void = { FileHandle.standardError.write(Data(("load: " + $0 + "\n").utf8)) }
            exporter = try RunMetrics.start(
                metricsOptions.metrics,
                labels: RunMetrics.labels(command: "load", partition: c.model.partition),
                announce: say
            )
            // Live: each second's chunks and messages added as the second ends.
            var sent: (chunks: UInt64, messages: UInt64) = (0, 0)
            // SEND → 200 so far, as a Prometheus histogram that grows second by second.
            var chunkLatency: NanosecondHistogram? = nil
            report = try LoadRunner.run(c, progress: output.noProgress ? nil : say) { second in
                guard let exporter else { return }
                sent.chunks &+= second.chunks ?? 0
                sent.messages &+= second.messages ?? 0
                exporter.set("msrpcharge_chunks_total", [], sent.chunks)
                exporter.set("msrpcharge_messages_total", [("end", "any")], sent.messages)
                if let h = try? second.histogram?.histogram() {
                    if chunkLatency == nil { chunkLatency = h } else { chunkLatency!.add(h) }
                    exporter.histogram("msrpcharge_load_chunk_seconds", chunkLatency!)
                }
            }
        } catch {
            throw CLIError("load: \(error)")
        }
        var saved = SavedLoadReport(report, workload: workloadLine(c), sessions: output.jsonSessions)
        saved.totalSessions = c.model.sessions
        let failed = conditions.compactMap { $0.failure(in: saved) }
        saved.failedConditions = failed
        print(saved.lines.joined(separator: "\n"))
        try output.write(
            report: saved,
            histograms: report.histograms,
            intervals: { IntervalSummary.csv(report.intervals) },
            page: { ReportPage.html(runs: [ReportPageRuns.run(load: saved, label: "load")], title: "msrpcharge load") }
        )
        if let exporter {
            exporter.set("msrpcharge_chunks_total", [], report.chunksSent)
            exporter.set("msrpcharge_messages_total", [("end", "any")], report.messagesSent &+ report.abortedSent)
            exporter.set("msrpcharge_body_bytes_total", [], report.bytesSent)
            exporter.set("msrpcharge_sessions_set_up_total", [], UInt64(report.sessionsSetUp))
            for (status, n) in report.responses {
                exporter.set("msrpcharge_responses_total", [("status", String(status))], n)
            }
            for (status, n) in report.setupFailures {
                exporter.set("msrpcharge_sip_setup_failures_total", [("status", String(status))], n)
            }
            for (name, h) in report.histograms {
                exporter.histogram("msrpcharge_load_" + name.replacingOccurrences(of: "-", with: "_") + "_seconds", h)
            }
            exporter.hold(metricsOptions.metricsHold) {
                FileHandle.standardError.write(Data(("load: " + $0 + "\n").utf8))
            }
        }
        if !failed.isEmpty {
            print("--fail-if held: \(failed.joined(separator: "; "))")
            throw ExitCode(3)
        }
    }
}
