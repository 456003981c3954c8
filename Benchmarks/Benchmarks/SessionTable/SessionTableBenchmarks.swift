import Benchmark
import Charging
import Dispatch
import MSRP

/// The per-chunk charging work at 1 million sessions: one iteration is 100 000 chunks of
/// sessions visited in a fixed pseudo-random order. Each chunk is a table update in place that
/// runs the Charging Enabler User's chunk event (usage, last-chunk trigger, interim-rate
/// limiter decision) on the session's ``ChargingSession``.
let sessions = 1_000_000
let updatesPerIteration = 100_000
/// How many keys ahead the batched variants prefetch.
let prefetchDistance = 8

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(4),
        maxIterations: 10_000
    )
    let table = SessionTable<ChargingSession>(shardCount: 64, expectedSessions: sessions)
    var configuration = ChargingConfiguration(mode: .offline)
    configuration.defaultInterimInterval = 10 * ChargingConfiguration.second
    let user = ChargingEnablerUser(configuration)
    var keys: [SessionKey] = []
    keys.reserveCapacity(sessions)
    var setup = ChargingOutbox()
    for i in 0..<sessions {
        let k = SessionKey("sess\(i)x9")!
        keys.append(k)
        var s = ChargingSession()
        user.recipientAnswered(&s, k, now: 0, &setup)  // established: CH-1 open
        setup.drain()
        table.insert(k, s)
    }
    print(
        "session table: \(table.count) sessions, slot \(MemoryLayout<SessionSlot<ChargingSession>>.stride) B, "
            + "\(table.storageBytes / table.count) B of slots per session"
    )
    let allKeys = keys
    var order: [Int] = []
    var x: UInt64 = 0x1234_5678
    for _ in 0..<updatesPerIteration {
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        order.append(Int(x >> 33) % sessions)
    }
    // The keys in visiting order, laid out one after another: the engine takes each key from
    // the chunk it just parsed (in cache), so the benchmark must not add a random load of its
    // own from a 48 MB key array.
    let visit = order.map { allKeys[$0] }

    // The same visits split by shard: the sessions in even shards, and those in odd ones. A
    // server that mints its session-ids per worker (`msrpcharge bench --shard-affinity`) gives
    // each worker the sessions of its own shards, so two threads never take the same lock.
    let byShardParity = [0, 1].map { parity in visit.filter { table.shardIndex($0) & 1 == parity } }

    /// Chunks `range` of `keys`; every fourth is a last chunk (`$`).
    @Sendable func run(_ keys: [SessionKey], _ range: Range<Int>, prefetch: Bool) {
        var out = ChargingOutbox(capacity: 64)
        var now: Int64 = 1
        for j in range {
            if prefetch && j + prefetchDistance < range.upperBound {
                table.prefetch(keys[j + prefetchDistance])
            }
            let flag: ContinuationFlag = j & 3 == 0 ? .end : .more
            now &+= 100
            let key = keys[j]
            _ = table.update(key) { s in
                user.chunkAccepted(&s, key, bodyBytes: 100, flag: flag, now: now, &out)
            }
            if out.count == 64 { out.drain() }
        }
        blackHole(out.counters.interimTriggers)
    }

    // The same chunks on one thread, and split over two; without and with prefetching. The
    // two threads visit different sessions, which share shards: each lock is taken by both.
    for (prefix, prefetch) in [("table-charge", false), ("table-charge-prefetch", true)] {
        Benchmark("\(prefix)-1M-1thread-x100k") { benchmark in
            for _ in benchmark.scaledIterations { run(visit, 0..<updatesPerIteration, prefetch: prefetch) }
        }
        Benchmark("\(prefix)-1M-2threads-x100k") { benchmark in
            for _ in benchmark.scaledIterations {
                DispatchQueue.concurrentPerform(iterations: 2) { t in
                    run(visit, t * updatesPerIteration / 2..<(t + 1) * updatesPerIteration / 2, prefetch: prefetch)
                }
            }
        }
    }

    // The same 100 000 chunks, prefetching, with each thread's sessions in shards of its own
    // (even and odd shards): one thread does both halves in turn, two do one each.
    Benchmark("table-charge-prefetch-affine-1M-1thread-x100k") { benchmark in
        for _ in benchmark.scaledIterations {
            for keys in byShardParity { run(keys, keys.indices, prefetch: true) }
        }
    }
    Benchmark("table-charge-prefetch-affine-1M-2threads-x100k") { benchmark in
        for _ in benchmark.scaledIterations {
            DispatchQueue.concurrentPerform(iterations: 2) { t in
                run(byShardParity[t], byShardParity[t].indices, prefetch: true)
            }
        }
    }

    // The limiter decision alone: the chunk event on one session held in a local variable
    // (no table), every chunk a last chunk, so each one runs the trigger and the limiter.
    Benchmark("limiter-decision-x100k") { benchmark in
        var s = ChargingSession()
        var out = ChargingOutbox(capacity: 64)
        let k = allKeys[0]
        user.recipientAnswered(&s, k, now: 0, &out)
        out.drain()
        var now: Int64 = 1
        for _ in benchmark.scaledIterations {
            for _ in 0..<updatesPerIteration {
                now &+= 100
                blackHole(user.chunkAccepted(&s, k, bodyBytes: 100, flag: .end, now: now, &out))
                if out.count == 64 { out.drain() }
            }
        }
        blackHole(out.counters.suppressedByInterval)
    }
}
