import HistogramCodec
import RunReport
import Workload

/// A `load` report as it is saved (`--json`), read back (`merge`, `report`) and printed: the
/// run's counts, its delivery check, its latencies by name (`sessionSetUp`, `chunk`, `delivery`,
/// `bye`) with their histograms, and each second. `merge` makes one from the partitions' (
/// ``merged(_:names:)``).
public struct SavedLoadReport: Codable, Sendable {
    public var sessions: Int
    public var sessionsSetUp: Int
    public var setupFailures: [String: UInt64]
    public var setupSeconds: Double
    public var seconds: Double
    public var chunksSent: UInt64
    public var chunksPerSecond: Double
    public var responses: [String: UInt64]
    public var messagesSent: UInt64
    public var abortedSent: UInt64
    public var bytesSent: UInt64
    public var messagesDelivered: UInt64
    public var abortedDelivered: UInt64
    public var bytesDelivered: UInt64
    public var delivery: LoadReport.DeliveryCheck
    public var latency: [String: LatencySummary]
    public var rate: Double?
    public var window: Int
    public var generatorCPUSeconds: Double
    public var sendQueueFull: UInt64
    public var sessionUsage: [SessionUsage]?
    /// "load": tells a saved report from `bench`'s when it is read back.
    public var kind: String? = "load"
    /// `I/N` when one partition of a run; `sessions` is then the partition's, `totalSessions`
    /// the whole run's.
    public var partition: String? = nil
    public var totalSessions: Int? = nil
    /// BYEs unanswered when the teardown timed out.
    public var byesUnanswered: UInt64? = nil
    public var workload: String? = nil
    public var intervals: [Interval]? = nil
    public var failedConditions: [String]? = nil

    /// One second of the timed phase: SEND → 200 percentiles in µs.
    public typealias Interval = IntervalSummary
}

extension SavedLoadReport {
    /// The saved form of a run's report.
    /// - Parameters:
    ///   - workload: the workload as one line (reports of one run must agree on it to merge).
    ///   - failedConditions: the `--fail-if` conditions that held.
    ///   - sessions: whether to keep each session's usage (`--json-sessions`, for `reconcile`).
    public init(_ r: LoadReport, workload: String? = nil, failedConditions: [String] = [], sessions: Bool = false) {
        self.sessions = r.sessions
        sessionsSetUp = r.sessionsSetUp
        setupFailures = Dictionary(uniqueKeysWithValues: r.setupFailures.map { (String($0.key), $0.value) })
        setupSeconds = r.setupSeconds
        seconds = r.seconds
        chunksSent = r.chunksSent
        chunksPerSecond = r.chunksPerSecond
        responses = Dictionary(uniqueKeysWithValues: r.responses.map { (String($0.key), $0.value) })
        messagesSent = r.messagesSent
        abortedSent = r.abortedSent
        bytesSent = r.bytesSent
        messagesDelivered = r.messagesDelivered
        abortedDelivered = r.abortedDelivered
        bytesDelivered = r.bytesDelivered
        delivery = r.delivery
        latency = ["sessionSetUp": r.setup, "chunk": r.chunk, "delivery": r.messageDelivery, "bye": r.bye]
        rate = r.rate
        window = r.window
        generatorCPUSeconds = r.cpuSeconds
        sendQueueFull = r.sendQueueFull
        sessionUsage = sessions ? r.sessionUsage : nil
        self.workload = workload
        self.failedConditions = failedConditions
        partition = r.partition.isWhole ? nil : r.partition.description
        byesUnanswered = r.byesUnanswered
        intervals = r.intervals
    }

    /// The latencies' keys in the order the text and the `.hgrm` files list them.
    public static let latencyKeys = ["sessionSetUp", "chunk", "delivery", "bye"]
}
