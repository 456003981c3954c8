import Charging
import ChargingPipeline
import MSRP
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A client that answers from its own thread, as a network client's event loop would: the
/// owner never waits for it, and takes the answers from its queue.
final class ThreadedClient: ChargingEnablerClient, @unchecked Sendable {
    let inner: EmbeddedChargingEnabler
    let lock = NIOLockBox()
    var pending: [(ChargingRequest, ChargingAnswerQueue)] = []
    let stop = Atomic<Bool>(false)
    var thread = pthread_t()

    init(_ e: EmbeddedEnablerConfiguration) {
        inner = EmbeddedChargingEnabler(e)
        let box = Unmanaged.passUnretained(self).toOpaque()
        pthread_create(
            &thread,
            nil,
            { p in
                let me = Unmanaged<ThreadedClient>.fromOpaque(p!).takeUnretainedValue()
                me.serve()
                return nil
            },
            box
        )
    }

    func shutdown() {
        stop.store(true, ordering: .releasing)
        pthread_join(thread, nil)
    }

    var peerCount: Int { 1 }

    func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        lock.withLock { pending.append((request, answers)) }
        return nil  // the answer comes later, from the client's thread
    }

    func serve() {
        while !stop.load(ordering: .acquiring) {
            let batch = lock.withLock { () -> [(ChargingRequest, ChargingAnswerQueue)] in
                defer { pending.removeAll() }
                return pending
            }
            for (r, q) in batch {
                if var d = inner.answer(r) {
                    d.arrivesAt = 0  // a network answer: take it when it is there
                    q.push(d)
                }
            }
            usleep(200)
        }
    }
}

/// A pthread mutex for the test client (not on any hot path).
final class NIOLockBox: @unchecked Sendable {
    var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return body()
    }
}

@Suite("Pipeline: answers from other threads")
struct AnswerQueueTests {
    /// Many producers, one consumer: every answer arrives exactly once.
    @Test func everyAnswerArrivesOnceFromManyThreads() {
        let q = ChargingAnswerQueue(capacity: 64)  // small: producers wait for the consumer
        let producers = 4
        let each = 20_000
        var threads: [pthread_t] = []
        final class Job: @unchecked Sendable {
            let q: ChargingAnswerQueue
            let base: UInt32
            let count: Int
            init(_ q: ChargingAnswerQueue, _ base: UInt32, _ count: Int) {
                self.q = q
                self.base = base
                self.count = count
            }
        }
        for p in 0..<producers {
            var t = pthread_t()
            let job = Unmanaged.passRetained(Job(q, UInt32(p * each), each)).toOpaque()
            pthread_create(
                &t,
                nil,
                { raw in
                    let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                    for i in 0..<job.count {
                        job.q.push(
                            ChargingAnswerDelivery(
                                ChargingAnswer(
                                    kind: .offlineInterim,
                                    session: SessionKey("q")!,
                                    number: job.base + UInt32(i)
                                )
                            )
                        )
                    }
                    return nil
                },
                job
            )
            threads.append(t)
        }
        var seen = [Bool](repeating: false, count: producers * each)
        var got = 0
        var duplicates = 0
        while got < producers * each {
            if let d = q.pop() {
                let n = Int(d.answer.number)
                if seen[n] { duplicates += 1 }
                seen[n] = true
                got += 1
            }
        }
        for t in threads { pthread_join(t, nil) }
        #expect(duplicates == 0)
        #expect(seen.allSatisfy { $0 })
        #expect(q.pop() == nil)
    }

    /// The pipeline with a client answering from another thread, on the real clock: every
    /// request answered, usage conserved, nothing left in flight.
    @Test func thePipelineTakesAnswersFromAnotherThread() throws {
        var e = EmbeddedEnablerConfiguration()
        e.interimInterval = nil
        let client = ThreadedClient(e)
        defer { client.shutdown() }
        var c = ChargingConfiguration(mode: .both)
        c.defaultInterimInterval = 0
        c.txTimeout = 5 * second
        let f = PipelineFixture(c, client: client)
        func clock() -> Int64 {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        }
        func settle(_ done: () -> Bool) {
            let deadline = clock() + 5 * second
            while !done() && clock() < deadline {
                f.now = clock()
                f.pipeline.poll(now: f.now)
                f.forwardInvites()
                usleep(100)
            }
        }
        let keys = (0..<20).map { SessionKey("t\($0)")! }
        f.now = clock()
        for k in keys {
            f.pipeline.invite(k, now: f.now)
            f.forwardInvites()
        }
        settle { f.pipeline.dispatcher.inFlight == 0 }
        for i in 0..<200 {
            f.now = clock()
            try f.feed(message("t\(i % 20)", size: 10 + i, messageID: "msg\(10_000 + i)"))
            f.pipeline.poll(now: f.now)
        }
        f.now = clock()
        for k in keys { f.pipeline.endSession(k, now: f.now) }
        settle { f.pipeline.dispatcher.inFlight == 0 }
        #expect(f.pipeline.dispatcher.inFlight == 0)
        #expect(f.pipeline.charging.timeouts == 0)
        let sent = (0..<200).reduce(UInt64(0)) { $0 + UInt64(10 + $1) }
        #expect(client.inner.ledger.totals.offline == ChargingUsage(messages: 200, bytes: sent))
        #expect(client.inner.ledger.totals.onlineUnits == sent)
        #expect(f.pipeline.dispatcher.counters.answersTaken == f.pipeline.dispatcher.counters.sent)
    }
}
