/// What ``EngineWorker/prepare()`` builds for the phases after it: the pipeline's state, the
/// connections, the read buffer and, paced, the schedule. The caller of the phases owns it
/// (``EngineWorker/run(_:)``, ``EngineHarness``), so no phase can find it absent, and it is
/// freed when it goes.
struct PreparedEngine: ~Copyable {
    var state: EngineState
    let connections: UnsafeMutablePointer<EngineConnection>
    let count: Int
    let readBuffer: UnsafeMutableRawPointer
    let readBufferSize: Int
    /// The paced schedule (its times count from the start of the timed phase); nil unpaced.
    let schedule: PacingSchedule?

    deinit {
        state.deallocate()
        connections.deinitialize(count: count)
        connections.deallocate()
        readBuffer.deallocate()
    }
}

/// The one-second samples of the timed phase (``IntervalSample``): latency since the last
/// sample, and the totals at its end.
struct IntervalRecorder {
    var latency = LatencyHistograms.make(digits: .two)
    var samples: [IntervalSample] = []
    var nextSecond: Int64
    /// Requests the set-up made: an interval's requests are the timed phase's.
    let setUpRequests: UInt64

    init(start: Int64, setUpRequests: UInt64) {
        nextSecond = start &+ 1_000_000_000
        self.setUpRequests = setUpRequests
    }

    /// Takes a sample if a second ended by `now`.
    @inline(__always)
    mutating func tick(now: Int64, chunks: UInt64, _ state: borrowing EngineState) {
        guard now >= nextSecond else { return }
        append(chunks, state)
        nextSecond &+= 1_000_000_000
    }

    /// The last, partial second (or the only sample of a phase shorter than one).
    mutating func close(chunks: UInt64, _ state: borrowing EngineState) {
        if latency.totalCount > 0 || samples.isEmpty { append(chunks, state) }
    }

    private mutating func append(_ chunks: UInt64, _ state: borrowing EngineState) {
        samples.append(
            IntervalSample(
                second: samples.count + 1,
                chunks: chunks,
                messages: state.pipeline.counters.messages,
                bodyBytes: state.pipeline.counters.bodyBytes,
                requests: state.pipeline.charging.totalRequests &- setUpRequests,
                chunkLatency: latency
            )
        )
        latency.reset()
    }
}
