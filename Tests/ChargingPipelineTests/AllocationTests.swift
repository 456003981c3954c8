import CMallocCounter
import Charging
import ChargingPipeline
import MSRP
import Testing

/// "No allocation per chunk or per charging request", held as a test (swift-nio's
/// allocation tests count the same way): after a warm-up that grows every buffer to its
/// working size, thousands of chunks, each message charged with a CH-1 interim (interval 0)
/// and a CH-2 update every few messages, answered through the queue and the timer heap, must
/// allocate nothing on the owner's thread.
@Suite("Pipeline: allocations")
struct AllocationTests {
    @Test func noAllocationPerChunkOrPerRequest() throws {
        guard msrpcharge_allocation_counting() else {
            print("skipped: allocation counting is off under a sanitizer (its allocator owns malloc)")
            return
        }
        var c = ChargingConfiguration(mode: .both)
        c.defaultInterimInterval = 0
        c.requestedUnits = 500
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = nil
        e.grantedUnits = 500
        e.latency = .uniform(0, 2 * ms)
        let sessions = 64
        let f = PipelineFixture(
            c,
            client: EmbeddedChargingEnabler(e, expectedSessions: sessions),
            sessions: sessions,
            keepClosed: false
        )
        for i in 0..<sessions { _ = f.setUp("a\(i)") }
        f.advance(by: 10 * ms)
        // One round: a message of 2 chunks in every session, fed as one read per session on the
        // session's own connection (its own parser, as a server has).
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for i in 0..<sessions {
            bytes += message("a\(i)", size: 150, chunkSize: 100, messageID: "msg\(1000 + i)")
            ends.append(bytes.count)
        }
        let wire = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 64)
        defer { wire.deallocate() }
        wire.copyBytes(from: bytes)
        let parsers = UnsafeMutablePointer<MSRPChunkParser>.allocate(capacity: sessions)
        parsers.initialize(repeating: MSRPChunkParser(tailCapacity: 0), count: sessions)
        defer {
            parsers.deinitialize(count: sessions)
            parsers.deallocate()
        }
        func round() {
            var i = 0
            var start = 0
            while i < sessions {
                let read = UnsafeRawBufferPointer(rebasing: wire[start..<ends[i]])
                try! parsers[i].parse(read) { frame in f.pipeline.handle(frame, now: f.now, responses: &f.responses) }
                f.responses.flush()
                f.now += 10_000
                f.pipeline.poll(now: f.now)
                start = ends[i]
                i += 1
            }
        }
        for _ in 0..<200 { round() }  // warm-up: arrays, heap, slabs and ledger reach their size
        let chunksBefore = f.pipeline.counters.chunks
        let requestsBefore = f.pipeline.charging.totalRequests
        let before = msrpcharge_thread_allocations()
        for _ in 0..<100 { round() }
        let allocations = msrpcharge_thread_allocations() - before
        let chunks = f.pipeline.counters.chunks - chunksBefore
        let requests = f.pipeline.charging.totalRequests - requestsBefore
        #expect(chunks == UInt64(100 * sessions * 2))
        #expect(requests >= UInt64(100 * sessions))  // an interim per message, and updates
        #expect(f.pipeline.charging.sent(.onlineUpdate) > 0)
        #expect(f.pipeline.dispatcher.counters.answersTaken > 0)
        #expect(allocations == 0, "\(allocations) allocations for \(chunks) chunks and \(requests) requests")
    }

    /// The counter counts: an array that must grow allocates.
    @Test func theCounterSeesAnAllocation() {
        guard msrpcharge_allocation_counting() else {
            print("skipped: allocation counting is off under a sanitizer")
            return
        }
        let before = msrpcharge_thread_allocations()
        var a: [Int] = []
        for i in 0..<1000 { a.append(i) }
        #expect(a.count == 1000)
        #expect(msrpcharge_thread_allocations() - before >= 1)
    }
}
