import Charging
import ChannelSupport
import ChargingPipeline
import Logging
import MSRP
import NIOCore
import NIOPosix

/// One event loop's share of the IM server's media path: its MSRP listener and connections,
/// the legs whose session-ids it minted, and its own charging pipeline (the per-chunk path the
/// bench measures: parse, session table, Charging Enabler User, enabler seam).
///
/// Confined to `loop`: handlers and tasks on that loop are the only callers, so nothing here
/// takes a lock but the session table's shard lock inside the pipeline.
final class MSRPWorker<Client: ChargingEnablerClient>: @unchecked Sendable {
    let index: Int
    let loop: EventLoop
    let configuration: IMServerConfiguration
    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (swift_beginAccess, its access set and a TLS lookup were 5 % of serve's CPU when paced).
    @exclusivity(unchecked) var pipeline: MSRPChargingPipeline<Client>
    @exclusivity(unchecked) var legs: [LegID: MSRPLeg] = [:]
    @exclusivity(unchecked) var sessions: [SessionKey: ServedSession] = [:]
    /// Connections with bytes to flush when the current read completes.
    @exclusivity(unchecked) var queued: [MSRPConnection] = []
    @exclusivity(unchecked) var responses: MSRPResponseBuffer
    @exclusivity(unchecked) var signals: [SessionSignal] = []
    @exclusivity(unchecked) var counters = MediaCounters()
    /// The next wake-up armed for answers and timers, and its deadline.
    @exclusivity(unchecked) var wakeUp: Scheduled<Void>? = nil
    @exclusivity(unchecked) var wakeUpAt: Int64 = .max
    /// Answers come from another thread (a Diameter client): look for them at least this often
    /// while requests are out.
    let answerPoll: Int64?
    /// Where worker events go (set once before the worker runs).
    var events: @Sendable (WorkerEvent) -> Void = { _ in }
    /// The port this worker's listener is bound to.
    var boundPort = 0
    var listener: Channel? = nil
    let logger: Logger

    init(
        index: Int,
        loop: EventLoop,
        configuration: IMServerConfiguration,
        table: SessionTable<ChargingSession>,
        user: ChargingEnablerUser,
        client: Client,
        answerPoll: Int64?,
        logger: Logger
    ) {
        self.index = index
        self.loop = loop
        self.configuration = configuration
        pipeline = MSRPChargingPipeline(
            table: table,
            user: user,
            client: client,
            keepClosedSessions: configuration.keepClosedSessions,
            capacity: 1 << 12,
            sessions: configuration.expectedSessions / max(1, configuration.workers)
        )
        responses = MSRPResponseBuffer(
            storage: UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        )
        self.answerPoll = answerPoll
        self.logger = logger
    }

    deinit { responses.storage.deallocate() }

    /// The URI the server hands out for a leg: `msrp://HOST:PORT/ID;tcp` (RFC 4975 §6).
    func uri(_ id: LegID) -> [UInt8] {
        Array("msrp://\(configuration.msrpHost):\(boundPort)/\(id);tcp".utf8)
    }

    // MARK: Sessions (from the SIP side)

    /// A new session with legs `ids` (the caller's first, minted by the SIP side in this
    /// worker's shards): the session enters the charging table (the INVITE step of seed 001).
    func open(ids: [LegID], callerPath: [UInt8], now: Int64) {
        loop.preconditionInEventLoop()
        guard let charged = ids.first, sessions[charged] == nil, !ids.contains(where: { legs[$0] != nil }) else {
            return
        }
        legs[charged] = MSRPLeg(
            charged: charged,
            localURI: uri(charged),
            remotePath: callerPath,
            connection: nil,
            peers: Array(ids.dropFirst())
        )
        for id in ids.dropFirst() {
            legs[id] = MSRPLeg(charged: charged, localURI: uri(id), remotePath: [], connection: nil, peers: [charged])
        }
        sessions[charged] = ServedSession(legs: ids)
        pipeline.invite(charged, now: now)
        afterWork(now)
    }

    /// A recipient answered with its MSRP path: connect to it (the server is the offerer on
    /// that leg, so it is the active side, RFC 4975 §5.4), bind the connection with an empty
    /// SEND, and tell the Charging Enabler User the recipient answered.
    func recipientAnswered(_ leg: LegID, path: [UInt8]) {
        loop.preconditionInEventLoop()
        guard let l = legs[leg] else { return }
        l.remotePath = path
        let target = MSRPURI.firstHop(of: path)
        guard let (host, port) = target else {
            events(.recipientUnreachable(l.charged, leg, "the recipient's MSRP path has no usable first URI"))
            return
        }
        let worker = self
        let charged = l.charged
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(
                .writeBufferWaterMark,
                value: .init(
                    low: configuration.writeBufferHighWatermark / 2,
                    high: configuration.writeBufferHighWatermark
                )
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MSRPChannelHandler(worker: worker, outboundSide: true)
                    )
                }
            }
            // A literal address is connected to directly; a name is resolved off the loop.
            .connect(literalOrName: host, port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    worker.connected(leg, channel)
                case .failure(let error):
                    worker.events(.recipientUnreachable(charged, leg, "cannot connect to \(host):\(port): \(error)"))
                }
            }
    }

    func connected(_ leg: LegID, _ channel: Channel) {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: MSRPChannelHandler<Client>.self),
            let connection = handler.connection, let l = legs[leg]
        else {
            channel.close(promise: nil)
            return
        }
        l.connection = connection
        connection.legs.append(leg)
        // The binding SEND (RFC 4975 §5.4, §7.1: a SEND with no body).
        let messageID = Array("b\(leg)".utf8)
        withNextTransaction(l, leg) { tid, to, from in
            messageID.withUnsafeBytes { mid in
                let chunk = MSRPWriter.SendChunk(
                    transactionID: tid,
                    toPath: to,
                    fromPath: from,
                    messageID: mid,
                    byteRange: ByteRange(start: 1, end: 0, total: 0),
                    contentType: UnsafeRawBufferPointer(start: nil, count: 0),
                    body: UnsafeRawBufferPointer(start: nil, count: 0),
                    flag: .end
                )
                write(chunk, to: connection)
            }
        }
        flushQueued()
        let now = monotonicNanoseconds()
        guard var s = sessions[l.charged] else { return }
        s.connectedRecipients += 1
        let all = s.connectedRecipients == s.legs.count - 1
        if all && !s.recipientAnswered {
            s.recipientAnswered = true
            sessions[l.charged] = s
            pipeline.recipientAnswered(l.charged, now: now)
        } else {
            sessions[l.charged] = s
        }
        afterWork(now)
    }

    /// The session ends (a BYE, a CANCEL, charging, or the media under it): CH-1 stop and
    /// CH-2 termination carry what is not yet reported, and the legs' connections close.
    func end(_ charged: SessionKey) {
        loop.preconditionInEventLoop()
        guard var s = sessions[charged], !s.ended else { return }
        s.ended = true
        sessions[charged] = nil
        let now = monotonicNanoseconds()
        pipeline.endSession(charged, now: now)
        for id in s.legs {
            guard let l = legs.removeValue(forKey: id) else { continue }
            if let c = l.connection {
                c.legs.removeAll { $0 == id }
                if c.legs.isEmpty && !c.closed {
                    flush(c)
                    c.closed = true
                    c.channel.close(promise: nil)
                }
            }
        }
        counters.sessionsEnded &+= 1
        afterWork(now)
    }

    /// Sessions still open.
    var openSessions: [SessionKey] { Array(sessions.keys) }

    // MARK: Answers, timers, signals

    /// After any work: take answers and timers that are due, pass SIP steps on, arm the next
    /// wake-up.
    @_specialize(exported:false,where Client == EmbeddedChargingEnabler)
    @_specialize(exported:false,where Client == RemoteEnablerClient)
    func afterWork(_ now: Int64) {
        if pipeline.hasDue(at: now) { pipeline.poll(now: now) }
        if !pipeline.signals.isEmpty {
            pipeline.takeSignals(into: &signals)
            for s in signals { events(.signal(s)) }
        }
        arm(now)
    }

    @_specialize(exported:false,where Client == EmbeddedChargingEnabler)
    @_specialize(exported:false,where Client == RemoteEnablerClient)
    func arm(_ now: Int64) {
        guard var due = pipeline.nextDue else { return }
        if let answerPoll { due = min(due, now &+ answerPoll) }
        due = max(due, now &+ 50_000)  // never busy-spin: at most one wake-up per 50 µs
        guard due < wakeUpAt else { return }
        wakeUp?.cancel()
        wakeUpAt = due
        let worker = self
        wakeUp = loop.scheduleTask(in: .nanoseconds(due &- now)) {
            worker.wakeUpAt = .max
            worker.wakeUp = nil
            worker.afterWork(monotonicNanoseconds())
        }
    }

    /// Requests in flight or charging timers armed (shutdown waits for the first to drain).
    var hasPendingCharging: Bool {
        pipeline.dispatcher.inFlight > 0 || pipeline.nextDue == .min
    }

    // MARK: Helpers

    /// A fresh transaction id for a request the server sends on `leg`: `t` and the leg's
    /// counter in 9 base-36 digits (RFC 4975 §7.1: unique in the session's context, 4 to 32
    /// characters, §9).
    static func transactionID(_ counter: inout UInt64, leg: LegID, into tid: inout (UInt64, UInt64)) -> Int {
        counter &+= 1
        let v = counter
        return withUnsafeMutableBytes(of: &tid) { CountedIdent.write(prefix: UInt8(ascii: "t"), v, into: $0) }
    }
}

/// The media path's own figures, per worker (the pipeline keeps the charging ones).
public struct MediaCounters: Sendable {
    /// Reads handed to the worker, and flushes it made (chunks per read tell how well the
    /// per-read costs are spread).
    public var reads: UInt64 = 0
    public var flushes: UInt64 = 0
    public var connectionsAccepted: UInt64 = 0
    public var connectionsOpened: UInt64 = 0
    public var chunksForwarded: UInt64 = 0
    public var reportsForwarded: UInt64 = 0
    public var bindingSends: UInt64 = 0
    public var foreignSessionIDs: UInt64 = 0
    public var wrongConnection: UInt64 = 0
    public var malformed: UInt64 = 0
    public var idleClosed: UInt64 = 0
    public var readPauses: UInt64 = 0
    public var sessionsEnded: UInt64 = 0
    public var sessionsEndedByMedia: UInt64 = 0
    /// Messages ended as aborted because the media failed under them.
    public var messagesAbortedByMedia: UInt64 = 0

    public init() {}

    public static func += (a: inout MediaCounters, b: MediaCounters) {
        a.reads &+= b.reads
        a.flushes &+= b.flushes
        a.connectionsAccepted &+= b.connectionsAccepted
        a.connectionsOpened &+= b.connectionsOpened
        a.chunksForwarded &+= b.chunksForwarded
        a.reportsForwarded &+= b.reportsForwarded
        a.bindingSends &+= b.bindingSends
        a.foreignSessionIDs &+= b.foreignSessionIDs
        a.wrongConnection &+= b.wrongConnection
        a.malformed &+= b.malformed
        a.idleClosed &+= b.idleClosed
        a.readPauses &+= b.readPauses
        a.sessionsEnded &+= b.sessionsEnded
        a.sessionsEndedByMedia &+= b.sessionsEndedByMedia
        a.messagesAbortedByMedia &+= b.messagesAbortedByMedia
    }
}
