import ChannelSupport
import Charging
import ChargingPipeline
import Histogram
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIP

/// The IM server on the wire (seed 000 and seed 001 over real sockets): SIP over UDP and TCP
/// on one address, MSRP over TCP with one listener per event loop, the server an endpoint on
/// both MSRP legs of each session, charging every chunk it accepts through the same
/// pipeline the bench measures.
///
/// `start()` binds everything; `shutdown(waitingUpTo:)` ends it gracefully: no new sessions,
/// every session ended with BYE on both legs, every CH-1 stop and CH-2 termination sent and
/// answered (or given up after the wait), then the sockets close.
public final class IMServer<Client: ChargingEnablerClient>: @unchecked Sendable {
    public let configuration: IMServerConfiguration
    public let client: Client
    let group: MultiThreadedEventLoopGroup
    let workers: [MSRPWorker<Client>]
    let core: SIPCore<Client>
    let table: SessionTable<ChargingSession>
    let user: ChargingEnablerUser
    var channels: [Channel] = []
    /// The figures at shutdown, once it has run.
    let stopped = NIOLockedValueBox<IMServerReport?>(nil)
    let logger: Logger

    /// - Parameter answerPoll: for a client that answers from another thread (Diameter), how
    ///   often (nanoseconds) a worker with requests out looks for answers; nil for a client that
    ///   answers on the caller's thread (the embedded enabler).
    public init(configuration: IMServerConfiguration, client: Client, answerPoll: Int64?, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.workers))
        table = SessionTable(shardCount: configuration.shards, expectedSessions: configuration.expectedSessions)
        user = ChargingEnablerUser(configuration.charging)
        var loops: [EventLoop] = []
        var iterator = group.makeIterator()
        while let loop = iterator.next() { loops.append(loop) }
        let (table, user) = (self.table, self.user)
        workers = loops.enumerated().map { i, loop in
            MSRPWorker(
                index: i,
                loop: loop,
                configuration: configuration,
                table: table,
                user: user,
                client: client,
                answerPoll: answerPoll,
                logger: logger
            )
        }
        core = SIPCore(loop: loops[0], configuration: configuration, workers: workers, logger: logger)
        for w in workers {
            client.attach(w.pipeline.dispatcher.answers)
            let core = self.core
            w.events = { event in core.loop.execute { core.handle(event) } }
        }
    }

    /// Where the server listens once started.
    public struct Bound: Sendable {
        public var sipPort: Int
        /// Worker `i`'s MSRP port.
        public var msrpPorts: [Int]
    }

    /// Binds SIP (UDP, then TCP on the same port) and each worker's MSRP listener.
    public func start() throws -> Bound {
        let core = self.core
        let (udp, tcp) = try bindSIP()
        channels.append(udp)
        channels.append(tcp)
        let sipPort = udp.localAddress?.port ?? configuration.sipPort
        try core.loop.submit {
            core.udp = udp
            core.sipPort = sipPort
        }.wait()
        var msrpPorts: [Int] = []
        for w in workers {
            let port = configuration.msrpPort == 0 ? 0 : configuration.msrpPort + w.index
            let idle = configuration.idleTimeout
            let watermark = configuration.writeBufferHighWatermark
            // One listener per worker, on that worker's loop only: its connections are that
            // loop's, so both legs of a session it set up are read and written there.
            let log = logger
            let listener = try ServerBootstrap(group: w.loop, childGroup: w.loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 4096)
                .serverChannelInitializer { server in
                    ListenerBackoff.install(on: server) { error in
                        log.warning("msrpcharge serve: cannot accept MSRP connections, pausing a second: \(error)")
                    }
                }
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: watermark / 2, high: watermark))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: .nanoseconds(idle)),
                            MSRPChannelHandler(worker: w, outboundSide: false),
                        ])
                    }
                }
                .bind(host: configuration.msrpHost, port: port)
                .wait()
            channels.append(listener)
            let bound = listener.localAddress?.port ?? port
            try w.loop.submit { w.boundPort = bound }.wait()
            msrpPorts.append(bound)
        }
        logger.info("msrpcharge serve: SIP on \(configuration.sipHost):\(sipPort) (UDP, TCP), MSRP on \(msrpPorts)")
        return Bound(sipPort: sipPort, msrpPorts: msrpPorts)
    }

    /// SIP over UDP, then TCP on the same port. With port 0 the UDP socket picks one, which a
    /// TCP socket may already hold (an ephemeral port of some connection): then both are tried
    /// again with another.
    func bindSIP() throws -> (Channel, Channel) {
        let core = self.core
        var attempt = 0
        while true {
            attempt += 1
            let udp = try DatagramBootstrap(group: core.loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Bursts of set-ups: the kernel's default UDP buffer holds about a hundred datagrams.
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(core: core))
                    }
                }
                .bind(host: configuration.sipHost, port: configuration.sipPort)
                .wait()
            do {
                let log = logger
                let tcp = try ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelInitializer { server in
                        ListenerBackoff.install(on: server) { error in
                            log.warning("msrpcharge serve: cannot accept SIP connections, pausing a second: \(error)")
                        }
                    }
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(core: core))
                        }
                    }
                    .bind(host: configuration.sipHost, port: udp.localAddress?.port ?? configuration.sipPort)
                    .wait()
                return (udp, tcp)
            } catch {
                try? udp.close().wait()
                if configuration.sipPort != 0 || attempt >= 20 { throw error }
            }
        }
    }

    /// Graceful shutdown: stop taking sessions, end every session (BYE on both legs, CH-1 stop
    /// and CH-2 termination), wait up to `wait` nanoseconds for the enabler's answers, then close
    /// every socket and stop the event loops. Returns the figures at the end.
    @discardableResult
    public func shutdown(waitingUpTo wait: Int64) -> IMServerReport {
        // A second call (a test's cleanup after its own) returns the first one's figures.
        if let done = stopped.withLockedValue({ $0 }) { return done }
        defer { stopped.withLockedValue { $0 = $0 ?? IMServerReport() } }
        let core = self.core
        try? core.loop.submit { core.endAll() }.wait()
        // Sessions whose SIP side had not reached the worker yet end there too.
        for w in workers { try? w.loop.submit { for s in w.openSessions { w.end(s) } }.wait() }
        let deadline = monotonicNanoseconds() &+ wait
        while monotonicNanoseconds() < deadline {
            let pending = workers.contains { w in
                (try? w.loop.submit { () -> Bool in
                    w.afterWork(monotonicNanoseconds())
                    return w.hasPendingCharging
                }.wait()) ?? false
            }
            if !pending { break }
            usleep(2_000)
        }
        let result = report()
        stopped.withLockedValue { $0 = result }
        for c in channels { try? c.close().wait() }
        try? group.syncShutdownGracefully()
        return result
    }

    /// The server's figures, gathered from each loop (blocks; not on an event loop).
    public func report() -> IMServerReport {
        (try? snapshot(on: group.next(), includingSessions: true).wait()) ?? IMServerReport()
    }

    /// The server's figures, gathered from each loop with futures, completed on `loop` (a
    /// scrape endpoint's): nothing blocks. `includingSessions` copies every ended session's
    /// usage (for the conservation check at the end, not for a scrape).
    public func snapshot(on loop: EventLoop, includingSessions: Bool = false) -> EventLoopFuture<IMServerReport> {
        let parts = workers.map { w in
            w.loop.submit { () -> IMServerReport in
                var r = IMServerReport()
                r.pipeline = w.pipeline.counters
                r.charging = w.pipeline.charging
                r.dispatcher = w.pipeline.dispatcher.counters
                r.media = w.counters
                r.sessionsOpen = w.sessions.count
                r.roundTrip = w.pipeline.roundTrip
                if includingSessions { r.closedSessions = w.pipeline.closedSessions ?? [] }
                return r
            }
        }
        let core = self.core
        let sip = core.loop.submit { (core.counters, core.calls.count, core.registrar.count) }
        return EventLoopFuture.whenAllSucceed(parts, on: loop).and(sip.hop(to: loop)).map { parts, sip in
            var r = IMServerReport()
            for p in parts { r.merge(p) }
            let (s, calls, registrations) = sip
            r.sipRequests = s.requests
            r.sipResponsesSent = s.responsesSent
            r.sipMalformed = s.malformed
            r.sessionsSetUp = s.sessionsSetUp
            r.sessionsRefused = s.sessionsRefused
            r.sessionsEnded = s.sessionsEnded
            r.retransmissionsAbsorbed = s.retransmissionsAbsorbed
            r.retransmissionsSent = s.retransmissionsSent
            r.registrations = s.registrations
            r.callsOpen = calls
            r.registered = registrations
            return r
        }
    }
}

/// What the server did: charging (the pipeline's figures, as `bench` reports them), media and
/// SIP.
public struct IMServerReport: Sendable {
    /// The media path's own figures (connections, reads, forwarding, faults).
    public var media = MediaCounters()
    public var pipeline = PipelineCounters()
    public var charging = ChargingCounters()
    public var dispatcher = DispatcherCounters()
    public var closedSessions: [ClosedSession] = []
    public var sipRequests: [String: UInt64] = [:]
    public var sipResponsesSent: [Int: UInt64] = [:]
    public var sipMalformed: UInt64 = 0
    public var sessionsSetUp: UInt64 = 0
    public var sessionsRefused: UInt64 = 0
    public var sessionsEnded: UInt64 = 0
    public var retransmissionsAbsorbed: UInt64 = 0
    public var retransmissionsSent: UInt64 = 0
    public var registrations: UInt64 = 0
    /// Sessions open on the workers, calls open on the SIP side, addresses registered.
    public var sessionsOpen = 0
    public var callsOpen = 0
    public var registered = 0
    /// Charging round trips (request sent → answer taken), nanoseconds, every worker's.
    public var roundTrip: Histogram<UInt64>? = nil

    public init() {}

    /// Adds a worker's part.
    mutating func merge(_ o: IMServerReport) {
        pipeline += o.pipeline
        charging += o.charging
        dispatcher += o.dispatcher
        media += o.media
        sessionsOpen += o.sessionsOpen
        closedSessions.append(contentsOf: o.closedSessions)
        if let h = o.roundTrip {
            if roundTrip == nil { roundTrip = h } else { roundTrip!.add(h) }
        }
    }
}
