import Charging
import MSRP

/// How deep into the pipeline the engine takes each chunk (`msrpcharge bench --stages`).
/// Each stage does everything the one before it does, plus one step.
public enum PipelineStage: String, Sendable, CaseIterable, Codable {
    /// A plain `memchr` scan of the same reads for LF: the floor for touching every byte.
    case scan
    /// Parse and validate every chunk (RFC 4975 §7.1) and encode its 200 OK.
    case parse
    /// Also find the session in the sharded table and count the chunk there (charging off).
    case table
    /// Also run the Charging Enabler User: last-chunk trigger, interim limiter, requests to
    /// the enabler and their answers.
    case charging
}

/// Everything that shapes a run: the traffic, the charging, the enabler and the engine.
/// Durations are nanoseconds. ``validate()`` says what is wrong, with the offending value.
public struct WorkloadModel: Sendable {
    /// Concurrent MSRP sessions (one connection each).
    public var sessions = 100_000
    public var messageSizes = MessageSizeDistribution.fixed(100)
    /// Largest chunk body of a multi-chunk message.
    public var chunkSize = 2048
    /// Share of messages sent in several chunks (at least two); the rest go in one chunk,
    /// whatever their size (RFC 4975 §5.1 leaves chunking to the sender).
    public var multiChunkShare = 0.05
    /// Share of messages the sender aborts (flag `#`) half way.
    public var abortedShare = 0.01
    /// Share of messages sent with `Failure-Report: no` and with `partial` (the rest: `yes`,
    /// the default, which asks for a 200 OK per chunk; RFC 4975 §7.1.2).
    public var failureReportNoShare = 0.0
    public var failureReportPartialShare = 0.0
    /// How many bytes each read of a connection takes: its bytes are cut at arbitrary points
    /// within and across its messages, as TCP delivers them (RFC 4975 §7.1 leaves framing to
    /// the stream); ``ReadSizes/message`` reads one whole message at a time.
    public var readSizes = ReadSizes.uniform(64, 1448)
    /// The gap between a session's messages (each sends its next message that long after its
    /// previous one was due); nil: as fast as possible.
    public var messageInterval: AnswerLatency? = nil
    /// How long the timed phase runs, unless ``totalChunks`` is set.
    public var duration: Int64 = 15 * ChargingConfiguration.second
    /// Stop after this many chunks (across all workers) instead of after ``duration``.
    public var totalChunks: Int? = nil
    public var workers = 2
    /// Target rate in chunks per second across all workers; nil: as fast as possible.
    public var targetRate: Double? = nil
    public var seed: UInt64 = 1
    /// One read in this many is timed when running as fast as possible (a clock read costs
    /// about a tenth of a chunk). Every read is timed when paced.
    public var sampleEvery = 16
    public var shards = 256
    /// Share of each worker's sessions whose session-id lives in a shard only that worker uses
    /// (shard `s` belongs to worker `s mod workers`); the rest live in other workers' shards.
    /// An IM server chooses the session-id of the URI it answers with (RFC 4975 §6) and the
    /// port in it, so it can give each worker the sessions of its own shards; the rest stand
    /// for connections it could not place (reused connections, relays). 0: session-ids fall in
    /// shards at random, and a worker shares every lock with the others.
    public var shardAffinity = 0.9
    public var stage = PipelineStage.charging
    /// About how many bytes of message templates to build (every session's traffic is drawn
    /// from them, its session-id patched in).
    public var templateBytes = 64 << 20
    public var charging = ChargingConfiguration()
    public var enabler = EmbeddedEnablerConfiguration()
    /// Which part of the run this process makes (`--partition I/N`). The model describes the
    /// whole run: `sessions` of all partitions, `workers` per partition. Partition I runs the
    /// whole run's workers `I·workers ..< (I+1)·workers`, each with the sessions, ids, random
    /// streams and share of `--chunks` it has in the whole run.
    public var partition = Partition.whole

    /// Workers of the whole run, over every partition.
    public var totalWorkers: Int { workers * partition.count }
    /// The whole run's index of this partition's first worker.
    public var firstWorker: Int { partition.index * workers }
    /// Sessions this partition runs (all of them when whole).
    public var partitionSessions: Int {
        (firstWorker..<(firstWorker + workers)).reduce(0) { $0 + Self.sessions(ofWorker: $1, sessions, totalWorkers) }
    }

    /// Sessions of worker `w` of `n` when `total` are dealt round robin (session s to s % n).
    public static func sessions(ofWorker w: Int, _ total: Int, _ n: Int) -> Int { (total - w + n - 1) / n }

    public init() {}

    /// Checks every value, throwing on the first that cannot be used.
    public func validate() throws(WorkloadError) {
        func share(_ name: String, _ v: Double) throws(WorkloadError) {
            guard v >= 0, v <= 1 else { throw WorkloadError("\(name) must be from 0 to 1, got \(v)") }
        }
        guard sessions >= 1, sessions <= 50_000_000 else {
            throw WorkloadError("--sessions must be from 1 to 50000000, got \(sessions)")
        }
        guard messageSizes.largest <= MSRPParserLimits.default.maxBodyBytes else {
            throw WorkloadError(
                "message size \(messageSizes.largest) is over the parser's body limit of \(MSRPParserLimits.default.maxBodyBytes) bytes"
            )
        }
        guard chunkSize >= 1 else { throw WorkloadError("--chunk-size must be at least 1, got \(chunkSize)") }
        try share("--multi-chunk-share", multiChunkShare)
        try share("--aborted-share", abortedShare)
        try share("--failure-report-no", failureReportNoShare)
        try share("--failure-report-partial", failureReportPartialShare)
        guard failureReportNoShare + failureReportPartialShare <= 1 else {
            throw WorkloadError(
                "--failure-report-no plus --failure-report-partial must be at most 1, got \(failureReportNoShare + failureReportPartialShare)"
            )
        }
        try readSizes.validate()
        if let messageInterval {
            switch messageInterval {
            case .fixed(let d):
                guard d > 0 else {
                    throw WorkloadError("--message-interval must be more than 0 s, got \(Double(d) / 1e9)")
                }
            case .uniform(let lo, let hi):
                guard lo >= 0, lo <= hi, hi > 0 else {
                    throw WorkloadError(
                        "--message-interval range must be from 0 and not inverted, with an upper bound above 0: got \(Double(lo) / 1e9)-\(Double(hi) / 1e9) s"
                    )
                }
            case .exponential(let mean):
                guard mean > 0 else {
                    throw WorkloadError("--message-interval mean must be more than 0 s, got \(Double(mean) / 1e9)")
                }
            }
        }
        guard duration > 0 else {
            throw WorkloadError("--duration must be more than 0, got \(Double(duration) / 1e9) s")
        }
        if let totalChunks, totalChunks < 1 { throw WorkloadError("--chunks must be at least 1, got \(totalChunks)") }
        guard workers >= 1, workers <= 1024 else {
            throw WorkloadError("--workers must be from 1 to 1024, got \(workers)")
        }
        guard workers <= sessions else {
            throw WorkloadError(
                "--workers (\(workers)) must not exceed --sessions (\(sessions)): each worker needs a session"
            )
        }
        guard totalWorkers <= sessions else {
            throw WorkloadError(
                "--workers \(workers) in each of \(partition.count) partitions (\(totalWorkers)) must not exceed --sessions (\(sessions)): each worker needs a session"
            )
        }
        if let targetRate, !(targetRate > 0 && targetRate.isFinite) {
            throw WorkloadError("--rate must be a positive number of chunks per second, got \(targetRate)")
        }
        guard sampleEvery >= 1 else { throw WorkloadError("--sample-every must be at least 1, got \(sampleEvery)") }
        guard shards >= 1, shards <= 65536 else {
            throw WorkloadError("--shards must be from 1 to 65536, got \(shards)")
        }
        try share("--shard-affinity", shardAffinity)
        guard charging.defaultInterimInterval >= 0 else {
            throw WorkloadError(
                "--interim-interval must not be negative, got \(Double(charging.defaultInterimInterval) / 1e9) s"
            )
        }
        if let c = charging.interimCeilingPerSecond, !(c > 0 && c.isFinite) {
            throw WorkloadError("--interim-ceiling must be a positive number of requests per second, got \(c)")
        }
        guard charging.interimCeilingBurst >= 1 else {
            throw WorkloadError("--interim-ceiling-burst must be at least 1, got \(charging.interimCeilingBurst)")
        }
        guard charging.txTimeout > 0 else {
            throw WorkloadError("--tx-timeout must be more than 0, got \(Double(charging.txTimeout) / 1e9) s")
        }
        guard charging.requestedUnits >= 1 else { throw WorkloadError("--requested-units must be at least 1, got 0") }
        try enabler.validate()
        switch enabler.latency {
        case .fixed(let d):
            guard d >= 0 else { throw WorkloadError("--enabler-latency must not be negative, got \(d) ns") }
        case .uniform(let lo, let hi):
            guard lo >= 0, lo <= hi else {
                throw WorkloadError(
                    "--enabler-latency range is inverted or negative: \(Double(lo) / 1e6)-\(Double(hi) / 1e6) ms"
                )
            }
        case .exponential(let mean):
            guard mean >= 0 else { throw WorkloadError("--enabler-latency mean must not be negative, got \(mean) ns") }
        }
        guard enabler.grantedUnits >= 1 else { throw WorkloadError("--granted-units must be at least 1, got 0") }
        let largest = messageSizes.largest
        let chunksOfLargest = (largest + chunkSize - 1) / chunkSize
        let wireOfLargest = largest + 200 * max(1, chunksOfLargest)
        guard wireOfLargest <= templateBytes else {
            throw WorkloadError(
                "a message of \(largest) bytes in chunks of \(chunkSize) bytes (--size, --chunk-size) is \(chunksOfLargest) chunks, about \(wireOfLargest >> 20) MiB on the wire, over the \(templateBytes >> 20) MiB limit on one message: use a larger --chunk-size"
            )
        }
        guard (enabler.interimInterval ?? 0) >= 0, enabler.validityTime >= 0 else {
            throw WorkloadError("the enabler's interim interval and validity time must not be negative")
        }
    }
}

extension EmbeddedEnablerConfiguration {
    /// Refuses shares outside [0, 1], naming the option: for `bench`'s embedded enabler and for
    /// `msrpcharge enabler` alike.
    public func validate() throws(WorkloadError) {
        for (name, v) in [("--denial-share", denialShare), ("--timeout-share", timeoutShare)] where !(v >= 0 && v <= 1)
        {
            throw WorkloadError("\(name) must be from 0 to 1, got \(v)")
        }
    }
}
