import ArgumentParser
import Charging
import Foundation
import LoadEngine
import ReportPage
import Workload

/// `msrpcharge plan`: charging request rates and engine cores for a traffic description.
public struct Plan: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract:
            "Capacity planning: the CH-1/CH-2 request rates the charging system will see, and the engine cores needed.",
        discussion: """
            For each interim interval in --interims: CH-1 start/interim/stop and CH-2 \
            initial/update/termination per second, for sessions sending Poisson traffic, and \
            the engine cores: chunks/s × c_chunk + requests/s × c_request + timer interims/s × \
            c_flush. The costs are measured now by three 2-second one-worker benches of this \
            traffic (no interims; every message charged; an interval of one mean gap between \
            a session's messages, whose timer sends about 60% of the interims), or taken from a `msrpcharge bench --stages --json` report \
            (--bench-json: its charging and every-message rows, which do not measure c_flush); \
            --per-core-rate puts every cost in one chunk rate instead.
            Example: msrpcharge plan --sessions 1000000 --messages-per-minute 6 --interims 0,10,60 --html plan.html
            """
    )

    @Option(help: "Concurrent sessions.")
    var sessions = 100_000.0

    @Option(help: "Messages each session sends per minute.")
    var messagesPerMinute = 6.0

    @Option(help: "Message body sizes in bytes: N, LO-HI or SIZE:WEIGHT,… (the mean is used).")
    var size = "100"

    @Option(help: "Largest chunk of a multi-chunk message, bytes.")
    var chunkSize = 2048

    @Option(help: "Share of messages sent in several chunks.")
    var multiChunkShare = 0.05

    @Option(help: "Mean session length in minutes (sets the CH-1 start/stop and CH-2 initial/termination rate).")
    var sessionMinutes = 10.0

    @Option(help: "Interim intervals to compare, seconds, comma separated.")
    var interims = "0,1,5,10,30,60,300"

    @Option(help: "Charging: offline, online or both.")
    var mode = "both"

    @Option(help: "CH-2 units: bytes or messages.")
    var unit = "bytes"

    @Option(help: "Units granted per CH-2 answer.")
    var grantedUnits = 1_000_000.0

    @Option(help: "Validity-Time of a grant, seconds (0: none).")
    var validity = 0.0

    @Option(
        help:
            "Chunks per second one engine core carries with charging, all costs included (overrides the measured costs)."
    )
    var perCoreRate: Double?

    @Option(
        help:
            "Take the two costs from this `msrpcharge bench --stages --json` report (its charging and every-message rows, per worker)."
    )
    var benchJson: String?

    @Option(help: "Write the plan as JSON to this file ('-' for standard output).")
    var json: String?

    @Option(help: "Write the plan as one self-contained HTML page (requests/s and cores per interval as bars).")
    var html: String?

    public init() {}

    func intervals() throws(WorkloadError) -> [Double] {
        try interims.split(separator: ",").map { (s: Substring) throws(WorkloadError) -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw WorkloadError("--interims: '\(s)' is not a number of seconds from 0")
            }
            return v
        }
    }

    public func validate() throws {
        func positive(_ name: String, _ v: Double) throws {
            guard v > 0, v.isFinite else { throw ValidationError("\(name) must be a positive number, got \(v)") }
        }
        try positive("--sessions", sessions)
        guard messagesPerMinute >= 0, messagesPerMinute.isFinite else {
            throw ValidationError("--messages-per-minute must be a number from 0, got \(messagesPerMinute)")
        }
        guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1, got \(chunkSize)") }
        guard (0...1).contains(multiChunkShare) else {
            throw ValidationError("--multi-chunk-share must be from 0 to 1, got \(multiChunkShare)")
        }
        guard sessionMinutes >= 0, sessionMinutes.isFinite else {
            throw ValidationError("--session-minutes must be a number from 0, got \(sessionMinutes)")
        }
        try positive("--granted-units", grantedUnits)
        guard validity >= 0 else { throw ValidationError("--validity must not be negative, got \(validity)") }
        if let perCoreRate { try positive("--per-core-rate", perCoreRate) }
        guard ["offline", "online", "both"].contains(mode) else {
            throw ValidationError("--mode must be one of offline, online, both, got '\(mode)'")
        }
        guard ["bytes", "messages"].contains(unit) else {
            throw ValidationError("--unit must be bytes or messages, got '\(unit)'")
        }
        do {
            _ = try MessageSizeDistribution(parsing: size)
            guard try !intervals().isEmpty else { throw ValidationError("--interims is empty") }
        } catch let e as WorkloadError {
            throw ValidationError(e.description)
        }
    }

    public func run() throws {
        let sizes = try MessageSizeDistribution(parsing: size)
        let (costs, source) = try measuredCosts(sizes)
        let input = CapacityPlan.Input(
            sessions: sessions,
            messagesPerMinute: messagesPerMinute,
            meanMessageBytes: sizes.mean,
            chunksPerMessage: CapacityPlan.chunksPerMessage(
                meanBytes: sizes.mean,
                chunkSize: chunkSize,
                multiChunkShare: multiChunkShare
            ),
            sessionMinutes: sessionMinutes,
            online: mode != "offline",
            offline: mode != "online",
            unitsPerMessage: unit == "bytes" ? sizes.mean : 1,
            grantedUnits: grantedUnits,
            validitySeconds: validity,
            chunkCostNanoseconds: costs.chunkNanoseconds,
            requestCostNanoseconds: costs.requestNanoseconds,
            flushCostNanoseconds: costs.flushNanoseconds,
            costSource: source
        )
        let plan = CapacityPlan(input, interimIntervals: try intervals())
        print(Self.render(plan), terminator: "")
        if let html {
            let lines = Self.render(plan).split(separator: "\n", omittingEmptySubsequences: false).prefix {
                !$0.isEmpty
            }.map(String.init)
            let chart = PlanChart(
                lines: lines,
                intervals: plan.rows.map(\.interimIntervalSeconds),
                interimsPerSecond: plan.rows.map(\.ch1InterimPerSecond),
                requestsPerSecond: plan.rows.map(\.requestsPerSecond),
                coreSeconds: plan.rows.map(\.coreSeconds),
                cores: plan.rows.map(\.cores)
            )
            try ReportPageFile.write(ReportPage.html(plan: chart, title: "msrpcharge plan"), to: html)
        }
        if let json { try ReportFiles.writeJSON(plan, to: json) }
    }

    /// c_chunk, c_request and c_flush, and where they come from.
    func measuredCosts(_ sizes: MessageSizeDistribution) throws -> (CapacityPlan.Costs, String) {
        if let perCoreRate {
            return (
                CapacityPlan.Costs(chunkNanoseconds: 1e9 / perCoreRate, requestNanoseconds: 0),
                "given (--per-core-rate \(Self.fmt(perCoreRate)) chunks/s, requests included)"
            )
        }
        if let benchJson {
            guard let data = FileManager.default.contents(atPath: benchJson) else {
                throw CLIError("cannot read --bench-json '\(benchJson)'")
            }
            let report: BenchReport
            do {
                report = try JSONDecoder().decode(BenchReport.self, from: data)
            } catch {
                throw CLIError("--bench-json '\(benchJson)' is not a msrpcharge bench JSON report: \(error)")
            }
            let workers = Double(max(1, report.workload.workers))
            let rows = report.stages ?? []
            guard let a = rows.first(where: { $0.stage == PipelineStage.charging.rawValue }),
                let b = rows.first(where: { $0.stage == BenchReport.Stage.everyMessage }),
                let costs = CapacityPlan.Costs(
                    chunksPerSecondA: a.chunksPerSecond / workers,
                    requestsPerSecondA: a.interimsPerSecond / workers,
                    chunksPerSecondB: b.chunksPerSecond / workers,
                    requestsPerSecondB: b.interimsPerSecond / workers
                )
            else {
                throw CLIError(
                    "--bench-json '\(benchJson)' has no charging and every-message stage rows: run `msrpcharge bench --stages --json FILE` (or give --per-core-rate)"
                )
            }
            return (
                costs,
                "measured by bench --stages in \(benchJson) (\(Int(workers)) workers, per worker; c_flush not measured there, taken as 0)"
            )
        }
        var m = WorkloadModel()
        m.sessions = Int(min(sessions, 100_000))
        m.messageSizes = sizes
        m.chunkSize = chunkSize
        m.multiChunkShare = multiChunkShare
        m.workers = 1
        m.duration = 2 * ChargingConfiguration.second
        m.charging.mode = .offline
        m.enabler.interimInterval = nil
        FileHandle.standardError.write(
            Data("plan: measuring c_chunk, c_request and c_flush (three 2 s runs, one worker)…\n".utf8)
        )
        m.charging.defaultInterimInterval = 1_000_000 * ChargingConfiguration.second  // no interims
        let a = try LoadRun.run(m)
        m.charging.defaultInterimInterval = 0  // every message charged
        let b = try LoadRun.run(m)
        // Per second of the worker's own CPU time: a core's cost, whatever else ran meanwhile.
        func cpuSeconds(_ r: RunResult) -> Double { max(1e-9, Double(r.workers[0].timedCPUNanoseconds) / 1e9) }
        func perSecond(_ r: RunResult, _ n: UInt64) -> Double { Double(n) / cpuSeconds(r) }
        guard
            let costs = CapacityPlan.Costs(
                chunksPerSecondA: perSecond(a, a.fed.chunks),
                requestsPerSecondA: perSecond(a, a.charging.sent(.offlineInterim)),
                chunksPerSecondB: perSecond(b, b.fed.chunks),
                requestsPerSecondB: perSecond(b, b.charging.sent(.offlineInterim))
            )
        else { throw CLIError("the measuring runs charged the same share of messages; give --per-core-rate") }
        // An interval of one mean gap between a session's messages in the run that charged
        // them all (rI = 1): the timer sends about 1 − 1/e of its interims.
        let messagesPerSession = Double(b.fed.messages) / max(1e-9, b.seconds) / Double(m.sessions)
        m.charging.defaultInterimInterval = max(1, Int64(1e9 / max(1e-9, messagesPerSession)))
        let c = try LoadRun.run(m)
        guard
            let all = costs.withFlush(
                chunksPerSecond: perSecond(c, c.fed.chunks),
                requestsPerSecond: perSecond(c, c.charging.sent(.offlineInterim)),
                timerInterimsPerSecond: perSecond(c, c.charging.flushedByTimer)
            )
        else {
            throw CLIError(
                "the third measuring run's timer sent no interim (interval \(m.charging.defaultInterimInterval) ns); give --per-core-rate"
            )
        }
        return (all, "measured now (three 2 s runs, 1 worker, \(m.sessions) sessions, per CPU-second of the worker)")
    }

    static func render(_ p: CapacityPlan) -> String {
        let i = p.input
        var s =
            "msrpcharge plan: \(fmt(i.sessions)) sessions × \(fmt(i.messagesPerMinute)) messages/min of \(fmt(i.meanMessageBytes)) bytes "
        s += "(\(String(format: "%.3g", i.chunksPerMessage)) chunks each), sessions last \(fmt(i.sessionMinutes)) min\n"
        s += "  traffic: \(fmt(p.messagesPerSecond)) messages/s, \(fmt(p.chunksPerSecond)) chunks/s, "
        s += String(format: "%.2f MB/s of bodies; ", p.bodyBytesPerSecond / 1e6)
        s += "sessions start and end at \(fmt(p.sessionsStartedPerSecond))/s\n"
        s += String(
            format: "  costs: c_chunk %.1f ns, c_request %.1f ns, c_flush %.1f ns",
            i.chunkCostNanoseconds,
            i.requestCostNanoseconds,
            i.flushCostNanoseconds
        )
        s += " (\(i.costSource))\n"
        s += "  cores per interval: chunks/s × c_chunk + requests/s × c_request + timer interims/s × c_flush, "
        s += "rounded up; at most \(p.cores)\n"
        s += "  model: Poisson messages (r a second per session); an interim goes I s after the last, with the first "
        s += "message completed then or, if one completed sooner, by the interval's timer: rate 1/(I + e^(-rI)/r) "
        s += "per session, a share 1 - e^(-rI) by the timer\n\n"
        let widths = [12, 14, 11, 12, 10, 14, 10, 8, 13]
        s += [
            "interval s", "CH-1 start/s", "interim/s", "by timer/s", "stop/s", "CH-2 init/s", "update/s", "term/s",
            "requests/s",
        ]
        .enumerated().map { pad($1, widths[$0]) }.joined()
        s += "  interims/1000 msgs  cores\n"
        for r in p.rows {
            let cells = [
                r.interimIntervalSeconds, r.ch1StartPerSecond, r.ch1InterimPerSecond, r.ch1InterimByTimerPerSecond,
                r.ch1StopPerSecond, r.ch2InitialPerSecond, r.ch2UpdatePerSecond, r.ch2TerminationPerSecond,
                r.requestsPerSecond,
            ]
            s += zip(cells, widths).map { pad(fmt($0), $1) }.joined()
            s += pad(String(format: "%.1f", r.interimsPerThousandMessages), 13)
            s += pad(String(format: "%.2f → %d", r.coreSeconds, r.cores), 14) + "\n"
        }
        return s
    }

    static func pad(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - s.count)) + s
    }

    /// Up to 4 significant digits, no exponent below 10^12.
    static func fmt(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e12 { return String(Int(v)) }
        return String(format: abs(v) >= 100 ? "%.0f" : abs(v) >= 1 ? "%.2f" : "%.4f", v)
    }
}
