import Charging
import Foundation
import MSRP
import Testing

@testable import LoadEngine
import Workload

/// Per-session pacing (`--message-interval`), the rate gate (`--rate`), and reads cut across
/// messages (`--read-size`).
@Suite("pacing and reads")
struct PacingTests {
    /// The due times one session's schedule gives its first `n` messages, each read as soon
    /// as it is released (time driven by hand: the schedule never reads the clock).
    static func dues(_ interval: AnswerLatency, count n: Int) -> [Int64] {
        var m = WorkloadModel()
        m.sessions = 1
        m.workers = 1
        m.templateBytes = 1 << 16
        let reader = StreamReader(TrafficTemplates(model: m))
        let connections = UnsafeMutablePointer<EngineConnection>.allocate(capacity: 1)
        connections.initialize(to: EngineConnection(key: TrafficBuilder.sessionKey(0, m), session: 0))
        defer {
            connections.deinitialize(count: 1)
            connections.deallocate()
        }
        let schedule = PacingSchedule(
            connections: connections,
            count: 1,
            interval: interval,
            nanosecondsPerChunk: nil,
            seed: 42,
            reader: reader
        )
        var dues: [Int64] = []
        while dues.count < n {
            let t = connections[0].nextDue
            schedule.advance(to: t)
            #expect(schedule.hasReady, "released at its due time \(t)")
            guard schedule.hasReady else { break }
            let c = schedule.popReady()
            // Read what was released (a gap shorter than a slot releases two at once).
            while connections[c].unread > 0 {
                // Released with its slot (16 µs): the engine waits out the rest before reading.
                #expect(connections[c].headDue <= t + (1 << PacingSchedule.slotShift), "released once due")
                dues.append(connections[c].headDue)
                connections[c].finishMessage()
            }
            schedule.afterRead(c, at: t)
        }
        return dues
    }

    static func gaps(_ dues: [Int64]) -> [Double] {
        zip(dues.dropFirst(), dues).map { Double($0 - $1) }
    }

    @Test func exponentialGapsHaveTheirMeanAndShape() {
        let mean = 2_000_000.0  // 2 ms: the test drives the wheel slot by slot
        let g = Self.gaps(Self.dues(.exponential(mean: Int64(mean)), count: 5001))
        #expect(g.count == 5000)
        let m = g.reduce(0, +) / Double(g.count)
        // Standard error of the mean: mean / √5000 ≈ 1.4 %.
        #expect(abs(m / mean - 1) < 0.05, "mean gap \(m) ns")
        // P(gap < mean) = 1 − 1/e for an exponential (σ ≈ 0.007 with 5000 gaps).
        let below = Double(g.filter { $0 < mean }.count) / Double(g.count)
        #expect(abs(below - (1 - exp(-1))) < 0.03, "share below the mean \(below)")
    }

    @Test func uniformAndFixedGapsStayInTheirBounds() {
        let u = Self.gaps(Self.dues(.uniform(1_000_000, 3_000_000), count: 2001))
        #expect(u.allSatisfy { $0 >= 1_000_000 && $0 <= 3_000_000 })
        let mean = u.reduce(0, +) / Double(u.count)
        #expect(abs(mean / 2_000_000 - 1) < 0.03, "mean gap \(mean) ns")
        // Both halves of the range are used about equally.
        let low = Double(u.filter { $0 < 2_000_000 }.count) / Double(u.count)
        #expect(abs(low - 0.5) < 0.05)
        let f = Self.gaps(Self.dues(.fixed(1_500_000), count: 200))
        #expect(f.allSatisfy { $0 == 1_500_000 })
    }

    static func pacedModel(_ configure: (inout WorkloadModel) -> Void = { _ in }) -> WorkloadModel {
        LoadEngineTests.model { m in
            m.sessions = 200
            m.workers = 1
            m.totalChunks = nil
            m.messageInterval = .fixed(20_000_000)  // 200 sessions every 20 ms: 10 000 messages/s
            configure(&m)
        }
    }

    /// An engine that falls behind shows it as latency: a stall of 200 ms before the first
    /// read (the timed phase started that long ago) makes the messages due meanwhile late by
    /// up to 200 ms, counted from when each was due; the reads themselves take microseconds.
    @Test("coordinated omission is corrected", arguments: [nil, 12_000.0])
    func lateReadsCountFromTheirDueTime(rate: Double?) throws {
        let h = try EngineHarness(Self.pacedModel { $0.targetRate = rate })
        let w = h.worker
        let now = monotonicNanoseconds()
        let start = now - 200_000_000
        w.timed(&h.prepared, start: start, deadline: now + 400_000_000, budget: .max)
        let latency = h.prepared.state.latency.chunk
        #expect(latency.totalCount > 3000)
        #expect(latency.max > 150_000_000, "the stall shows: max \(latency.max) ns")
        // Messages due after the engine caught up are not late: the median is far below.
        #expect(latency.valueAtPercentile(50) < 50_000_000, "p50 \(latency.valueAtPercentile(50)) ns")
        if let rate {
            // The gate holds the rate: 600 ms of schedule at 12 000 chunks/s, plus what the
            // last read brought.
            #expect(Double(w.result.fed.chunks) <= rate * 0.6 * 1.05 + 100, "\(w.result.fed.chunks) chunks")
        }
    }

    @Test func pacedRunHoldsItsScheduleAndChecks() throws {
        var m = Self.pacedModel()
        m.workers = 2
        m.duration = 300_000_000
        let r = try LoadRun.run(m)
        let report = BenchReport(r)
        // 200 sessions each 20 ms apart for 0.3 s: about 3000 messages.
        let messages = Double(r.fed.messages + r.fed.abortedMessages)
        #expect(messages > 2500 && messages < 3500, "\(messages) messages")
        #expect(report.modelCheck.ok, "\(report.modelCheck.detail)")
        #expect(r.conservation.ok, "\(r.conservation.detail)")
        #expect(report.latencyNote.contains("coordinated omission"))
        #expect(report.workload.messageInterval == "0.02")
        #expect(r.latency.chunk.totalCount == r.fed.chunks)  // every chunk timed
    }

    /// Reads cut the stream anywhere: a read of 1000 bytes holds several 100-byte messages
    /// (about 300 bytes each on the wire) and ends inside a frame, which the parser keeps in
    /// a tail buffer from the worker's pool; `message` reads one message a read.
    @Test func readsCutAcrossMessages() throws {
        var m = LoadEngineTests.model { m in
            m.sessions = 100
            m.workers = 1
            m.totalChunks = 5000
            m.readSizes = .fixed(1000)
        }
        let cut = try LoadRun.run(m)
        #expect(BenchReport.check(cut).ok, "\(BenchReport.check(cut).detail)")
        #expect(cut.counters.reads * 2 < cut.fed.messages, "\(cut.counters.reads) reads")
        #expect(cut.parsersMidFrame == 0)
        m.readSizes = .message
        let whole = try LoadRun.run(m)
        #expect(BenchReport.check(whole).ok)
        #expect(whole.counters.reads == whole.fed.messages + whole.fed.abortedMessages)
        #expect(throws: WorkloadError.self) { try ReadSizes(parsing: "0") }
        #expect(try ReadSizes(parsing: "exp:500") == .exponential(mean: 500))
        #expect(try ReadSizes(parsing: "64-1448") == .uniform(64, 1448))
    }
}
