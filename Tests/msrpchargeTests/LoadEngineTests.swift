import Charging
import Foundation
import MSRP
import Testing

@testable import LoadEngine
import Workload

/// The load engine against its own traffic model and the embedded enabler's ledger.
/// Short runs (a chunk budget, not a duration), so they are quick in a debug build.
@Suite("load engine")
struct LoadEngineTests {
    static func model(_ configure: (inout WorkloadModel) -> Void = { _ in }) -> WorkloadModel {
        var m = WorkloadModel()
        m.sessions = 300
        m.workers = 2
        m.totalChunks = 20_000
        m.shards = 16
        m.templateBytes = 1 << 20
        configure(&m)
        return m
    }

    @Test func countsMatchTheTrafficModel() throws {
        let m = Self.model { m in
            m.messageSizes = try! MessageSizeDistribution(parsing: "1:1,100:5,3000:1")
            m.multiChunkShare = 0.3
            m.chunkSize = 700
            m.abortedShare = 0.1
            m.failureReportNoShare = 0.1
            m.failureReportPartialShare = 0.1
            m.readSizes = .fixed(97)  // frames cut anywhere, as a socket delivers them
            m.charging.defaultInterimInterval = 0  // no limiting: every trigger sends
            m.enabler.interimInterval = nil  // no AVP: the client's 0 (every message) stays
        }
        let r = try LoadRun.run(m)
        let report = BenchReport(r)
        #expect(report.modelCheck.ok, "\(report.modelCheck.detail)")
        #expect(r.fed.chunks >= 20_000)
        #expect(r.counters.chunks == r.fed.chunks)
        #expect(r.counters.messages == r.fed.messages)
        #expect(r.counters.abortedMessages == r.fed.abortedMessages)
        #expect(r.counters.abortedMessages > 0)
        #expect(r.counters.responses200 == r.fed.successResponses)
        #expect(r.counters.responses200 < r.counters.chunks)  // Failure-Report no/partial: no 200 OK
        // One trigger per completed message, and with no interval every trigger is an interim.
        #expect(r.charging.interimTriggers == r.fed.messages)
        #expect(r.charging.sent(.offlineInterim) == r.fed.messages)
        #expect(r.charging.sent(.offlineStart) == 300)
        #expect(r.charging.sent(.offlineStop) == 300)
        #expect(r.conservation.applicable && r.conservation.ok, "\(r.conservation.detail)")
        #expect(r.conservation.sessionsChecked == 300)
        #expect(r.counters.parseErrors == 0)
    }

    @Test func modelCheckCatchesADifference() throws {
        var r = try LoadRun.run(Self.model())
        #expect(BenchReport.check(r).ok)
        r.counters.frames.chunks += 1
        let check = BenchReport.check(r)
        #expect(!check.ok)
        #expect(check.detail.contains("chunks"))
    }

    @Test func limiterSuppressesAndCarriesOver() throws {
        let r = try LoadRun.run(Self.model())  // 10 s interval: no interim within the run
        #expect(r.charging.interimTriggers == r.fed.messages)
        #expect(r.charging.sent(.offlineInterim) == 0)
        #expect(r.charging.suppressedByInterval == r.fed.messages)
        #expect(r.charging.carriedOver.messages == r.fed.messages)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(r.ledger.offline.bytes == r.counters.accepted.bytes)
    }

    @Test func conservationHoldsWhenTheEnablerLosesAnswers() throws {
        let m = Self.model { m in
            m.charging.defaultInterimInterval = 0
            m.enabler.interimInterval = nil  // no AVP: the client's 0 (every message) stays
            m.enabler.timeoutShare = 0.2
            m.enabler.latency = .fixed(100_000)
            m.charging.txTimeout = 2_000_000
        }
        let r = try LoadRun.run(m)
        #expect(r.charging.timeouts > 0)
        // Offline, every request carries usage: each timeout is retransmitted or given up.
        #expect(r.charging.retransmissions + r.charging.abandoned == r.charging.timeouts)
        #expect(r.ledger.duplicates > 0)  // recorded, answer lost, retransmitted: dropped once
        #expect(r.conservation.ok, "\(r.conservation.detail)")
    }

    @Test func onlineChargingReservesUpdatesAndTerminates() throws {
        let m = Self.model { m in
            m.charging.mode = .both
            m.enabler.grantedUnits = 2_000  // about 8 KB per session in the run: several updates each
        }
        let r = try LoadRun.run(m)
        #expect(r.charging.sent(.onlineInitial) == 300)
        #expect(r.charging.sent(.onlineTermination) == 300)
        #expect(r.charging.sent(.onlineUpdate) > 0)
        #expect(r.workers.reduce(0) { $0 + $1.sessionsSetUp } == 300)
        #expect(r.latency.sessionSetUp.totalCount == 300)
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(r.ledger.onlineUnits == r.counters.accepted.bytes)
    }

    @Test func deniedSessionsAreRefusedAndNothingIsLost() throws {
        let m = Self.model { m in
            m.charging.mode = .online
            m.enabler.denialShare = 0.5
        }
        let r = try LoadRun.run(m)
        let rejected = r.workers.reduce(0) { $0 + $1.sessionsRejected }
        #expect(rejected > 50 && rejected < 250)
        #expect(r.counters.responses403 > 0)
        // Every chunk of a refused session refused; responses as the model owes them.
        #expect(r.expected.refusedSessionsAccepting == 0)
        #expect(r.expected.forbidden403 > 0)
        #expect(BenchReport.check(r).ok, "\(BenchReport.check(r).detail)")
        #expect(r.conservation.ok, "\(r.conservation.detail)")
    }

    @Test func stagesRunTheSameTraffic() throws {
        for stage in PipelineStage.allCases {
            let r = try LoadRun.run(Self.model { $0.stage = stage })
            #expect(r.counters.wireBytes == r.fed.wireBytes, "\(stage)")
            #expect(BenchReport.check(r).ok, "\(stage): \(BenchReport.check(r).detail)")
            if stage == .scan {
                // Nothing parsed; at least 8 LFs a chunk were found (start line, To-Path,
                // From-Path, Message-ID, Byte-Range, Content-Type, blank line, end-line).
                #expect(r.counters.chunks == 0)
                #expect(r.counters.scannedLines >= 8 * r.fed.chunks)
            } else {
                #expect(r.counters.chunks == r.fed.chunks)
            }
            #expect(!r.conservation.applicable == (stage != .charging))
        }
    }

    @Test func targetRateIsHeldAndSaidInTheReport() throws {
        let m = Self.model { m in
            m.totalChunks = 4000
            m.targetRate = 40_000
        }
        let r = try LoadRun.run(m)
        // 4000 chunks at 40 000/s take at least 0.1 s.
        #expect(r.seconds >= 0.09)
        let report = BenchReport(r)
        #expect(report.latencyNote.contains("coordinated omission"))
        #expect(report.workload.sampleEvery == 1)
        #expect(r.latency.chunk.totalCount == r.fed.chunks)  // every read timed
    }

    @Test func sameSeedSameTraffic() throws {
        let a = TrafficTemplates(model: Self.model())
        let b = TrafficTemplates(model: Self.model())
        let c = TrafficTemplates(model: Self.model { $0.seed = 2 })
        let key = TrafficBuilder.sessionKey(7, Self.model())
        let messages = { (t: TrafficTemplates) in (0..<20).map { t.message(UInt32($0), session: 7, key: key) } }
        #expect(messages(a) == messages(b))
        #expect(messages(a) != messages(c))
    }

    @Test func eachMessageCarriesItsSessionsID() throws {
        let m = Self.model()
        let templates = TrafficTemplates(model: m)
        #expect(templates.idWidth == 12)  // s + 7 digits + - + 3 digits (shard affinity)
        for session in [0, 1, 149, 299] {
            let key = TrafficBuilder.sessionKey(session, m)
            #expect(TrafficBuilder.sessionIndex(key) == session)
            for n in 0..<5 {
                var frames: [String] = []
                var parser = MSRPChunkParser()
                try parser.parse(templates.message(UInt32(n), session: session, key: key)) { frame in
                    frames.append(String(decoding: UnsafeRawBufferPointer(frame.toSessionID.buffer), as: UTF8.self))
                }
                #expect(!frames.isEmpty)
                #expect(frames.allSatisfy { $0 == key.description }, "\(frames) for \(key)")
            }
        }
    }

    @Test func badValuesAreRejectedWithTheValue() throws {
        func message(_ configure: (inout WorkloadModel) -> Void) -> String? {
            do {
                try Self.model(configure).validate()
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message { _ in } == nil)
        #expect(message { $0.sessions = 0 }?.contains("got 0") == true)
        #expect(message { $0.charging.interimCeilingPerSecond = 0 }?.contains("--interim-ceiling") == true)
        #expect(message { $0.enabler.latency = .uniform(5_000_000, 1_000_000) }?.contains("5.0-1.0 ms") == true)
        #expect(message { $0.abortedShare = 1.5 }?.contains("1.5") == true)
        #expect(message { $0.workers = 400 }?.contains("--workers (400)") == true)
        #expect(throws: WorkloadError.self) { try MessageSizeDistribution(parsing: "500-100") }
        #expect(throws: WorkloadError.self) { try MessageSizeDistribution(parsing: "100:x") }
        #expect(try MessageSizeDistribution(parsing: "50-150").mean == 100)
    }
}

/// Session-ids minted for shard affinity (`--shard-affinity`).
@Suite("shard affinity")
struct ShardAffinityTests {
    @Test("the chosen share of each worker's sessions lives in its own shards", arguments: [2, 3, 4])
    func ownShare(_ workers: Int) throws {
        var m = WorkloadModel()
        m.workers = workers
        m.sessions = 12_000
        m.shardAffinity = 0.9
        var ids = Set<String>()
        var own = 0
        for i in 0..<m.sessions {
            let id = TrafficBuilder.sessionID(i, m)
            let key = try #require(SessionKey(id), "\(id) is a valid session-id of at most 32 bytes")
            ids.insert(id)
            let shard = SessionTable<ChargingSession>.shardIndex(key, shardCount: m.shards)
            if shard % workers == i % workers { own += 1 }
        }
        #expect(ids.count == m.sessions, "ids are unique")
        // Each session is own with probability 0.9, from a hash of its index: 12 000 draws.
        #expect(abs(Double(own) / Double(m.sessions) - 0.9) < 0.02, "own share \(own)")
    }

    @Test("no affinity, one worker, or fewer shards than workers: plain ids")
    func plainIDs() {
        var m = WorkloadModel()
        m.shardAffinity = 0
        #expect(TrafficBuilder.sessionID(35, m) == "s000000z")
        #expect(TrafficBuilder.sessionIndex(SessionKey("s000000z")!) == 35)
        m.shardAffinity = 1
        m.workers = 1
        #expect(TrafficBuilder.sessionID(35, m) == "s000000z")
        m.workers = 4
        m.shards = 2
        #expect(TrafficBuilder.sessionID(35, m) == "s000000z")
    }

    @Test("all own and none own")
    func extremes() throws {
        var m = WorkloadModel()
        m.workers = 2
        for (affinity, expectOwn) in [(1.0, true), (0.000001, false)] {
            m.shardAffinity = affinity
            for i in 0..<2000 {
                let key = try #require(SessionKey(TrafficBuilder.sessionID(i, m)))
                let own = SessionTable<ChargingSession>.shardIndex(key, shardCount: m.shards) % 2 == i % 2
                #expect(own == expectOwn)
            }
        }
    }

    @Test("the table's shard of a key is the one the static function names")
    func shardIndexAgrees() throws {
        let table = SessionTable<ChargingSession>(shardCount: 100, expectedSessions: 10)
        #expect(table.shardCount == 128)
        for i in 0..<1000 {
            let key = try #require(SessionKey("k\(i)"))
            #expect(table.shardIndex(key) == SessionTable<ChargingSession>.shardIndex(key, shardCount: 100))
        }
    }
}

/// The machine-load figures: `/proc/stat` parsing and the shares of a timed phase.
@Suite("machine load")
struct MachineLoadTests {
    @Test func parsesTheCPULine() throws {
        // proc(5): user nice system idle iowait irq softirq steal guest guest_nice
        let t = try #require(CPUTimes.parse("cpu  100 5 30 800 10 2 3 50 0 0"))
        #expect(t == CPUTimes(busy: 100 + 5 + 30 + 2 + 3, idle: 800 + 10, steal: 50))
        #expect(t.total == 1000)
        #expect(CPUTimes.parse("cpu0 1 2 3 4 5 6 7 8 9 10") == nil)
        #expect(CPUTimes.parse("cpu  1 2 3") == nil)
        #expect(CPUTimes.parse("cpu  1 2 x 4 5 6 7 8") == nil)
    }

    @Test func parsesResidentMemory() throws {
        let status = "Name:\tmsrpcharge\nVmPeak:\t  900 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t3\n"
        #expect(ResidentMemory.parse(status) == ResidentMemory(currentBytes: 1024 * 1024, peakBytes: 2048 * 1024))
        #expect(ResidentMemory.parse("VmRSS:\t1 kB\n") == nil)  // no peak: refused, not half-read
        let now = try #require(ResidentMemory.now())
        #expect(now.currentBytes > 0 && now.peakBytes >= now.currentBytes)
        // The report states it per session.
        var m = WorkloadModel()
        m.sessions = 300
        m.totalChunks = 3000
        m.workers = 1
        let report = BenchReport(try LoadRun.run(m))
        let per = try #require(report.residentBytesPerSession)
        let resident = Double(try #require(report.residentBytes))
        #expect(abs(per - resident / 300) < 1e-6)
    }

    @Test func sharesOfTheTimedPhase() {
        let a = CPUTimes(busy: 1000, idle: 5000, steal: 10)
        let b = CPUTimes(busy: 1000 + 150, idle: 5000 + 40, steal: 10 + 10)
        let m = MachineLoad(cpus: 2, from: a, to: b, workerPreemptions: [3, 4])
        #expect(abs(m.busyShare - 0.75) < 1e-12 && abs(m.stealShare - 0.05) < 1e-12)
    }

    @Test func thisMachineHasProcStat() throws {
        #if os(Linux)
        let t = try #require(CPUTimes.now())
        #expect(t.total > 0)
        #endif
    }
}
