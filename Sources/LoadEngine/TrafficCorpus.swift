import Charging
import MSRP

/// One message of one session as its connection delivers it: a turn of the replay. The
/// counts come from how the message was built, not from parsing it, so the engine's counts
/// can be checked against them.
public struct TrafficTurn: Sendable, BitwiseCopyable {
    /// Index of the connection (session) in the worker's traffic.
    public var connection: UInt32
    /// Bytes on the wire.
    public var length: UInt32
    public var bodyBytes: UInt32
    public var chunks: UInt32
    /// The message ends with `$` (a completed message, one interim trigger).
    public var completed: Bool
    /// The Failure-Report of every chunk of the message (RFC 4975 §7.1.2).
    public var failureReport: FailureReport

    /// Chunks whose Failure-Report asks for a 200 OK: all of them, or none.
    @inlinable public var successResponses: UInt32 { failureReport == .yes ? chunks : 0 }
}

/// What a stretch of traffic contains.
public struct TrafficCounts: Sendable, Equatable, Codable {
    public var chunks: UInt64 = 0
    public var messages: UInt64 = 0
    public var abortedMessages: UInt64 = 0
    public var bodyBytes: UInt64 = 0
    public var wireBytes: UInt64 = 0
    public var successResponses: UInt64 = 0
    /// Chunks whose Failure-Report is `partial` (those with `no` are the rest).
    public var partialReportChunks: UInt64 = 0

    public init() {}

    mutating func add(_ t: TrafficTurn) {
        chunks &+= UInt64(t.chunks)
        if t.completed { messages &+= 1 } else { abortedMessages &+= 1 }
        bodyBytes &+= UInt64(t.bodyBytes)
        wireBytes &+= UInt64(t.length)
        successResponses &+= UInt64(t.successResponses)
        if t.failureReport == .partial { partialReportChunks &+= UInt64(t.chunks) }
    }

    public static func += (a: inout TrafficCounts, b: TrafficCounts) {
        a.chunks &+= b.chunks
        a.messages &+= b.messages
        a.abortedMessages &+= b.abortedMessages
        a.bodyBytes &+= b.bodyBytes
        a.wireBytes &+= b.wireBytes
        a.successResponses &+= b.successResponses
        a.partialReportChunks &+= b.partialReportChunks
    }

    static func * (a: TrafficCounts, n: Int) -> TrafficCounts {
        var r = a
        let k = UInt64(n)
        r.chunks &*= k
        r.messages &*= k
        r.abortedMessages &*= k
        r.bodyBytes &*= k
        r.wireBytes &*= k
        r.successResponses &*= k
        r.partialReportChunks &*= k
        return r
    }
}

/// One worker's pre-encoded traffic: the MSRP bytes of one round (every session's messages,
/// interleaved in a random order, each message contiguous as one connection's reads would
/// deliver it), replayed round after round. Built before timing starts.
public final class WorkerTraffic: @unchecked Sendable {
    /// The round's bytes, in turn order.
    public let bytes: UnsafeMutableRawBufferPointer
    public let turns: [TrafficTurn]
    /// The session of each connection.
    public let sessionKeys: [SessionKey]
    public let roundCounts: TrafficCounts
    public let messagesPerSessionPerRound: Int

    init(bytes: [UInt8], turns: [TrafficTurn], sessionKeys: [SessionKey], messagesPerSession: Int) {
        // Page-aligned, so reads start where a socket buffer would.
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 4096)
        bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
        self.bytes = UnsafeMutableRawBufferPointer(rebasing: raw[0..<bytes.count])
        self.turns = turns
        self.sessionKeys = sessionKeys
        messagesPerSessionPerRound = messagesPerSession
        var c = TrafficCounts()
        for t in turns { c.add(t) }
        roundCounts = c
    }

    deinit { UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate() }

    /// The traffic in `rounds` whole rounds and then the first `turns` turns of the next.
    public func counts(rounds: Int, turns partial: Int) -> TrafficCounts {
        var c = roundCounts * rounds
        for t in turns[0..<partial] { c.add(t) }
        return c
    }
}

/// Builds the traffic of a ``WorkloadModel`` with ``MSRPWriter``.
public enum TrafficBuilder {
    /// The session-id of session `index` of a model, as the server minted it: `s`, the index in
    /// base 36 (padded), and, when the model asks for shard affinity, `-` and the first counter
    /// (base 36) that puts the id in a shard of the right owner. Worker `w` of `n` serves sessions
    /// `w, w + n, w + 2n, …`; a share ``WorkloadModel/shardAffinity`` of them, chosen by a hash
    /// of the index, gets an id in one of the worker's own shards (`shard mod n == w`), the rest
    /// one in another worker's.
    public static func sessionID(_ index: Int, _ m: WorkloadModel) -> String {
        let digits = String(index, radix: 36)
        let base = "s" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
        let n = m.workers
        let shardCount = SessionTable<ChargingSession>.roundedShardCount(m.shards)
        guard m.shardAffinity > 0, n > 1, shardCount >= n else { return base }
        let worker = index % n
        var pick = SplitMix64(seed: m.seed ^ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
        let own = pick.unit() < m.shardAffinity
        var counter = 0
        while true {
            let id = base + "-" + String(counter, radix: 36)
            let shard = SessionTable<ChargingSession>.shardIndex(SessionKey(id)!, shardCount: shardCount)
            if (shard % n == worker) == own { return id }
            counter += 1
        }
    }

    /// Estimated wire bytes of one message (headers are about 160 bytes a chunk).
    static func estimatedMessageBytes(_ m: WorkloadModel) -> Double {
        let mean = m.messageSizes.mean
        let multiChunks = max(2, (mean / Double(m.chunkSize)).rounded(.up))
        return mean + 170 * (1 + m.multiChunkShare * (multiChunks - 1))
    }

    /// Messages each session sends per round: as many as fit in ``WorkloadModel/corpusTarget``
    /// per worker and in ``WorkloadModel/corpusLimit`` in all, from 1 to 16.
    public static func messagesPerSession(_ m: WorkloadModel) -> Int {
        let perWorker = Double((m.sessions + m.workers - 1) / m.workers)
        let byTarget = Double(m.corpusTarget) / (perWorker * estimatedMessageBytes(m))
        let byLimit = Double(m.corpusLimit) / (Double(m.sessions) * estimatedMessageBytes(m))
        return Int(max(1, min(16, byTarget.rounded(.down), byLimit.rounded(.down))))
    }

    /// Checks that one round of traffic fits in ``WorkloadModel/corpusLimit``.
    public static func checkSize(_ m: WorkloadModel) throws(WorkloadError) {
        let total = Double(m.sessions) * estimatedMessageBytes(m) * Double(messagesPerSession(m))
        if total > Double(m.corpusLimit) {
            throw WorkloadError(
                "one round of traffic (\(m.sessions) sessions × \(messagesPerSession(m)) messages of \(m.messageSizes) bytes) needs about \(Int(total) >> 20) MiB, over the \(m.corpusLimit >> 20) MiB limit: use fewer --sessions or smaller messages"
            )
        }
    }

    /// The traffic of worker `worker`.
    public static func build(_ m: WorkloadModel, worker: Int) -> WorkerTraffic {
        var rng = SplitMix64(seed: m.seed &+ UInt64(worker + 1) &* 0x9E37_79B9_7F4A_7C15)
        // One chunker, pointed at each message's connection in turn.
        var chunker = MSRPMessageChunker(
            toPath: "",
            fromPath: "",
            ids: TransactionIDGenerator(seed: rng.next(), length: 10)
        )
        let k = messagesPerSession(m)
        let indices = Array(stride(from: worker, to: m.sessions, by: m.workers))
        let ids = indices.map { sessionID($0, m) }
        let keys = ids.map { SessionKey($0)! }
        let toPaths = ids.map { Array("msrp://im.example.net:2855/\($0);tcp".utf8) }
        let fromPaths = zip(indices, ids).map { Array("msrp://ua\($0).example.com:2855/u\($1);tcp".utf8) }
        // Each session's k messages, in an order shuffled across sessions.
        var order = [UInt32](repeating: 0, count: indices.count * k)
        for i in order.indices { order[i] = UInt32(i % indices.count) }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let body = [UInt8]((0..<m.messageSizes.largest).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(Double(order.count) * estimatedMessageBytes(m) * 1.1))
        var turns: [TrafficTurn] = []
        turns.reserveCapacity(order.count)
        var messageNumber = 0
        for connection in order {
            let c = Int(connection)
            let size = m.messageSizes.sample(rng.unit())
            let multi = rng.unit() < m.multiChunkShare && size >= 2
            let aborted = rng.unit() < m.abortedShare
            let u = rng.unit()
            let report: FailureReport? =
                u < m.failureReportNoShare
                ? .no : u < m.failureReportNoShare + m.failureReportPartialShare ? .partial : nil
            // Chunk boundaries: pieces of chunkSize, or two halves of a message that fits one.
            let step = multi ? (size > m.chunkSize ? m.chunkSize : (size + 1) / 2) : size
            let chunkCount = (size + step - 1) / step
            // An aborted message stops after half its chunks (half its body if it has one).
            let sent = aborted ? max(1, chunkCount / 2) : chunkCount
            let lastEnd = !aborted ? size : chunkCount == 1 ? (size + 1) / 2 : sent * step
            messageNumber += 1
            let digits = String(messageNumber, radix: 36)
            let mid = Array(("msg" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits).utf8)
            let start = bytes.count
            chunker.toPath = toPaths[c]
            chunker.fromPath = fromPaths[c]
            chunker.failureReport = report
            var turn = TrafficTurn(
                connection: connection,
                length: 0,
                bodyBytes: 0,
                chunks: UInt32(sent),
                completed: !aborted,
                failureReport: report ?? .yes
            )
            for piece in 0..<sent {
                let from = piece * step
                let to = piece == sent - 1 ? lastEnd : min(size, from + step)
                let flag: ContinuationFlag = piece < sent - 1 ? .more : (aborted ? .aborted : .end)
                chunker.appendChunk(of: body, range: from..<to, total: size, messageID: mid, flag: flag, to: &bytes)
                turn.bodyBytes += UInt32(to - from)
            }
            turn.length = UInt32(bytes.count - start)
            turns.append(turn)
        }
        return WorkerTraffic(bytes: bytes, turns: turns, sessionKeys: keys, messagesPerSession: k)
    }
}
