import Benchmark
import Charging
import LoadEngine

/// The engine's hot loop on one thread, as `msrpcharge bench` runs it (parse every chunk,
/// find its session, charge it, encode its 200 OK), at 100 000 sessions of 100-byte
/// messages: one iteration is 100 000 chunks. The gate is `mallocCountTotal`: the traffic,
/// the sessions and the connections are built before measuring, so what remains per
/// iteration is a constant few (the worker's per-run bookkeeping), none per chunk.
let chunksPerIteration = 100_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 1000
    )
    for stage in [PipelineStage.parse, .table, .charging] {
        var model = WorkloadModel()
        model.workers = 1
        model.stage = stage
        if stage != .charging { model.charging.mode = .off }
        let harness = try! EngineHarness(model)
        // One pass first, so every connection's first-read allocations are behind us.
        harness.run(chunks: chunksPerIteration * 4)
        Benchmark("engine-\(stage.rawValue)-100k-sessions-x100k-chunks") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(harness.run(chunks: chunksPerIteration))
            }
        }
    }
}
