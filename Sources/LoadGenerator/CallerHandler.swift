import Charging
import MSRP
import NIOCore
import Workload

/// What every caller connection shares: the traffic model, the body pattern, the clock plan.
final class SendPlan: Sendable {
    let model: WorkloadModel
    let body: MessageBody
    let window: Int
    /// Chunks per second for one connection (nil: as many as the window allows).
    let perConnectionRate: Double?
    /// A timer per loop sends what is due (`--rate`, `--message-interval`).
    let paced: Bool

    init(model: WorkloadModel, window: Int, sessions: Int) {
        self.model = model
        body = MessageBody(largestChunk: max(model.chunkSize, model.messageSizes.largest))
        self.window = window
        perConnectionRate = model.targetRate.map { $0 / Double(max(1, sessions)) }
        paced = model.targetRate != nil || model.messageInterval != nil
    }
}

/// A caller's MSRP connection to the target (the caller is the active side, RFC 4975 §5.4):
/// it sends the session's messages chunk by chunk, keeping at most `window` responses
/// outstanding, or at its share of `--rate` (open loop: latency from when each chunk was due,
/// so a stalled target shows as latency, not as fewer samples; coordinated omission, wrk2).
/// With a rate, one timer per event loop pumps all its connections every millisecond.
///
/// Confined to its channel's event loop. Nothing is allocated per chunk: a chunk is written
/// into the connection's buffer from the shared body pattern, its Message-ID and transaction
/// id into fixed scratch bytes, and its due time into a ring.
final class CallerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let session: Int
    let plan: SendPlan
    let toPath: [UInt8]
    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (a swift_beginAccess per access; its cost is measured in docs/performance.md).
    /// Our URI; through a relay it carries the connection's own port, known once it is up.
    @exclusivity(unchecked) var fromPath: [UInt8]
    let fromPathFromLocalPort: Bool
    @exclusivity(unchecked) var rng: SplitMix64
    /// Its loop's figures.
    let stats: LoopStats
    @exclusivity(unchecked) var parser = MSRPChunkParser(tailCapacity: 0)
    @exclusivity(unchecked) var out: ByteBuffer
    @exclusivity(unchecked) var context: ChannelHandlerContext?

    // The message being sent.
    @exclusivity(unchecked) var message: MessagePlan? = nil
    @exclusivity(unchecked) var piece = 0
    @exclusivity(unchecked) var messageNumber = 0
    @exclusivity(unchecked) var messageID = [UInt8](repeating: 0, count: MessageID.length)
    @exclusivity(unchecked) var tid = [UInt8](repeating: 0, count: 10)
    @exclusivity(unchecked) var transactions: UInt64 = 0

    // Responses outstanding: due (or sent) times of chunks that asked for one, in order.
    @exclusivity(unchecked) var ring: [Int64]
    /// The transaction number of each chunk in `ring` (0 once answered): responses are matched
    /// by transaction id, not by order.
    @exclusivity(unchecked) var ringTransactions: [UInt64]
    /// Where the current message's body starts in the pattern (its session and number's key).
    @exclusivity(unchecked) var messageKey = 0
    @exclusivity(unchecked) var head = 0
    @exclusivity(unchecked) var outstanding = 0

    // What this session sent: its usage, as the server should have accepted it.
    @exclusivity(unchecked) var sessionMessages: UInt64 = 0
    @exclusivity(unchecked) var sessionAborted: UInt64 = 0
    @exclusivity(unchecked) var sessionBytes: UInt64 = 0

    // --message-interval: when the message under way and the next one are due.
    @exclusivity(unchecked) var messageDue: Int64 = 0
    @exclusivity(unchecked) var nextMessageDue: Int64 = 0

    // Phases.
    @exclusivity(unchecked) var startedAt: Int64 = 0
    @exclusivity(unchecked) var sentSinceStart = 0
    @exclusivity(unchecked) var running = false
    @exclusivity(unchecked) var stopping = false
    /// The last pump stopped at the window with chunks due.
    @exclusivity(unchecked) var windowFull = false
    @exclusivity(unchecked) var onDrained: (() -> Void)? = nil
    /// The connection closed: by the target, or reset (a full accept queue drops the final
    /// ACK of a connection the client already counts as up); `lostBeforeEnd` when that
    /// happened before the run ended. Its session is lost, and counted so, not waited for.
    @exclusivity(unchecked) var closed = false
    @exclusivity(unchecked) var lostBeforeEnd = false

    init(
        session: Int,
        plan: SendPlan,
        toPath: [UInt8],
        fromPath: [UInt8],
        fromPathFromLocalPort: Bool = false,
        allocator: ByteBufferAllocator,
        stats: LoopStats
    ) {
        self.session = session
        self.stats = stats
        self.plan = plan
        self.toPath = toPath
        self.fromPath = fromPath
        self.fromPathFromLocalPort = fromPathFromLocalPort
        rng = SplitMix64(seed: plan.model.seed ^ (UInt64(session) &* 0xD1B5_4A32_D192_ED03))
        // Empty until the first chunk: thousands of sessions are set up before any sends, and
        // touching a buffer per connection then costs the kernel a page-zeroing each.
        out = allocator.buffer(capacity: 0)
        ring = [Int64](repeating: 0, count: max(16, plan.window * 2 + 64))
        ringTransactions = [UInt64](repeating: 0, count: ring.count)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        if fromPathFromLocalPort, let local = context.channel.localAddress, let host = local.ipAddress,
            let port = local.port
        {
            fromPath = Array("msrp://\(host):\(port)/lc\(session);tcp".utf8)
        }
        context.fireChannelActive()
    }

    /// Starts the timed phase at `start` (every connection gets the same).
    func start(at start: Int64) {
        startedAt = start
        running = true
        pump()
    }

    /// Ends the timed phase: the message under way is finished, then nothing more is sent;
    /// `drained` runs when every response has come.
    func stop(drained: @escaping () -> Void) {
        stopping = true
        onDrained = drained
        pump()
        checkDrained()
    }

    func checkDrained() {
        guard stopping, closed || (message == nil && outstanding == 0), let d = onDrained else { return }
        onDrained = nil
        d()
    }

    /// Sends what the window (or the rate) allows now.
    func pump() {
        guard running, let context else { return }
        let now = monotonicNanoseconds()
        var wrote = false
        windowFull = false
        while true {
            if message == nil {
                if stopping { break }
                if let quota = plan.model.totalChunks, sentSinceStart >= quota / max(1, plan.model.sessions) { break }
                if let interval = plan.model.messageInterval {
                    // --message-interval: each message is due that long after the previous one
                    // was due; it waits until then, and its chunks' latency counts from then.
                    if nextMessageDue == 0 {
                        nextMessageDue = startedAt &+ Int64(rng.unit() * Double(interval.sample(rng.unit())))
                    }
                    if nextMessageDue > now { break }
                    messageDue = nextMessageDue
                    nextMessageDue &+= max(1, interval.sample(rng.unit()))
                }
                message = MessagePlan(plan.model, &rng)
                piece = 0
                messageNumber += 1
            }
            guard let m = message else { break }
            let expects = (m.report ?? .yes) == .yes
            if expects && outstanding >= min(plan.window, ring.count - 1) {
                windowFull = true
                break
            }
            var due = plan.model.messageInterval == nil ? now : messageDue
            if let rate = plan.perConnectionRate {
                due = startedAt &+ Int64(Double(sentSinceStart) / rate * 1e9)
                if due > now { break }
            } else if plan.perConnectionRate == nil && !expects && out.readableBytes > 256 * 1024 {
                break  // chunks that ask for no response: bounded by the buffer instead
            }
            if !context.channel.isWritable {
                stats.figures.sendQueueFull &+= 1
                break
            }
            writeChunk(m, due: due, now: now, expects: expects)
            wrote = true
        }
        if wrote { flush() }
    }

    func writeChunk(_ m: MessagePlan, due: Int64, now: Int64, expects: Bool) {
        let range = m.range(piece)
        let flag = m.flag(piece)
        if piece == 0 {
            messageID.withUnsafeMutableBytes {
                MessageID.write(session: session, number: messageNumber, sentAt: now, into: $0)
            }
            messageKey = MessageBody.key(session: session, number: messageNumber)
        }
        transactions &+= 1
        let v = transactions
        _ = tid.withUnsafeMutableBytes { CountedIdent.write(prefix: UInt8(ascii: "c"), v, into: $0) }
        let body = plan.body.bytes(range, key: messageKey)
        tid.withUnsafeBytes { t in
            toPath.withUnsafeBytes { to in
                fromPath.withUnsafeBytes { from in
                    messageID.withUnsafeBytes { mid in
                        Self.contentType.withUnsafeBytes { ct in
                            let chunk = MSRPWriter.SendChunk(
                                transactionID: t,
                                toPath: to,
                                fromPath: from,
                                messageID: mid,
                                byteRange: ByteRange(start: range.lowerBound + 1, end: range.upperBound, total: m.size),
                                contentType: ct,
                                failureReport: m.report,
                                body: body,
                                flag: flag
                            )
                            let n = MSRPWriter.sendLength(chunk)
                            if out.writableBytes < n {
                                out.reserveCapacity(max(out.capacity * 2, out.writerIndex + n, 16 * 1024))
                            }
                            out.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { p in
                                MSRPWriter.writeSend(chunk, into: p, at: 0) ?? 0
                            }
                        }
                    }
                }
            }
        }
        stats.figures.chunksSent &+= 1
        stats.figures.bytesSent &+= UInt64(range.count)
        sessionBytes &+= UInt64(range.count)
        sentSinceStart += 1
        if expects {
            stats.figures.chunksExpectingResponse &+= 1
            ring[(head + outstanding) % ring.count] = due
            ringTransactions[(head + outstanding) % ring.count] = transactions
            outstanding += 1
        }
        piece += 1
        if piece == m.sent {
            if m.aborted {
                stats.figures.abortedSent &+= 1
                sessionAborted &+= 1
            } else {
                stats.figures.messagesSent &+= 1
                sessionMessages &+= 1
            }
            message = nil
        }
    }

    static let contentType = Array("text/plain".utf8)

    func flush() {
        guard let context, out.readableBytes > 0 else { return }
        let bytes = out
        out = context.channel.allocator.buffer(capacity: 0)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let now = monotonicNanoseconds()
        buffer.withUnsafeReadableBytes { bytes in
            try? parser.parse(bytes) { frame in
                guard frame.isResponse else { return }
                let status = frame.statusCode ?? 0
                stats.figures.responses[status, default: 0] &+= 1
                answered(Self.transactionNumber(frame.transactionID.buffer), status: status, now: now)
            }
        }
    }

    /// Our transaction ids: `c` and nine base-36 digits of the connection's count; 0 for any
    /// other (never one of ours).
    static func transactionNumber(_ id: UnsafeRawBufferPointer) -> UInt64 {
        guard id.count == 10, id[0] == UInt8(ascii: "c") else { return 0 }
        return CountedIdent.value(id, 1..<10) ?? 0
    }

    /// A response to transaction `t`: the chunk it answers is found among those outstanding
    /// (in order it is the oldest; a relay may answer out of order). A response nobody awaits
    /// (repeated, forged) and one that is not 200 (the chunk failed) are delivery errors.
    @inline(__always)
    func answered(_ t: UInt64, status: Int, now: Int64) {
        var j = 0
        while j < outstanding && ringTransactions[(head + j) % ring.count] != t { j += 1 }
        guard t != 0, j < outstanding else {
            stats.responseError("a \(status) response to transaction c\(String(t, radix: 36)), which no chunk awaits (repeated or forged)")
            return
        }
        let slot = (head + j) % ring.count
        if status != 200 {
            stats.responseError("chunk c\(String(t, radix: 36)) of session \(session) answered \(status), not 200: the chunk failed")
        }
        stats.record(&stats.figures.chunkLatency, now &- ring[slot])
        stats.record(&stats.intervalLatency, now &- ring[slot])
        ringTransactions[slot] = 0
        while outstanding > 0 && ringTransactions[head] == 0 {
            head = (head + 1) % ring.count
            outstanding -= 1
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Paced, the loop's timer sends what is due every millisecond. Responses arrive all
        // the time, and pumping on each read sent one or two chunks a write: twice the
        // writes, and the machine full at half the windowed rate. A read pumps only when the
        // window held chunks back. Latency still counts from each chunk's due time.
        if !plan.paced || windowFull || stopping { pump() }
        checkDrained()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        running = false
        closed = true
        if !stopping { lostBeforeEnd = true }
        if stopping, let d = onDrained {
            onDrained = nil
            d()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
