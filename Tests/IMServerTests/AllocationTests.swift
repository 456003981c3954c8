import CMallocCounter
import Charging
import Testing

@testable import IMServer

/// The server's per-chunk path allocates nothing per chunk: what it allocates is per read
/// (NIO's read buffer, the buffers flushed to each connection), so the count per chunk falls
/// as reads carry more chunks. Counted on the worker's event-loop thread by the malloc counter.
@Suite(.serialized) struct ServerAllocationTests {
    @Test func allocationsOnTheWorkerAreFarFewerThanOnePerChunk() throws {
        guard msrpcharge_allocation_counting() else {
            print("SKIPPED: allocations are not counted here (a sanitizer owns malloc)")
            return
        }
        let h = try IMHarness(mode: .offline, interim: 0, workers: 1)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        let worker = h.server.workers[0]
        func exchange(_ n: Int, from: Int) throws {
            var batch = ""
            for i in from..<(from + n) {
                batch += s.send(
                    tid: "tid\(100_000 + i)",
                    messageID: "msg\(100_000 + i)",
                    range: "1-8/8",
                    body: "8 bytes!"
                )
            }
            s.callerStream.write(batch)
            let forwarded = try s.recipientStream.frames(n)
            var answers: [UInt8] = []
            for f in forwarded { answers += response(to: f, 200) }
            s.recipientStream.write(answers)
            _ = try s.callerStream.frames(n)
        }
        // Warm up: the tables, buffers and the pipeline's arrays grow to their working size.
        for k in 0..<10 { try exchange(100, from: k * 100) }
        #expect(eventually { h.server.report().pipeline.responsesReceived >= 1001 })
        let before = try worker.loop.submit { msrpcharge_thread_allocations() }.wait()
        let r0 = h.server.report()
        let chunks = 4000
        for k in 0..<(chunks / 200) { try exchange(200, from: 1000 + k * 200) }
        #expect(eventually { h.server.report().pipeline.responsesReceived >= UInt64(1001 + chunks) })
        let after = try worker.loop.submit { msrpcharge_thread_allocations() }.wait()
        let perChunk = Double(after - before) / Double(chunks)
        let r1 = h.server.report()
        let reads = r1.media.reads - r0.media.reads
        print("server worker: \(reads) reads, \(r1.media.flushes - r0.media.flushes) flushes")
        print(
            "server worker: \(after - before) allocations for \(chunks) chunks (\(perChunk) per chunk), CH-1 interim each"
        )
        #expect(h.server.report().charging.sent(.offlineInterim) >= UInt64(1000 + chunks))
        #expect(perChunk < 0.25, "\(perChunk) allocations per chunk")
        // What it allocates is per read (the read buffer, a buffer per connection flushed, the
        // wake-up for the enabler's answers), not per chunk.
        #expect(after - before <= 32 * reads, "\(after - before) allocations for \(reads) reads")
    }
}
