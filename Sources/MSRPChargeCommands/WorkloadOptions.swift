import ArgumentParser
import Charging
import Foundation
import LoadEngine
import Workload

/// The command-line form of a ``WorkloadModel``: every option has the model's default.
public struct WorkloadOptions: ParsableArguments {
    @Option(help: "Concurrent MSRP sessions (one connection each).")
    var sessions = 100_000

    @Option(help: "Message body sizes in bytes: N, LO-HI (uniform), or SIZE:WEIGHT,SIZE:WEIGHT,…")
    var size = "100"

    @Option(help: "Largest chunk body of a multi-chunk message, in bytes.")
    var chunkSize = 2048

    @Option(help: "Share of messages sent in several chunks (at least two).")
    var multiChunkShare = 0.05

    @Option(help: "Share of messages aborted half way (flag #).")
    var abortedShare = 0.01

    @Option(help: "Share of messages with Failure-Report: no.")
    var failureReportNo = 0.0

    @Option(help: "Share of messages with Failure-Report: partial.")
    var failureReportPartial = 0.0

    @Option(
        help: ArgumentHelp(
            "Bytes each read of a connection takes: N, LO-HI (uniform), exp:MEAN, or message.",
            discussion:
                "Reads cut a connection's bytes anywhere, within and across its messages, as TCP delivers them; the next read goes on where the last one ended. 'message' reads one whole message at a time."
        )
    )
    var readSize = "64-1448"

    @Option(
        help: ArgumentHelp(
            "Seconds between a session's messages: N, LO-HI (uniform) or exp:MEAN (default: as fast as possible).",
            discussion:
                "Each session sends its next message that long after its previous one was due; latency counts from when each message was due (no coordinated omission)."
        )
    )
    var messageInterval: String?

    @Option(help: "Seconds the timed phase runs.")
    var duration = 15.0

    @Option(help: "Stop after this many chunks instead of after --duration.")
    var chunks: Int?

    @Option(help: "Worker threads (default: the CPUs online).")
    var workers: Int?

    @Option(
        help:
            "Target rate in chunks per second across all workers (default: as fast as possible). Latency then counts from when each message was due."
    )
    var rate: Double?

    @Option(help: "Seed of the traffic and of the enabler's choices.")
    var seed: UInt64 = 1

    @Option(
        help: ArgumentHelp(
            "Make partition I of N of the run, I/N from 0: its own sessions, ids and random streams.",
            discussion:
                "N generators with --partition 0/N … N-1/N make exactly the traffic of the one run (--sessions is the whole run's); msrpcharge merge joins their reports."
        )
    )
    var partition: String?

    @Option(help: "Partitions in all, the index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod).")
    var partitionCount: Int?

    @OptionGroup(title: "Charging")
    var charging: ChargingOptions

    @Option(help: "Shards of the session table.")
    var shards = 256

    @Option(
        help: ArgumentHelp(
            "Share of each worker's sessions whose session-id the server minted into a shard only that worker uses (0 to 1).",
            discussion:
                "The rest fall in other workers' shards, whose locks they then share. 0: session-ids land in shards at random."
        )
    )
    var shardAffinity = 0.9

    @Option(help: "Time one read in this many when running as fast as possible (paced runs time every read).")
    var sampleEvery = 16

    public init() {}

    static func seconds(_ name: String, _ v: Double) throws(WorkloadError) -> Int64 {
        guard v.isFinite, v >= 0, v < 1e9 else {
            throw WorkloadError("\(name) must be a number of seconds from 0, got \(v)")
        }
        return Int64(v * 1e9)
    }

    /// `N` (fixed), `LO-HI` (uniform) or `exp:MEAN`, in `unit`s of `nanoseconds` each.
    static func durations(
        _ name: String,
        _ text: String,
        unit: String,
        nanoseconds: Double
    ) throws(WorkloadError) -> AnswerLatency {
        let short = unit == "milliseconds" ? "ms" : "s"
        func value(_ s: Substring) throws(WorkloadError) -> Int64 {
            guard let v = Double(s), v.isFinite, v >= 0, v * nanoseconds < 1e16 else {
                throw WorkloadError("\(name): '\(s)' in '\(text)' is not a number of \(unit) from 0")
            }
            return Int64(v * nanoseconds)
        }
        if text.hasPrefix("exp:") { return .exponential(mean: try value(text.dropFirst(4))) }
        if let dash = text.firstIndex(of: "-") {
            let lo = try value(text[..<dash])
            let hi = try value(text[text.index(after: dash)...])
            guard lo <= hi else {
                throw WorkloadError(
                    "\(name) range '\(text)' is inverted: \(text[..<dash]) \(short) is more than \(text[text.index(after: dash)...]) \(short)"
                )
            }
            return .uniform(lo, hi)
        }
        return .fixed(try value(text[...]))
    }

    /// `--partition I/N`, or `--partition-count N` with the index from the environment; whole
    /// without either.
    func partitionChosen(environment: [String: String]) throws(WorkloadError) -> Partition {
        let given = try partition.map { text throws(WorkloadError) in try Partition(parsing: text) }
        guard let count = partitionCount else { return given ?? .whole }
        guard count >= 1 else { throw WorkloadError("--partition-count must be at least 1, got \(count)") }
        if let given {
            guard given.count == count else {
                throw WorkloadError("--partition \(given) and --partition-count \(count) disagree")
            }
            return given
        }
        return try Partition(count: count, environment: environment)
    }

    /// The model these options describe; throws with the offending value.
    public func model() throws(WorkloadError) -> WorkloadModel {
        var m = WorkloadModel()
        m.sessions = sessions
        m.messageSizes = try MessageSizeDistribution(parsing: size)
        m.chunkSize = chunkSize
        m.multiChunkShare = multiChunkShare
        m.abortedShare = abortedShare
        m.failureReportNoShare = failureReportNo
        m.failureReportPartialShare = failureReportPartial
        m.readSizes = try ReadSizes(parsing: readSize)
        m.messageInterval = try messageInterval.map { text throws(WorkloadError) in
            try Self.durations("--message-interval", text, unit: "seconds", nanoseconds: 1e9)
        }
        m.duration = try Self.seconds("--duration", duration)
        m.totalChunks = chunks
        m.workers = workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        m.targetRate = rate
        m.seed = seed
        m.shards = shards
        m.shardAffinity = shardAffinity
        m.sampleEvery = sampleEvery
        m.charging = try charging.configuration()
        m.enabler = try charging.enablerConfiguration(seed: seed)
        m.partition = try partitionChosen(environment: ProcessInfo.processInfo.environment)
        return m
    }
}
