import Benchmark
import Charging
import Dispatch

/// Session-table updates at 1 million sessions: one iteration is 100 000 updates of random
/// sessions (a charged chunk's usage added in place), on one thread or split over two.
struct Usage: Sendable {
    var messages = 0
    var bytes = 0
}

let sessions = 1_000_000
let updatesPerIteration = 100_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(4),
        maxIterations: 10_000
    )
    let table = SessionTable<Usage>(shardCount: 64, expectedSessions: sessions)
    var keys: [SessionKey] = []
    keys.reserveCapacity(sessions)
    for i in 0..<sessions {
        let k = SessionKey("sess\(i)x9")!
        keys.append(k)
        table.insert(k, Usage())
    }
    let allKeys = keys
    // A fixed pseudo-random visiting order, made before timing.
    var order: [Int] = []
    var x: UInt64 = 0x1234_5678
    for _ in 0..<updatesPerIteration {
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        order.append(Int(x >> 33) % sessions)
    }
    let visit = order

    @Sendable func run(_ range: Range<Int>) {
        for j in range {
            _ = table.update(allKeys[visit[j]]) { u in
                u.messages &+= 1
                u.bytes &+= 100
            }
        }
    }

    Benchmark("table-update-1M-1thread-x100k") { benchmark in
        for _ in benchmark.scaledIterations { run(0..<updatesPerIteration) }
    }

    Benchmark("table-update-1M-2threads-x100k") { benchmark in
        for _ in benchmark.scaledIterations {
            DispatchQueue.concurrentPerform(iterations: 2) { t in
                run(t * updatesPerIteration / 2..<(t + 1) * updatesPerIteration / 2)
            }
        }
    }
}
