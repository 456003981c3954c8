import ChannelSupport
import Charging
import Glibc
import Histogram
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIP
import Workload

/// `msrpcharge load`'s run: set up every session over SIP, send the timed phase's traffic on
/// the MSRP connections, drain, tear down with BYE, and gather the figures from every loop.
public enum LoadRunner {
    /// - Parameter onSecond: called with each second of the timed phase as it ends (live
    ///   figures for Prometheus), on the calling thread.
    public static func run(
        _ c: LoadConfiguration,
        progress: ((String) -> Void)? = nil,
        onSecond: ((LoadReport.Interval) -> Void)? = nil
    ) throws -> LoadReport {
        let workers = max(1, c.model.workers)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: workers)
        defer { try? group.syncShutdownGracefully() }
        var loops: [EventLoop] = []
        var it = group.makeIterator()
        while let l = it.next() { loops.append(l) }
        let stats = PerLoopStats(loops)
        let cpuStart = cpuSeconds()

        // The recipients' MSRP endpoint.
        let listener = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 4096)
            // Out of descriptors, pause accepting rather than retry in a busy loop.
            .serverChannelInitializer { server in
                ListenerBackoff.install(on: server) { error in
                    let line = Array(
                        "load: cannot accept the target's MSRP connections, pausing a second: \(error)\n".utf8
                    )
                    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let h = RecipientHandler(allocator: channel.allocator, stats: stats(channel.eventLoop))
                    try channel.pipeline.syncOperations.addHandler(h)
                }
            }
            .bind(host: c.msrpListenHost, port: c.msrpListenPort)
            .wait()
        defer { try? listener.close().wait() }
        let msrpPort = listener.localAddress?.port ?? c.msrpListenPort

        // SIP over UDP, on the first loop.
        let plan = SendPlan(model: c.model, window: c.window, sessions: c.model.sessions)
        let target: SocketAddress
        do {
            target = try SocketAddress.makeAddressResolvingHost(c.targetHost, port: c.targetPort)
        } catch {
            throw LoadError("cannot resolve the target \(c.targetHost):\(c.targetPort): \(error)")
        }
        let sip = SIPLoadClient(
            loop: loops[0],
            group: group,
            configuration: c,
            target: target,
            plan: plan,
            stats: stats,
            msrpListenPort: msrpPort
        )
        let udp = try DatagramBootstrap(group: loops[0])
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPLoadHandler(client: sip))
                }
            }
            .bind(host: c.msrpListenHost, port: 0)
            .wait()
        defer { try? udp.close().wait() }
        let stream: Channel? =
            c.sipOverTCP
            ? try ClientBootstrap(group: loops[0])
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SIPLoadStreamHandler(client: sip))
                    }
                }
                .connect(to: target)
                .wait()
            : nil
        defer { try? stream?.close().wait() }
        try loops[0].submit {
            sip.channel = udp
            sip.stream = stream
            sip.localPort = (stream ?? udp).localAddress?.port ?? 0
            sip.startRetransmitting()
        }.wait()
        defer { try? loops[0].submit { sip.retransmitter?.cancel() }.wait() }

        // 1. Set-up.
        let setupStart = monotonicNanoseconds()
        loops[0].execute { sip.startMore() }
        let settled = sip.setUp.futureResult
        let setupTimeout = loops[0].scheduleTask(in: .nanoseconds(c.phaseTimeout)) {
            let waiting = Dictionary(grouping: sip.sessions.filter { $0.phase != .ready && $0.phase != .failed }) {
                "\($0.phase)"
            }.map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
            let resent = sip.sessions.filter { $0.phase != .ready && $0.phase != .failed }.map(\.retransmissions)
            sip.setUp.fail(
                LoadError(
                    "set-up did not finish within \(c.phaseTimeout / 1_000_000_000) s: \(sip.settled) of \(sip.sessions.count) settled; still \(waiting) (re-sent \(resent.prefix(5).map(String.init).joined(separator: ", ")) times)"
                )
            )
        }
        do { try settled.wait() } catch { throw LoadError("\(error)") }
        setupTimeout.cancel()
        let setupSeconds = Double(monotonicNanoseconds() &- setupStart) / 1e9
        let callers = try loops[0].submit { sip.sessions.compactMap(\.caller) }.wait()
        progress?("\(callers.count) sessions set up in \(Int(setupSeconds * 1000)) ms")

        // Every recipient leg bound before traffic starts: in a conference the caller has its
        // 200 OK before the target has even invited the recipients (6.3.3.2).
        let legs = UInt64(callers.count * c.recipientsPerSession)
        let bindDeadline = monotonicNanoseconds() &+ c.phaseTimeout
        while monotonicNanoseconds() < bindDeadline {
            var bound: UInt64 = 0
            for l in loops {
                let s = stats(l)
                bound &+= (try? l.submit { s.figures.bindings }.wait()) ?? 0
            }
            if bound >= legs { break }
            usleep(5_000)
        }

        // 2. The timed phase: every caller starts at the same instant.
        let start = monotonicNanoseconds()
        for h in callers {
            h.context?.eventLoop.execute {
                h.start(at: start)
            }
        }
        // With a rate or a message interval: one timer per loop sends what is due on every
        // connection of the loop.
        var pacers: [RepeatedTask] = []
        if c.model.targetRate != nil || c.model.messageInterval != nil {
            let byLoop = Dictionary(grouping: callers) { ObjectIdentifier($0.context!.eventLoop) }
            for (_, group) in byLoop {
                guard let loop = group.first?.context?.eventLoop else { continue }
                let handlers = group
                pacers.append(
                    loop.scheduleRepeatedTask(initialDelay: .milliseconds(1), delay: .milliseconds(1)) { _ in
                        for h in handlers { h.pump() }
                    }
                )
            }
        }
        defer { for p in pacers { p.cancel() } }
        let end = start &+ c.model.duration
        // Once a second: each loop's figures since the last second (throughput and SEND → 200).
        var intervals: [LoadReport.Interval] = []
        var last = (chunks: UInt64(0), messages: UInt64(0), at: start)
        while monotonicNanoseconds() < end {
            usleep(20_000)
            let now = monotonicNanoseconds()
            if now &- last.at >= 1_000_000_000 {
                var chunks: UInt64 = 0
                var messages: UInt64 = 0
                var latency = LoopStats.histogram()
                for l in loops {
                    let s = stats(l)
                    guard let part = try? l.submit({ s.takeInterval() }).wait() else { continue }
                    chunks &+= part.chunks
                    messages &+= part.messages
                    latency.add(part.latency)
                }
                let seconds = Double(now &- last.at) / 1e9
                intervals.append(
                    LoadReport.Interval(
                        second: intervals.count + 1,
                        seconds: seconds,
                        chunks: chunks &- last.chunks,
                        messages: messages &- last.messages,
                        latency: latency
                    )
                )
                if let onSecond, let latest = intervals.last { onSecond(latest) }
                last = (chunks, messages, now)
            }
            // With --chunks: each session sends its share; the phase ends when all of this
            // generator's sessions have.
            if let perSession = c.chunksPerSession {
                let quota = perSession * callers.count
                let sent = callers.reduce(0) { total, h in
                    total + ((try? h.context?.eventLoop.submit { h.sentSinceStart }.wait()) ?? 0)
                }
                if sent >= quota { break }
            }
        }
        let timedEnd = monotonicNanoseconds()

        // 3. Drain: each caller finishes its message and waits for its responses.
        let drained = callers.map { h -> EventLoopFuture<Void> in
            guard let loop = h.context?.eventLoop else { return loops[0].makeSucceededVoidFuture() }
            let p = loop.makePromise(of: Void.self)
            loop.execute { h.stop { p.succeed() } }
            return p.futureResult
        }
        // Bounded: a caller whose responses never come is counted, not waited for forever.
        _ = Self.wait(EventLoopFuture.andAllComplete(drained, on: loops[0]), on: loops[0], upTo: c.phaseTimeout)
        var lost: UInt64 = 0
        var undrained: UInt64 = 0
        for h in callers {
            guard let loop = h.context?.eventLoop,
                let state = try? loop.submit({ (h.lostBeforeEnd, h.onDrained != nil) }).wait()
            else {
                lost &+= 1
                continue
            }
            if state.0 { lost &+= 1 } else if state.1 { undrained &+= 1 }
        }
        // The recipients' last chunks are on their way: let them land before counting.
        usleep(100_000)

        // What each session sent, under the server's name for it.
        let names = try loops[0].submit { sip.sessions.filter { $0.caller != nil }.map(\.serverSessionID) }.wait()
        var usage: [SessionUsage] = []
        for (h, name) in zip(callers, names) {
            guard let loop = h.context?.eventLoop,
                let u = try? loop.submit({ (h.sessionMessages, h.sessionAborted, h.sessionBytes) }).wait()
            else { continue }
            usage.append(SessionUsage(session: name, messages: u.0, abortedMessages: u.1, bytes: u.2))
        }

        // 4. Teardown.
        let byes = try sip.loop.submit { sip.byeAll() }.wait()
        _ = Self.wait(byes, on: sip.loop, upTo: c.phaseTimeout)
        let byesUnanswered = try sip.loop.submit { UInt64(sip.byesPending) }.wait()
        let elapsed = Double(timedEnd &- start) / 1e9

        var totals = LoadTotals()
        for l in loops {
            let s = stats(l)
            // Read on the loop that writes them, merged here.
            let part = try l.submit { s.figures }.wait()
            totals.add(part)
        }
        totals.callersLost = lost
        totals.callersUndrained = undrained
        totals.byesUnanswered = byesUnanswered
        let (setupH, byeH, failures) = try loops[0].submit { (sip.setupLatency, sip.byeLatency, sip.failures) }.wait()
        return LoadReport(
            configuration: c,
            sessionsSetUp: callers.count,
            setupFailures: failures,
            setupSeconds: setupSeconds,
            seconds: elapsed,
            totals: totals,
            setup: setupH,
            bye: byeH,
            cpuSeconds: cpuSeconds() - cpuStart,
            intervals: intervals,
            sessionUsage: usage
        )
    }

    /// Waits for `f` at most `nanoseconds`; whether it completed in time.
    static func wait(_ f: EventLoopFuture<Void>, on loop: EventLoop, upTo nanoseconds: Int64) -> Bool {
        let outcome = loop.makePromise(of: Bool.self)
        let done = NIOLockedValueBox(false)
        @Sendable func finish(_ inTime: Bool) {
            guard
                done.withLockedValue({ d in
                    defer { d = true }
                    return !d
                })
            else { return }
            outcome.succeed(inTime)
        }
        f.whenComplete { _ in finish(true) }
        let timer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) { finish(false) }
        let inTime = (try? outcome.futureResult.wait()) ?? false
        timer.cancel()
        return inTime
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }
}

public struct LoadError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
