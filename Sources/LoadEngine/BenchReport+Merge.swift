import Histogram
import HistogramCodec
import RunReport
import Workload

extension BenchReport {
    /// Reports of the partitions of one run merged into the run's report: counters summed,
    /// histograms added (decoded from their V2 encoding, never percentiles averaged), checks
    /// combined (each must hold in every partition), rates summed (the partitions ran at the
    /// same time), per-worker figures put side by side.
    ///
    /// Refuses reports of different workloads, overlapping or missing partitions, and reports
    /// without their histograms.
    public static func merged(_ reports: [BenchReport], names: [String]) throws(MergeError) -> BenchReport {
        try PartitionCover.check(
            reports.map { r throws(MergeError) -> Partition? in
                guard let text = r.workload.partition else { return nil }
                do throws(WorkloadError) { return try Partition(parsing: text) } catch {
                    throw MergeError("\(text): \(error)")
                }
            },
            names: names
        )
        var base = reports[0].workload
        base.partition = nil
        base.partitionSessions = nil
        for (r, name) in zip(reports, names).dropFirst() {
            var w = r.workload
            w.partition = nil
            w.partitionSessions = nil
            guard w == base else {
                throw MergeError("\(name) is another workload than \(names[0]): \(base.difference(from: w))")
            }
        }
        var m = reports[0]
        m.workload = base
        for r in reports.dropFirst() {
            m.throughput.add(r.throughput)
            m.responses.add(r.responses)
            m.charging.add(r.charging)
            m.traffic.reads &+= r.traffic.reads
            m.traffic.tailBuffers += r.traffic.tailBuffers
            m.traffic.releases &+= r.traffic.releases
            m.traffic.releasesAfterWaiting &+= r.traffic.releasesAfterWaiting
            m.setUp.add(r.setUp)
            m.end.add(r.end)
            m.conservation.add(r.conservation)
            m.modelCheck.generated += r.modelCheck.generated
            m.modelCheck.ok = m.modelCheck.ok && r.modelCheck.ok
            if !r.modelCheck.ok { m.modelCheck.detail = r.modelCheck.detail }
            m.failedConditions += r.failedConditions
            m.diameter = m.diameter.map { $0 + (r.diameter ?? []) } ?? r.diameter
            m.sessions = m.sessions.map { $0 + (r.sessions ?? []) } ?? r.sessions
            m.residentBytes = Self.sum(m.residentBytes, r.residentBytes)
            m.peakResidentBytes = Self.sum(m.peakResidentBytes, r.peakResidentBytes)
            if let a = m.machine, let b = r.machine {
                m.machine = MachineLoad(
                    cpus: a.cpus + b.cpus,
                    busyShare: (a.busyShare * Double(a.cpus) + b.busyShare * Double(b.cpus)) / Double(a.cpus + b.cpus),
                    stealShare: (a.stealShare * Double(a.cpus) + b.stealShare * Double(b.cpus))
                        / Double(a.cpus + b.cpus),
                    workerPreemptions: a.workerPreemptions + b.workerPreemptions
                )
            }
        }
        let sessions = Double(max(1, reports.reduce(0) { $0 + $1.setUp.sessions }))
        func perSession(_ f: (BenchReport) -> Double) -> Double {
            reports.reduce(0) { $0 + f($1) * Double($1.setUp.sessions) } / sessions
        }
        m.tableBytesPerSession = perSession(\.tableBytesPerSession)
        m.connectionBytesPerSession = perSession(\.connectionBytesPerSession)
        m.ledgerBytesPerSession = perSession(\.ledgerBytesPerSession)
        m.residentBytesPerSession = m.residentBytes.map { Double($0) / sessions }
        m.residentBytesPerSessionAfterSetUp = nil
        m.clockReadNanoseconds = reports.map(\.clockReadNanoseconds).max() ?? 0
        m.sessions?.sort { $0.session < $1.session }
        m.modelCheck.detail = m.modelCheck.ok ? reports[0].modelCheck.detail : m.modelCheck.detail
        m.charging.interimsPerMessage =
            Double(m.charging.requests["ch1-interim"] ?? 0) / Double(max(1, m.throughput.messages))
        m.traffic.messagesPerRead =
            Double(m.throughput.messages + m.throughput.abortedMessages) / Double(max(1, m.traffic.reads))
        m.latency = try mergedLatencies(reports, names: names)
        m.intervals = try IntervalSummary.merged(reports.map(\.intervals), names: names)
        m.stages = mergedStages(reports)
        return m
    }

    static func sum(_ a: Int?, _ b: Int?) -> Int? { a.flatMap { x in b.map { x + $0 } } }

    static func mergedLatencies(_ reports: [BenchReport], names: [String]) throws(MergeError) -> [Latency] {
        var out: [Latency] = []
        for l in reports[0].latency {
            var h = try MergeError.histogram(l.histogram, l.name, names[0])
            for (r, name) in zip(reports, names).dropFirst() {
                guard let other = r.latency.first(where: { $0.name == l.name }) else {
                    throw MergeError("\(name) has no \(l.name) latency")
                }
                h.add(try MergeError.histogram(other.histogram, l.name, name))
            }
            out.append(summary(l.name, h))
        }
        return out
    }

    /// The stages table of partitions that ran at once: each stage's rates summed, the ratios
    /// taken again from the sums.
    static func mergedStages(_ reports: [BenchReport]) -> [Stage]? {
        guard var rows = reports[0].stages else { return nil }
        for r in reports.dropFirst() {
            guard let other = r.stages, other.count == rows.count else { return nil }
            for k in rows.indices {
                rows[k].chunksPerSecond += other[k].chunksPerSecond
                rows[k].bodyGBPerSecond += other[k].bodyGBPerSecond
                rows[k].wireGBPerSecond += other[k].wireGBPerSecond
                rows[k].interimsPerSecond += other[k].interimsPerSecond
            }
        }
        let table = rows.first { $0.stage == PipelineStage.table.rawValue }?.chunksPerSecond
        for k in rows.indices {
            rows[k].ratioToPrevious = k == 0 ? 1 : rows[k].chunksPerSecond / max(rows[k - 1].chunksPerSecond, 1e-9)
            if rows[k].ratioToTable != nil, let table {
                rows[k].ratioToTable = rows[k].chunksPerSecond / max(table, 1e-9)
            }
        }
        return rows
    }
}

extension BenchReport.Workload {
    /// The first field that differs, for the error.
    func difference(from o: Self) -> String {
        let mirrors = zip(Mirror(reflecting: self).children, Mirror(reflecting: o).children)
        for (a, b) in mirrors where "\(a.value)" != "\(b.value)" {
            return "\(a.label ?? "?") \(a.value) against \(b.value)"
        }
        return "the same"
    }
}

extension BenchReport.Throughput {
    mutating func add(_ o: Self) {
        seconds = max(seconds, o.seconds)
        chunks &+= o.chunks
        messages &+= o.messages
        abortedMessages &+= o.abortedMessages
        bodyBytes &+= o.bodyBytes
        wireBytes &+= o.wireBytes
        chunksPerSecond += o.chunksPerSecond
        messagesPerSecond += o.messagesPerSecond
        bodyMBPerSecond += o.bodyMBPerSecond
        wireMBPerSecond += o.wireMBPerSecond
        perWorkerChunksPerSecond += o.perWorkerChunksPerSecond
        perWorkerCPUShare += o.perWorkerCPUShare
    }
}

extension BenchReport.Responses {
    mutating func add(_ o: Self) {
        ok200 &+= o.ok200
        forbidden403 &+= o.forbidden403
        sessionDoesNotExist481 &+= o.sessionDoesNotExist481
        parseErrors &+= o.parseErrors
        firstParseError = firstParseError ?? o.firstParseError
        withheldByFailureReport &+= o.withheldByFailureReport
        notImplemented501 &+= o.notImplemented501
        reports &+= o.reports
        responsesReceived &+= o.responsesReceived
    }
}

extension BenchReport.Charging {
    mutating func add(_ o: Self) {
        let mine = Double(totalRequests)
        let theirs = Double(o.totalRequests)
        for (k, v) in o.requests { requests[k, default: 0] &+= v }
        totalRequests &+= o.totalRequests
        interimsPerSecond += o.interimsPerSecond
        retransmissions &+= o.retransmissions
        interimTriggers &+= o.interimTriggers
        suppressedByInterval &+= o.suppressedByInterval
        suppressedByCeiling &+= o.suppressedByCeiling
        carriedOverMessages &+= o.carriedOverMessages
        carriedOverBytes &+= o.carriedOverBytes
        denials &+= o.denials
        timeouts &+= o.timeouts
        abandoned &+= o.abandoned
        sessionsEndedByCharging &+= o.sessionsEndedByCharging
        chunksRefused &+= o.chunksRefused
        ledgerSessions += o.ledgerSessions
        ledgerOfflineBytes &+= o.ledgerOfflineBytes
        ledgerOfflineMessages &+= o.ledgerOfflineMessages
        ledgerOnlineUnits &+= o.ledgerOnlineUnits
        ledgerDuplicatesDropped &+= o.ledgerDuplicatesDropped
        flushedByTimer &+= o.flushedByTimer
        validityExpiries &+= o.validityExpiries
        lateAnswers &+= o.lateAnswers
        lateGrantsAdopted &+= o.lateGrantsAdopted
        lateGrantsReleased &+= o.lateGrantsReleased
        if let n = o.reservationsClosed { reservationsClosed = (reservationsClosed ?? 0) &+ n }
        unmatchedAnswers &+= o.unmatchedAnswers
        forgottenRecords &+= o.forgottenRecords
        // Shares and costs per request: weighted by the requests each partition sent.
        let all = max(1, mine + theirs)
        embeddedEnablerShare = (embeddedEnablerShare * mine + o.embeddedEnablerShare * theirs) / all
        embeddedEnablerNanosecondsPerRequest =
            (embeddedEnablerNanosecondsPerRequest * mine + o.embeddedEnablerNanosecondsPerRequest * theirs) / all
    }
}

extension BenchReport.Phase {
    mutating func add(_ o: Self) {
        sessions += o.sessions
        seconds = max(seconds, o.seconds)
        sessionsPerSecond += o.sessionsPerSecond
        completed = completed.flatMap { a in o.completed.map { a + $0 } }
        rejected = rejected.flatMap { a in o.rejected.map { a + $0 } }
    }
}

extension ConservationCheck {
    mutating func add(_ o: Self) {
        let wasOK = ok
        applicable = applicable || o.applicable
        ok = ok && o.ok
        sessionsChecked += o.sessionsChecked
        sessionsMismatched += o.sessionsMismatched
        if wasOK && !o.ok { detail = o.detail }
        if basis == nil { basis = o.basis }
        if ok && applicable {
            detail =
                "every partition: usage charged = accepted in each of \(sessionsChecked) sessions (\(basis ?? Basis.enablerLedger.rawValue))"
        }
    }
}
