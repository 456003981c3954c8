import Charging
import Diameter
import Histogram
import HistogramCodec
import RunReport
import Workload

/// Every figure of a `msrpcharge bench` run, as printed and as written with `--json`.
/// Latencies are microseconds; rates are per second of the timed phase.
public struct BenchReport: Codable, Sendable {
    public struct Workload: Codable, Sendable, Equatable {
        public var sessions: Int
        public var messageSizes: String
        public var chunkSize: Int
        public var multiChunkShare: Double
        public var abortedShare: Double
        public var failureReportNoShare: Double
        public var failureReportPartialShare: Double
        /// `--read-size`: N, LO-HI, exp:MEAN or message.
        public var readSizes: String
        /// `--message-interval` (seconds), absent when as fast as possible.
        public var messageInterval: String?
        public var workers: Int
        public var targetRate: Double?
        public var seed: UInt64
        public var stage: String
        public var chargingMode: String
        /// CH-2 units: bytes or messages.
        public var chargingUnit: String?
        public var interimIntervalSeconds: Double
        public var interimCeilingPerSecond: Double?
        public var durationSeconds: Double?
        public var totalChunks: Int?
        public var shards: Int
        /// ``WorkloadModel/shardAffinity``.
        public var shardAffinity: Double
        public var sampleEvery: Int
        /// Message templates the traffic is drawn from (each session's id patched in).
        public var templates: Int
        public var enablerLatency: String
        public var denialShare: Double
        public var timeoutShare: Double
        /// `I/N` when this report is one partition of a run (`--partition`); nil when whole.
        /// `sessions` is the whole run's; `workers` each partition's.
        public var partition: String? = nil
        /// Sessions this partition ran (nil when whole: all of them).
        public var partitionSessions: Int? = nil
    }

    public struct Throughput: Codable, Sendable {
        public var seconds: Double
        public var chunks: UInt64
        public var messages: UInt64
        public var abortedMessages: UInt64
        public var bodyBytes: UInt64
        public var wireBytes: UInt64
        public var chunksPerSecond: Double
        public var messagesPerSecond: Double
        /// Message bodies, 10^6 bytes per second.
        public var bodyMBPerSecond: Double
        /// Everything fed to the parser, 10^6 bytes per second.
        public var wireMBPerSecond: Double
        public var perWorkerChunksPerSecond: [Double]
        /// Each worker's CPU time over its timed phase (1: it ran the whole time; less: the
        /// kernel gave its core to something else, or it slept while paced).
        public var perWorkerCPUShare: [Double] = []
    }

    public struct Responses: Codable, Sendable {
        public var ok200: UInt64
        public var forbidden403: UInt64
        public var sessionDoesNotExist481: UInt64
        public var parseErrors: UInt64
        public var firstParseError: String?
        /// Responses Failure-Report withheld (`no`: all; `partial`: the 200s).
        public var withheldByFailureReport: UInt64 = 0
        public var notImplemented501: UInt64 = 0
        /// REPORT requests (never answered, never charged) and responses received.
        public var reports: UInt64 = 0
        public var responsesReceived: UInt64 = 0
    }

    public struct Charging: Codable, Sendable {
        /// First transmissions and retransmissions, by kind: ch1-start, ch1-interim, ch1-stop,
        /// ch2-initial, ch2-update, ch2-termination.
        public var requests: [String: UInt64]
        public var totalRequests: UInt64
        /// Interims sent per second of the timed phase.
        public var interimsPerSecond: Double
        public var retransmissions: UInt64
        public var interimTriggers: UInt64
        public var suppressedByInterval: UInt64
        public var suppressedByCeiling: UInt64
        public var carriedOverMessages: UInt64
        public var carriedOverBytes: UInt64
        public var denials: UInt64
        public var timeouts: UInt64
        public var abandoned: UInt64
        public var sessionsEndedByCharging: UInt64
        public var chunksRefused: UInt64
        public var ledgerSessions: Int
        public var ledgerOfflineBytes: UInt64
        public var ledgerOfflineMessages: UInt64
        public var ledgerOnlineUnits: UInt64
        public var ledgerDuplicatesDropped: UInt64
        /// Interims sent by the flush timer (held-back usage of a session that went quiet).
        public var flushedByTimer: UInt64 = 0
        /// CH-2 updates sent because Validity-Time ran out.
        public var validityExpiries: UInt64 = 0
        /// Answers after Tx with no retransmission out; late CH-2 grants taken up or released.
        public var lateAnswers: UInt64 = 0
        public var lateGrantsAdopted: UInt64 = 0
        public var lateGrantsReleased: UInt64 = 0
        /// Set-ups refused while the enabler held a session for them, each closed with a
        /// termination (optional: older reports lack it).
        public var reservationsClosed: UInt64? = nil
        /// Answers to records already acknowledged (duplicates of retransmissions) or forgotten.
        public var unmatchedAnswers: UInt64 = 0
        /// Records given up one Tx after their last timeout, with no answer.
        public var forgottenRecords: UInt64 = 0
        /// The embedded enabler's share of the workers' timed phase (it stands for a remote
        /// system), and its nanoseconds per request; sampled, one request in 64 timed.
        public var embeddedEnablerShare: Double = 0
        public var embeddedEnablerNanosecondsPerRequest: Double = 0
        /// CH-1 interims sent per completed message: the share of messages charged at once
        /// (the rest are carried over into a later interim or the stop).
        public var interimsPerMessage: Double = 0
    }

    /// How the traffic reached the parsers.
    public struct Traffic: Codable, Sendable {
        /// Reads fed to the parsers, and messages (completed and aborted) per read.
        public var reads: UInt64
        public var messagesPerRead: Double
        /// Buffers for frames split across reads that the workers' pools made: about the most
        /// connections inside a frame at once.
        public var tailBuffers: Int
        /// Paced runs: messages released when due, and how many of them had to wait for a
        /// read of their connection first (two unread already: the engine was behind).
        public var releases: UInt64
        public var releasesAfterWaiting: UInt64
    }

    public struct Phase: Codable, Sendable {
        public var sessions: Int
        public var seconds: Double
        public var sessionsPerSecond: Double
        public var completed: Int?
        public var rejected: Int?
    }

    /// A latency distribution in microseconds (every report's one type).
    public typealias Latency = LatencySummary

    /// The engine's counts against the traffic model's (counted as the traffic was built).
    public struct ModelCheck: Codable, Sendable {
        public var generated: TrafficCounts
        public var ok: Bool
        public var detail: String
    }

    public struct Stage: Codable, Sendable {
        public var stage: String
        public var chunksPerSecond: Double
        public var bodyGBPerSecond: Double
        public var wireGBPerSecond: Double
        /// This stage's throughput over the previous stage's (1 for the first).
        public var ratioToPrevious: Double
        /// For the charging rows: throughput over the table stage's (charging's overhead).
        public var ratioToTable: Double?
        /// CH-1 interims sent per second in this row's run.
        public var interimsPerSecond: Double

        /// The row of a run of `stage` (named `name`, the stage's name unless given), compared
        /// with the row before it and, for charging rows, with the table row.
        public init(_ stage: PipelineStage, _ r: RunResult, previous: Stage?, table: Stage? = nil, name: String? = nil)
        {
            let s = max(r.seconds, 1e-9)
            self.stage = name ?? stage.rawValue
            let rate = Double(r.fed.chunks) / s
            chunksPerSecond = rate
            bodyGBPerSecond = Double(r.fed.bodyBytes) / s / 1e9
            wireGBPerSecond = Double(r.fed.wireBytes) / s / 1e9
            ratioToPrevious = previous.map { rate / $0.chunksPerSecond } ?? 1
            ratioToTable = stage == .charging ? table.map { rate / $0.chunksPerSecond } : nil
            interimsPerSecond = Double(r.charging.sent(.offlineInterim)) / s
        }

        /// The name of the row that charges every completed message (interval 0).
        public static let everyMessage = "charging-every-message"
    }

    /// One second of the timed phase (every report's one type).
    public typealias Interval = IntervalSummary

    public var workload: Workload
    public var throughput: Throughput
    public var responses: Responses
    public var charging: Charging
    public var traffic: Traffic
    public var setUp: Phase
    public var end: Phase
    public var conservation: ConservationCheck
    public var modelCheck: ModelCheck
    public var latency: [Latency]
    /// How latency was measured (sampling, coordinated omission).
    public var latencyNote: String
    /// Nanoseconds one clock read took on this machine, measured before the run.
    public var clockReadNanoseconds: Double
    public var tableBytesPerSession: Double
    /// The engine's state of one connection (parser included), and the embedded enabler's
    /// ledger per session (it stands for a remote system: not the IM server's memory).
    public var connectionBytesPerSession: Double
    public var ledgerBytesPerSession: Double
    /// Resident memory per session once every session was set up (before the timed phase).
    public var residentBytesPerSessionAfterSetUp: Double?
    /// Resident memory at the end of the timed phase, all included, and per session.
    public var residentBytes: Int?
    public var residentBytesPerSession: Double?
    public var peakResidentBytes: Int?
    /// The machine's CPU use during the timed phase (absent where `/proc/stat` is missing).
    public var machine: MachineLoad?
    public var stages: [Stage]?
    public var intervals: [Interval]
    /// `--fail-if` conditions that failed (empty: all passed).
    public var failedConditions: [String] = []
    /// Each Diameter peer, with `--enabler diameter://…`.
    public var diameter: [DiameterPeer]?
    /// Every session's accepted usage (`bench --json-sessions`), for `msrpcharge reconcile`.
    public var sessions: [SessionUsage]?

    /// Adds every session's accepted usage from `r`.
    public mutating func addSessions(_ r: RunResult) {
        sessions = r.workers.flatMap(\.closedSessions).map {
            SessionUsage(
                session: $0.session.description,
                messages: $0.accepted.messages,
                abortedMessages: $0.accepted.abortedMessages,
                bytes: $0.accepted.bytes
            )
        }.sorted { $0.session < $1.session }
    }

    /// One Diameter peer's traffic: requests by command, answers by Result-Code, what the
    /// client dropped, and the round trip on the wire (request written → answer read).
    public struct DiameterPeer: Codable, Sendable {
        public var peer: String
        public var peerOriginHost: String
        public var peerIsRelay: Bool
        public var accountingRequests: UInt64
        public var creditControlRequests: UInt64
        public var retransmissions: UInt64
        /// Result-Code → answers; and the same for ACAs and CCAs apart.
        public var answersByResultCode: [String: UInt64]
        public var accountingAnswersByResultCode: [String: UInt64]
        public var creditControlAnswersByResultCode: [String: UInt64]
        public var unmatchedAnswers: UInt64
        public var malformedAnswers: UInt64
        /// Unknown M-bit AVPs in answers used all the same, and the first (optional: older
        /// reports lack them).
        public var unknownMandatoryAVPs: UInt64?
        public var firstUnknownMandatoryAVP: String?
        /// ACAs 4xxx left to Tx (optional: older reports lack it).
        public var transientAccountingFailures: UInt64?
        public var abandonedSlots: UInt64
        public var watchdogRequests: UInt64
        /// Requests sent again to another peer at once: in flight when this connection went
        /// down, or answered 3002/3004.
        public var failedOver: UInt64
        public var connects: UInt64
        public var disconnects: UInt64
        /// Back-pressure: a worker found the peer's queue full and waited; requests it then
        /// left to its Tx; answers the loop held while their owner's queue was full. Optional:
        /// reports written before these existed lack them.
        public var queueFullWaits: UInt64?
        public var queueGiveUps: UInt64?
        public var answersHeldForOwner: UInt64?
        public var roundTrip: Latency

        init(_ c: DiameterPeerCounters) {
            peer = c.peer
            peerOriginHost = c.peerOriginHost
            peerIsRelay = c.peerIsRelay
            accountingRequests = c.accountingRequests
            creditControlRequests = c.creditControlRequests
            retransmissions = c.retransmissions
            func strings(_ d: [UInt32: UInt64]) -> [String: UInt64] {
                Dictionary(uniqueKeysWithValues: d.map { (String($0.key), $0.value) })
            }
            answersByResultCode = strings(c.answersByResultCode)
            accountingAnswersByResultCode = strings(c.accountingAnswersByResultCode)
            creditControlAnswersByResultCode = strings(c.creditControlAnswersByResultCode)
            unmatchedAnswers = c.unmatchedAnswers
            malformedAnswers = c.malformedAnswers
            unknownMandatoryAVPs = c.unknownMandatoryAVPs
            firstUnknownMandatoryAVP = c.firstUnknownMandatoryAVP
            transientAccountingFailures = c.transientAccountingFailures
            abandonedSlots = c.abandonedSlots
            watchdogRequests = c.watchdogRequests
            failedOver = c.failedOver
            connects = c.connects
            disconnects = c.disconnects
            queueFullWaits = c.queueFullWaits
            queueGiveUps = c.queueGiveUps
            answersHeldForOwner = c.answersHeldForOwner
            roundTrip = BenchReport.summary("diameter round trip", c.roundTrip)
        }
    }
}

extension ChargingRequestKind {
    /// The report's name for the kind.
    public var reportName: String {
        switch self {
        case .offlineStart: "ch1-start"
        case .offlineInterim: "ch1-interim"
        case .offlineStop: "ch1-stop"
        case .onlineInitial: "ch2-initial"
        case .onlineUpdate: "ch2-update"
        case .onlineTermination: "ch2-termination"
        }
    }
}

extension BenchReport {
    public init(_ r: RunResult, stages: [Stage]? = nil) {
        let m = r.model
        let s = max(r.seconds, 1e-9)
        let c = r.counters
        workload = Workload(
            sessions: m.sessions,
            messageSizes: m.messageSizes.description,
            chunkSize: m.chunkSize,
            multiChunkShare: m.multiChunkShare,
            abortedShare: m.abortedShare,
            failureReportNoShare: m.failureReportNoShare,
            failureReportPartialShare: m.failureReportPartialShare,
            readSizes: m.readSizes.description,
            messageInterval: m.messageInterval.map(BenchReport.seconds),
            workers: m.workers,
            targetRate: m.targetRate,
            seed: m.seed,
            stage: m.stage.rawValue,
            chargingMode: m.stage == .charging ? m.charging.mode.rawValue : "off",
            chargingUnit: m.charging.unit.rawValue,
            interimIntervalSeconds: Double(m.charging.defaultInterimInterval) / 1e9,
            interimCeilingPerSecond: m.charging.interimCeilingPerSecond,
            durationSeconds: m.totalChunks == nil ? Double(m.duration) / 1e9 : nil,
            totalChunks: m.totalChunks,
            shards: m.shards,
            shardAffinity: m.shardAffinity,
            sampleEvery: m.targetRate == nil && m.messageInterval == nil ? m.sampleEvery : 1,
            templates: TrafficBuilder.templateCount(m),
            enablerLatency: "\(m.enabler.latency)",
            denialShare: m.enabler.denialShare,
            timeoutShare: m.enabler.timeoutShare,
            partition: m.partition.isWhole ? nil : m.partition.description,
            partitionSessions: m.partition.isWhole ? nil : m.partitionSessions
        )
        // The scan stage parses nothing: its counts are the traffic's.
        let scan = m.stage == .scan
        let chunks = scan ? r.fed.chunks : c.chunks
        throughput = Throughput(
            seconds: r.seconds,
            chunks: chunks,
            messages: scan ? r.fed.messages : c.messages,
            abortedMessages: scan ? r.fed.abortedMessages : c.abortedMessages,
            bodyBytes: scan ? r.fed.bodyBytes : c.bodyBytes,
            wireBytes: c.wireBytes,
            chunksPerSecond: Double(chunks) / s,
            messagesPerSecond: Double(scan ? r.fed.messages : c.messages) / s,
            bodyMBPerSecond: Double(scan ? r.fed.bodyBytes : c.bodyBytes) / s / 1e6,
            wireMBPerSecond: Double(c.wireBytes) / s / 1e6,
            perWorkerChunksPerSecond: r.workers.map {
                Double($0.fed.chunks) / max(1e-9, Double($0.timedEnd - $0.timedStart) / 1e9)
            },
            perWorkerCPUShare: r.workers.map {
                Double($0.timedCPUNanoseconds) / max(1, Double($0.timedEnd - $0.timedStart))
            }
        )
        responses = Responses(
            ok200: c.responses200,
            forbidden403: c.responses403,
            sessionDoesNotExist481: c.responses481,
            parseErrors: c.parseErrors,
            firstParseError: r.workers.compactMap(\.firstParseError).first
        )
        let k = r.charging
        var requests: [String: UInt64] = [:]
        for kind in ChargingRequestKind.allCases { requests[kind.reportName] = k.sent(kind) }
        charging = Charging(
            requests: requests,
            totalRequests: k.totalRequests,
            interimsPerSecond: Double(k.sent(.offlineInterim)) / s,
            retransmissions: k.retransmissions,
            interimTriggers: k.interimTriggers,
            suppressedByInterval: k.suppressedByInterval,
            suppressedByCeiling: k.suppressedByCeiling,
            carriedOverMessages: k.carriedOver.messages,
            carriedOverBytes: k.carriedOver.bytes,
            denials: k.denials,
            timeouts: k.timeouts,
            abandoned: k.abandoned,
            sessionsEndedByCharging: k.sessionsEndedByCharging,
            chunksRefused: k.chunksRefused,
            ledgerSessions: r.ledger.sessions,
            ledgerOfflineBytes: r.ledger.offline.bytes,
            ledgerOfflineMessages: r.ledger.offline.messages,
            ledgerOnlineUnits: r.ledger.onlineUnits,
            ledgerDuplicatesDropped: r.ledger.duplicates
        )
        responses.withheldByFailureReport = c.responsesWithheld
        responses.notImplemented501 = c.responses501
        responses.reports = c.reports
        responses.responsesReceived = c.responsesReceived
        charging.flushedByTimer = k.flushedByTimer
        charging.validityExpiries = k.validityExpiries
        charging.lateAnswers = k.lateAnswers
        charging.lateGrantsAdopted = k.lateGrantsAdopted
        charging.lateGrantsReleased = k.lateGrantsReleased
        charging.reservationsClosed = k.reservationsClosed
        charging.unmatchedAnswers = r.dispatcher.unmatchedAnswers
        charging.forgottenRecords = r.dispatcher.forgotten
        let workerNanoseconds = r.workers.reduce(0.0) { $0 + Double($1.timedEnd - $1.timedStart) }
        let enablerNanoseconds = r.workers.reduce(0.0) { $0 + $1.enablerNanoseconds }
        let enablerRequests = r.workers.reduce(UInt64(0)) { $0 + $1.enablerRequests }
        charging.embeddedEnablerShare = workerNanoseconds > 0 ? enablerNanoseconds / workerNanoseconds : 0
        charging.interimsPerMessage = Double(k.sent(.offlineInterim)) / Double(max(1, c.messages))
        let allMessages = (scan ? r.fed.messages : c.messages) + (scan ? r.fed.abortedMessages : c.abortedMessages)
        traffic = Traffic(
            reads: c.reads,
            messagesPerRead: Double(allMessages) / Double(max(1, c.reads)),
            tailBuffers: r.workers.reduce(0) { $0 + $1.tailBuffers },
            releases: r.workers.reduce(0) { $0 + $1.releases },
            releasesAfterWaiting: r.workers.reduce(0) { $0 + $1.blockedReleases }
        )
        charging.embeddedEnablerNanosecondsPerRequest =
            enablerRequests > 0 ? enablerNanoseconds / Double(enablerRequests) : 0
        let setUpSeconds = r.workers.map(\.setUpSeconds).max() ?? 0
        let endSeconds = r.workers.map(\.endSeconds).max() ?? 0
        let ran = m.partitionSessions
        setUp = Phase(
            sessions: ran,
            seconds: setUpSeconds,
            sessionsPerSecond: Double(ran) / max(setUpSeconds, 1e-9),
            completed: r.workers.reduce(0) { $0 + $1.sessionsSetUp },
            rejected: r.workers.reduce(0) { $0 + $1.sessionsRejected }
        )
        end = Phase(
            sessions: ran,
            seconds: endSeconds,
            sessionsPerSecond: Double(ran) / max(endSeconds, 1e-9),
            completed: nil,
            rejected: nil
        )
        conservation = r.conservation
        modelCheck = BenchReport.check(r)
        latency = r.latency.named.map { BenchReport.summary($0.name, $0.histogram) }
        var pacing: [String] = []
        if let i = m.messageInterval { pacing.append("each session's messages \(BenchReport.seconds(i)) s apart") }
        if let rate = m.targetRate { pacing.append("a target rate of \(Int(rate)) chunks/s") }
        let sampling =
            !pacing.isEmpty
            ? "every read timed; paced (\(pacing.joined(separator: ", "))), latency counts from when each message was due (all its bytes sent), not from when the engine got to it: no coordinated omission (as wrk2); a chunk counts from when the message its read began in was due, a message until the read that completed it"
            : "one read in \(m.sampleEvery) timed (a clock read took \(String(Int(r.clockReadNanoseconds.rounded()))) ns here, measured before the run); as fast as possible, latency is service time: a chunk's from its read arriving to the read's 200 OKs being written, a message's that of the read that completed it"
        latencyNote = sampling
        clockReadNanoseconds = r.clockReadNanoseconds
        tableBytesPerSession = r.tableBytesPerSession
        connectionBytesPerSession = r.connectionBytesPerSession
        ledgerBytesPerSession = r.ledgerBytesPerSession
        residentBytesPerSessionAfterSetUp = r.memoryAfterSetUp.map {
            Double($0.currentBytes) / Double(max(1, ran))
        }
        residentBytes = r.memory?.currentBytes
        residentBytesPerSession = r.memory.map { Double($0.currentBytes) / Double(max(1, ran)) }
        peakResidentBytes = r.memory?.peakBytes
        machine = r.machine
        self.stages = stages
        intervals = BenchReport.intervals(r)
        diameter = r.diameter?.map(DiameterPeer.init)
    }

    /// A distribution of nanoseconds, written in seconds as the option takes it.
    static func seconds(_ d: AnswerLatency) -> String {
        func s(_ v: Int64) -> String {
            let x = Double(v) / 1e9
            return x == x.rounded() ? String(Int64(x)) : String(x)
        }
        switch d {
        case .fixed(let v): return s(v)
        case .uniform(let lo, let hi): return s(lo) + "-" + s(hi)
        case .exponential(let mean): return "exp:" + s(mean)
        }
    }

    public static func summary(_ name: String, _ h: Histogram<UInt64>) -> Latency { Latency(h, name: name) }

    /// The engine's counts against the model's: chunks, messages, aborted messages, bytes,
    /// 200 OKs, and one interim trigger per completed message (before limiting).
    static func check(_ r: RunResult) -> ModelCheck {
        let g = r.fed
        let c = r.counters
        var problems: [String] = []
        func expect(_ name: String, _ got: UInt64, _ want: UInt64) {
            if got != want { problems.append("\(name): engine \(got), model \(want)") }
        }
        if r.model.stage != .scan {
            expect("chunks", c.chunks, g.chunks)
            expect("messages", c.messages, g.messages)
            expect("aborted messages", c.abortedMessages, g.abortedMessages)
            expect("body bytes", c.bodyBytes, g.bodyBytes)
            // Responses and triggers: what the model owes each message under its
            // Failure-Report, given the chunks charging refused (ExpectedOutcome).
            let e = r.expected
            expect("200 OK responses", c.responses200, e.ok200)
            expect("403 responses", c.responses403, e.forbidden403)
            expect("responses withheld by Failure-Report", c.responsesWithheld, e.withheld)
            expect("481 responses", c.responses481, 0)
            expect("refused set-ups that accepted usage", e.refusedSessionsAccepting, 0)
            expect("parsers left inside a frame", UInt64(r.parsersMidFrame), 0)
            if r.model.stage == .charging && r.model.charging.mode.offline {
                expect("interim triggers", r.charging.interimTriggers, e.interimTriggers)
            }
        }
        return ModelCheck(
            generated: g,
            ok: problems.isEmpty,
            detail: problems.isEmpty
                ? "chunks, messages, aborted, bytes as generated; responses and triggers as the model owes them under Failure-Report and refusals; every parser at a frame boundary"
                : problems.joined(separator: "; ")
        )
    }

    /// Per-second figures: the workers' seconds merged by index.
    static func intervals(_ r: RunResult) -> [Interval] {
        let n = r.workers.map(\.intervals.count).max() ?? 0
        var out: [Interval] = []
        for i in 0..<n {
            var chunks: UInt64 = 0
            var messages: UInt64 = 0
            var requests: UInt64 = 0
            var h = LatencyHistograms.make(digits: .two)
            var seconds = 1.0
            for w in r.workers where i < w.intervals.count {
                let cur = w.intervals[i]
                let prev = i > 0 ? w.intervals[i - 1] : nil
                chunks &+= cur.chunks &- (prev?.chunks ?? 0)
                messages &+= cur.messages &- (prev?.messages ?? 0)
                requests &+= cur.requests &- (prev?.requests ?? 0)
                h.add(cur.chunkLatency)
                if i == w.intervals.count - 1 {
                    seconds = max(1e-3, Double(w.timedEnd - w.timedStart) / 1e9 - Double(i))
                }
            }
            seconds = min(seconds, 1)
            out.append(
                Interval(
                    second: i + 1,
                    seconds: seconds,
                    chunks: chunks,
                    messages: messages,
                    requests: requests,
                    latency: h
                )
            )
        }
        return out
    }
}
