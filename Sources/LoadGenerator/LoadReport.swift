import Histogram
import HistogramCodec
import RunReport
import Workload

/// What a `load` run measured, and its checks.
public struct LoadReport: Sendable {
    /// A latency distribution in microseconds (every report's one type).
    public typealias Latency = LatencySummary

    /// Every message's bytes reached its recipient once, in order, and every message ended as
    /// it was sent (`$` or `#`).
    public struct DeliveryCheck: Sendable, Codable, Equatable {
        public var ok: Bool
        public var detail: String

        public init(ok: Bool, detail: String) {
            self.ok = ok
            self.detail = detail
        }
    }

    /// One second of the timed phase: SEND → 200 (every report's one type).
    public typealias Interval = IntervalSummary

    public var intervals: [Interval]
    /// What each session sent, named by the server's session-id for it (`--json-sessions`).
    public var sessionUsage: [SessionUsage]
    /// Sessions this generator played (its partition's), and the partition.
    public var sessions: Int
    public var partition: Partition
    public var sessionsSetUp: Int
    public var setupFailures: [Int: UInt64]
    public var setupSeconds: Double
    public var seconds: Double
    public var chunksSent: UInt64
    public var chunksPerSecond: Double
    public var responses: [Int: UInt64]
    public var messagesSent: UInt64
    public var abortedSent: UInt64
    public var bytesSent: UInt64
    public var messagesDelivered: UInt64
    public var abortedDelivered: UInt64
    public var bytesDelivered: UInt64
    public var delivery: DeliveryCheck
    public var setup: Latency
    public var chunk: Latency
    public var messageDelivery: Latency
    public var bye: Latency
    public var rate: Double?
    public var window: Int
    /// The generator's own CPU over the whole run, and how often a connection could not take
    /// more (its send queue full): when these are high, the generator, not the target, limited.
    public var cpuSeconds: Double
    public var sendQueueFull: UInt64
    /// BYEs the target had not answered when the teardown timed out.
    public var byesUnanswered: UInt64
    /// The histograms themselves (for --hgrm).
    public var histograms: [(String, Histogram<UInt64>)]

    init(
        configuration c: LoadConfiguration,
        sessionsSetUp: Int,
        setupFailures: [Int: UInt64],
        setupSeconds: Double,
        seconds: Double,
        totals t: LoadTotals,
        setup: Histogram<UInt64>,
        bye: Histogram<UInt64>,
        cpuSeconds: Double,
        intervals: [Interval],
        sessionUsage: [SessionUsage]
    ) {
        self.intervals = intervals
        self.sessionUsage = sessionUsage
        sessions = c.sessionRange.count
        partition = c.model.partition
        self.sessionsSetUp = sessionsSetUp
        self.setupFailures = setupFailures
        self.setupSeconds = setupSeconds
        self.seconds = seconds
        chunksSent = t.chunksSent
        chunksPerSecond = seconds > 0 ? Double(t.chunksSent) / seconds : 0
        responses = t.responses
        messagesSent = t.messagesSent
        abortedSent = t.abortedSent
        bytesSent = t.bytesSent
        messagesDelivered = t.messagesDelivered
        abortedDelivered = t.abortedDelivered
        bytesDelivered = t.bytesDelivered
        var problems: [String] = []
        // Every recipient of a session gets every message (one, or a conference's).
        let k = UInt64(c.recipientsPerSession)
        if t.deliveryErrors > 0 {
            var line = "\(t.deliveryErrors) chunks out of place or altered; first: \(t.firstDeliveryError ?? "")"
            if let sender = t.firstResponseError, sender != t.firstDeliveryError {
                line += "; first failed response: \(sender)"
            }
            problems.append(line)
        }
        if t.messagesDelivered != t.messagesSent &* k {
            problems.append("\(t.messagesSent) messages sent to \(k) recipients each, \(t.messagesDelivered) delivered")
        }
        if t.abortedDelivered != t.abortedSent &* k {
            problems.append("\(t.abortedSent) aborted messages sent to \(k) each, \(t.abortedDelivered) arrived with #")
        }
        if t.bytesDelivered != t.bytesSent &* k {
            problems.append("\(t.bytesSent) bytes sent to \(k) recipients each, \(t.bytesDelivered) delivered")
        }
        if t.callersLost > 0 {
            problems.append(
                "\(t.callersLost) caller connections closed (by the target, or reset) before the run ended: their sessions' traffic stopped there"
            )
        }
        if t.callersUndrained > 0 {
            problems.append("\(t.callersUndrained) callers still waited for responses when the drain timed out")
        }
        if sessionsSetUp < c.sessionRange.count {
            problems.append("\(c.sessionRange.count - sessionsSetUp) sessions not set up")
        }
        delivery = DeliveryCheck(
            ok: problems.isEmpty,
            detail: problems.isEmpty
                ? "every message's bytes delivered once, in order (\(t.messagesSent) messages, \(t.abortedSent) aborted, \(t.bytesSent) bytes)"
                : problems.joined(separator: "; ")
        )
        self.setup = Latency(setup, name: "sessionSetUp")
        chunk = Latency(t.chunkLatency, name: "chunk")
        messageDelivery = Latency(t.deliveryLatency, name: "delivery")
        self.bye = Latency(bye, name: "bye")
        rate = c.model.targetRate
        window = c.window
        self.cpuSeconds = cpuSeconds
        sendQueueFull = t.sendQueueFull
        byesUnanswered = t.byesUnanswered
        histograms = [
            ("session-set-up", setup), ("chunk", t.chunkLatency), ("delivery", t.deliveryLatency), ("bye", bye),
        ]
    }
}
