import CAtomics
import Charging
import Diameter
import Histogram
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A request written to the peer and not yet answered, at `hopByHopID & slotMask`; the
/// Hop-by-Hop Identifier's upper bits count the slot's uses, so a late answer to a slot's
/// earlier request does not match.
struct InFlightSlot {
    var hopByHopID: UInt32 = 0
    var live = false
    var request: ChargingRequest
    var answers: UnsafeMutableRawPointer? = nil
    var writtenAt: Int64 = 0
}

/// One Diameter peer connection of the client (RFC 6733 §5; RFC 3539's watchdog): it connects,
/// exchanges capabilities, writes the requests workers hand it, matches answers by
/// Hop-by-Hop Identifier and hands each to its owner's queue, watches the connection with
/// DWR after Tw of silence, reconnects with back-off, and leaves with DPR.
///
/// Owners (any thread) only push into ``queue`` (``ChargingPeerQueue``: the ring, its wake-up
/// and its back-pressure, counted in ``DiameterPeerCounters/queueFullWaits``); waking the loop
/// is NIO's `execute`, which takes NIO's task-queue lock once per wake-up, not per request.
/// Everything else runs on ``eventLoop``: the class is confined to it, which is why it is
/// `@unchecked Sendable`.
///
/// Nothing on the loop ever waits for the loop. The loop is the only consumer of every peer's
/// ring, so it never pushes into one: requests it moves (failover, a reroute after 3002/3004,
/// the unanswered requests of a connection that went down) go to ``held``, a queue of the
/// loop's own that ``drain()`` empties first; answers whose owner's queue is full wait in
/// ``undelivered`` and go on the next turn.
public final class DiameterPeer: @unchecked Sendable {
    public let host: String
    public let port: Int
    public let eventLoop: EventLoop
    let identity: EncodedIdentity
    let mapping: ChargingDiameterMapping
    let acknowledged: ChargingLedger
    /// Tw (RFC 3539 §3.4.1): silence after which a DWR goes out.
    let watchdogInterval: TimeAmount

    /// The owners' side: the ring they push into, the open and wake-up words, back-pressure.
    public let queue: ChargingPeerQueue
    /// Sends a request to another open peer (the client's choice); false when none is open.
    /// Set by the client; every peer of a client runs on one event loop.
    var reroute: (QueuedChargingRequest) -> Bool = { _ in false }
    /// Called when the connection opens: the client moves to it what closed peers hold.
    var opened: () -> Void = {}
    /// Requests the loop moved here, sent before the ring's (loop-local).
    var held = HeldRequests()
    /// Answers whose owner's queue was full, in order (loop-local).
    var undelivered: [(queue: UnsafeMutableRawPointer, delivery: ChargingAnswerDelivery)] = []
    var deliveryRetryScheduled = false
    private var drainTask: @Sendable () -> Void = {}
    private var handOverTask: @Sendable () -> Void = {}

    // Event-loop state.
    var channel: Channel? = nil
    /// RFC 3539 §3.4: OKAY once the CEA came; SUSPECT while a DWR waits; DOWN closes.
    var open = false
    var watchdogPending = false
    var shuttingDown = false
    var lastRead = NIODeadline.now()
    var backoff = TimeAmount.milliseconds(100)
    var openPromise: EventLoopPromise<Void>? = nil
    var closedPromise: EventLoopPromise<Void>? = nil
    /// Requests in flight at most (the window): further requests wait in the ring, and a
    /// full ring makes the workers wait. Without it an overloaded enabler's answers come after
    /// Tx and retransmissions pile onto the load.
    let slots: UnsafeMutablePointer<InFlightSlot>
    let slotMask: UInt32
    let freeSlots: UnsafeMutablePointer<UInt32>
    var freeCount: Int
    /// A slot unanswered this long is given up (the answer was lost): its owner's Tx fired long
    /// before.
    let slotExpiry: Int64
    var nextHopByHop: UInt32 = 1
    var counters: DiameterPeerCounters
    // Byte-valued AVPs made once.
    let constants: PackedBytes
    let rfPrefix: UnsafeRawBufferPointer
    let roPrefix: UnsafeRawBufferPointer
    let destinationRealm: UnsafeRawBufferPointer
    let serviceContextID: UnsafeRawBufferPointer
    let subscriptionPrefix: UnsafeRawBufferPointer
    let scratch: UnsafeMutableRawPointer

    init(
        host: String,
        port: Int,
        eventLoop: EventLoop,
        identity: EncodedIdentity,
        mapping: ChargingDiameterMapping,
        acknowledged: ChargingLedger,
        window: Int,
        slotExpiry: Int64,
        watchdogInterval: TimeAmount,
        queueWait: Int64 = 1_000_000_000
    ) {
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.identity = identity
        self.mapping = mapping
        self.acknowledged = acknowledged
        self.watchdogInterval = watchdogInterval
        queue = ChargingPeerQueue(window: window, queueWait: queueWait)
        let filler = ChargingRequest(kind: .offlineStart, session: .empty, number: 0, sentAt: 0)
        var n = 16
        while n < window { n <<= 1 }
        slots = .allocate(capacity: n)
        slots.initialize(repeating: InFlightSlot(request: filler), count: n)
        slotMask = UInt32(n - 1)
        freeSlots = .allocate(capacity: n)
        for i in 0..<n { freeSlots[i] = UInt32(n - 1 - i) }
        freeCount = n
        self.slotExpiry = slotExpiry
        counters = DiameterPeerCounters(peer: "\(host):\(port)")
        let parts: [[UInt8]] = [
            DiameterSessionID.prefix(
                identity: identity.identity.originHost,
                high: identity.identity.originStateID,
                interface: 0
            ),
            DiameterSessionID.prefix(
                identity: identity.identity.originHost,
                high: identity.identity.originStateID,
                interface: 1
            ),
            mapping.destinationRealm, mapping.serviceContextID, Array("sip:".utf8),
        ]
        // 512 spare bytes: the Session-Id and Subscription-Id being written.
        constants = PackedBytes(parts, spare: 512)
        let views = constants.views
        rfPrefix = views[0]
        roPrefix = views[1]
        destinationRealm = views[2]
        serviceContextID = views[3]
        subscriptionPrefix = views[4]
        scratch = constants.spare
        drainTask = { [unowned self] in self.drain() }
        let loop = eventLoop
        let drain = drainTask
        queue.scheduleDrain = { loop.execute(drain) }
        handOverTask = { [unowned self] in
            queue.handOverStarted()
            if !open { handOverWaiting() }
        }
        let handOver = handOverTask
        queue.scheduleHandOver = { loop.execute(handOver) }
    }

    deinit {
        slots.deinitialize(count: Int(slotMask) + 1)
        slots.deallocate()
        freeSlots.deallocate()
    }

    /// The next request to write: what the loop holds first, then the workers' ring.
    @inline(__always)
    func nextWaiting() -> QueuedChargingRequest? {
        held.popFirst() ?? queue.ring.pop()
    }

    // MARK: The event loop

    /// Writes waiting requests while the window has room (up to a batch; more reschedules
    /// itself), in one buffer. When the window is full, `wake` stays 1 and answers resume the
    /// drain (``readComplete()``).
    func drain() {
        guard open, let channel else { return }  // `wake` stays 1 until the connection opens
        guard freeCount > 0 else {
            queue.holdWakeUps()
            return
        }
        queue.acceptWakeUps()
        var buffer = channel.allocator.buffer(capacity: 32 * 1024)
        let now = monotonicNanoseconds()
        let timestamp = ChargingDiameterMapping.ntpSeconds(unixSeconds: Int64(time(nil)))
        var written = 0
        while written < 2048, freeCount > 0, let o = nextWaiting() {
            freeCount -= 1
            let index = freeSlots[freeCount]
            let slot = slots + Int(index)
            // Upper bits: a count of the slot's uses.
            let hbh = (slot.pointee.hopByHopID &+ (slotMask &+ 1)) & ~slotMask | index
            slot.pointee = InFlightSlot(
                hopByHopID: hbh,
                live: true,
                request: o.request,
                answers: o.answers,
                writtenAt: now
            )
            let encoded = buffer.writeDiameterMessage {
                mapping.encode(
                    o.request,
                    identity: (identity.originHost, identity.originRealm),
                    sessionIDPrefix: o.request.kind.isOffline ? rfPrefix : roPrefix,
                    destinationRealm: destinationRealm,
                    serviceContextID: serviceContextID,
                    subscriptionPrefix: subscriptionPrefix,
                    scratch: scratch,
                    eventTimestamp: timestamp,
                    hopByHopID: hbh,
                    into: &$0
                )
            }
            if !encoded {
                // Over 64 KiB (identities of that size): never sent; the owner's Tx gives it up.
                release(index)
                counters.abandonedSlots &+= 1
                continue
            }
            if o.request.kind.isOffline {
                counters.accountingRequests &+= 1
            } else {
                counters.creditControlRequests &+= 1
            }
            if o.request.isRetransmission { counters.retransmissions &+= 1 }
            written += 1
        }
        if freeCount == 0 {
            queue.holdWakeUps()
        } else if written == 2048 {
            eventLoop.execute(drainTask)
        }
        if written > 0 {
            channel.writeAndFlush(buffer, promise: nil)
            queue.madeRoom()
        }
    }

    func connect() {
        guard !shuttingDown else { return }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [unowned self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            DiameterFrameDecoder(maximumMessageSize: DiameterLimits.default.maximumMessageSize)
                        )
                    )
                    try channel.pipeline.syncOperations.addHandler(DiameterPeerHandler(peer: self))
                }
            }
        bootstrap.connect(host: host, port: port).whenComplete { [unowned self] result in
            switch result {
            case .success(let channel): self.channel = channel
            case .failure: self.scheduleReconnect()
            }
        }
    }

    func scheduleReconnect() {
        guard !shuttingDown else { return }
        let delay = backoff
        backoff = min(backoff * 2, .seconds(5))
        eventLoop.scheduleTask(in: delay) { [unowned self] in self.connect() }
    }

    /// The connection is up: send the CER (RFC 6733 §5.3).
    func active(_ context: ChannelHandlerContext) {
        counters.connects &+= 1
        lastRead = .now()
        send(context.channel) {
            identity.capabilities().encode(
                into: &$0,
                hopByHopID: nextHopByHop,
                endToEndID: identity.identity.originStateID
            )
        }
        nextHopByHop &+= 1
    }

    func inactive() {
        counters.disconnects &+= 1
        closed()
        channel = nil
        if shuttingDown {
            closedPromise?.succeed()
            closedPromise = nil
        } else {
            scheduleReconnect()
        }
    }

    /// One message from the peer.
    func received(_ frame: ByteBuffer, _ context: ChannelHandlerContext) {
        lastRead = .now()
        watchdogPending = false
        frame.withUnsafeReadableBytes { raw in
            let m: DiameterMessage
            do throws(DiameterError) {
                m = try DiameterMessage(validating: raw)
            } catch {
                if raw.count >= DiameterHeader.size && DiameterHeader(unvalidated: raw).isRequest {
                    send(context.channel) { e in
                        DiameterErrorAnswer.encode(
                            error,
                            answering: raw,
                            originHost: identity.originHost,
                            originRealm: identity.originRealm,
                            into: &e
                        )
                    }
                } else {
                    counters.malformedAnswers &+= 1
                }
                return
            }
            switch (m.header.commandCode, m.header.isRequest) {
            case (DiameterCommandCode.accounting, false), (DiameterCommandCode.creditControl, false):
                answered(m)
            case (DiameterCommandCode.capabilitiesExchange, false):
                capabilitiesAnswered(m, context)
            case (DiameterCommandCode.deviceWatchdog, true):
                send(context.channel) {
                    identity.peerControl(DiameterCommandCode.deviceWatchdog, resultCode: 2001).encode(
                        into: &$0,
                        answering: m.header
                    )
                }
            case (DiameterCommandCode.disconnectPeer, true):
                // The peer leaves (RFC 6733 §5.4): answer, and reconnect after the back-off.
                send(context.channel) {
                    identity.peerControl(DiameterCommandCode.disconnectPeer, resultCode: 2001).encode(
                        into: &$0,
                        answering: m.header
                    )
                }
                closed()
            case (DiameterCommandCode.disconnectPeer, false):
                context.close(promise: nil)
            case (DiameterCommandCode.deviceWatchdog, false):
                break
            case (_, true):
                send(context.channel) { e in
                    DiameterErrorAnswer.encode(
                        DiameterError(
                            code: .commandUnsupported,
                            reason: "command \(m.header.commandCode) is not served by a charging client"
                        ),
                        answering: raw,
                        originHost: identity.originHost,
                        originRealm: identity.originRealm,
                        into: &e
                    )
                }
            default:
                counters.unmatchedAnswers &+= 1
            }
        }
    }

    /// Writes one message, made by `body`, and flushes it.
    func send(_ channel: Channel, _ body: (inout DiameterEncoder) -> Void) {
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeDiameterMessage(body)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Gives slot `index` back to the window.
    func release(_ index: UInt32) {
        slots[Int(index)].live = false
        freeSlots[freeCount] = index
        freeCount += 1
    }

    func capabilitiesAnswered(_ m: DiameterMessage, _ context: ChannelHandlerContext) {
        guard let cea = try? CapabilitiesExchange(decoding: m),
            cea.resultCode.map(ChargingResultCode.isSuccess) == true,
            !identity.identity.applications.common(with: cea.applications).isEmpty
        else {
            let error = "peer \(host):\(port) refused the capabilities exchange or shares no application"
            openPromise?.fail(DiameterPeerError(description: error))
            openPromise = nil
            context.close(promise: nil)
            return
        }
        counters.peerOriginHost = String(decoding: cea.originHost, as: UTF8.self)
        counters.peerIsRelay = cea.applications.contains(.relay)
        open = true
        queue.markOpen()
        backoff = .milliseconds(100)
        openPromise?.succeed()
        openPromise = nil
        opened()
        drain()
    }

    func answered(_ m: DiameterMessage) {
        let hbh = m.header.hopByHopID
        let slot = slots + Int(hbh & slotMask)
        guard slot.pointee.live, slot.pointee.hopByHopID == hbh, let queue = slot.pointee.answers else {
            counters.unmatchedAnswers &+= 1
            return
        }
        release(hbh & slotMask)
        let request = slot.pointee.request
        let answer: ChargingAnswer
        do {
            answer = try ChargingDiameterMapping.answer(m, to: request)
        } catch {
            counters.malformedAnswers &+= 1
            return
        }
        counters.answersByResultCode[answer.resultCode, default: 0] &+= 1
        if request.kind.isOffline {
            counters.accountingAnswersByResultCode[answer.resultCode, default: 0] &+= 1
        } else {
            counters.creditControlAnswersByResultCode[answer.resultCode, default: 0] &+= 1
        }
        if answer.resultCode == ChargingResultCode.unableToDeliver || answer.resultCode == ChargingResultCode.tooBusy {
            // DIAMETER_UNABLE_TO_DELIVER or DIAMETER_TOO_BUSY (RFC 6733 §7.1.3) is no answer from
            // the charging system: the request goes again, with the T flag, to another open peer;
            // with none, the owner's Tx sends it again as for a request never answered.
            var r = request
            r.attempt &+= 1
            if reroute(QueuedChargingRequest(request: r, answers: queue)) { counters.failedOver &+= 1 }
            return
        }
        counters.roundTrip.record(UInt64(max(1_000, monotonicNanoseconds() &- slot.pointee.writtenAt)))
        if answer.isSuccess { acknowledged.acknowledge(request) }
        deliver(ChargingAnswerDelivery(answer), to: queue)
    }

    /// Hands an answer to its owner's queue; when that is full (the owner is busy, or waits
    /// for room in a ring this loop drains), keeps it and tries again on a later turn: the
    /// loop never waits for an owner.
    @inline(__always)
    func deliver(_ d: ChargingAnswerDelivery, to queue: UnsafeMutableRawPointer) {
        if undelivered.isEmpty,
            Unmanaged<ChargingAnswerQueue>.fromOpaque(queue).takeUnretainedValue().tryPush(d)
        {
            return
        }
        undelivered.append((queue, d))
        counters.answersHeldForOwner &+= 1
        retryDeliveries()
    }

    func retryDeliveries() {
        var kept = 0
        for i in undelivered.indices {
            let (queue, d) = undelivered[i]
            if Unmanaged<ChargingAnswerQueue>.fromOpaque(queue).takeUnretainedValue().tryPush(d) { continue }
            undelivered[kept] = undelivered[i]
            kept += 1
        }
        undelivered.removeLast(undelivered.count - kept)
        if !undelivered.isEmpty && !deliveryRetryScheduled {
            deliveryRetryScheduled = true
            eventLoop.scheduleTask(in: .microseconds(200)) { [unowned self] in
                deliveryRetryScheduled = false
                retryDeliveries()
            }
        }
    }

    /// The connection is no longer usable (closed, or the peer sent DPR). Failover (RFC 6733
    /// §5.5.4): every request in flight on it goes again, with the T flag, to another open
    /// peer, and so do the requests waiting for it; with no other peer open they wait here for
    /// the reconnection (§9.4), the unanswered ones marked as retransmissions, or for another
    /// peer to open (``DiameterChargingClient``'s adoption).
    func closed() {
        guard open else { return }
        open = false
        watchdogPending = false
        queue.markClosed()
        var again: [QueuedChargingRequest] = []
        for i in 0...Int(slotMask) where slots[i].live {
            release(UInt32(i))
            var r = slots[i].request
            r.attempt &+= 1
            again.append(QueuedChargingRequest(request: r, answers: slots[i].answers!))
        }
        counters.failedOver &+= UInt64(again.count)
        // Unanswered first, then what was held, then the ring: all to another open peer, or
        // all kept here, in that order.
        held.prepend(again)
        handOverWaiting()
    }

    /// Moves everything this (closed) peer holds or finds in its ring to another open peer;
    /// keeps it when none is open. On the loop, which consumes every peer's ring.
    func handOverWaiting() {
        while let o = held.popFirst() {
            if !reroute(o) {
                held.prepend([o])
                return
            }
        }
        while let o = queue.ring.pop() {
            if !reroute(o) {
                held.prepend([o])
                break
            }
        }
        queue.madeRoom()
    }

    /// After a read: answers freed window room, so requests waiting for it go out.
    func readComplete() {
        if open && freeCount > 0 && queue.wakeUpsHeld && (!held.isEmpty || queue.ring.hasWaiting) {
            drain()
        }
    }

    /// Gives up slots whose answer never came (``slotExpiry``), so the window does not shrink.
    func expireSlots() {
        let limit = monotonicNanoseconds() &- slotExpiry
        for i in 0...Int(slotMask) where slots[i].live && slots[i].writtenAt < limit {
            release(UInt32(i))
            counters.abandonedSlots &+= 1
        }
        readComplete()
    }

    /// RFC 3539 §3.4.1: after Tw of silence a DWR; after another Tw without an answer, DOWN.
    func watchdogTick() {
        guard open, let channel, NIODeadline.now() - lastRead >= watchdogInterval else { return }
        if watchdogPending {
            channel.close(promise: nil)
            return
        }
        watchdogPending = true
        counters.watchdogRequests &+= 1
        send(channel) {
            identity.peerControl(DiameterCommandCode.deviceWatchdog).encode(
                into: &$0,
                hopByHopID: 0,
                endToEndID: nextHopByHop
            )
        }
    }

    /// Sends a DPR (RFC 6733 §5.4) and closes when the DPA comes, or after a second.
    func shutdown() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        eventLoop.execute { [unowned self] in
            shuttingDown = true
            guard let channel else { return promise.succeed() }
            closedPromise = promise
            send(channel) {
                identity.peerControl(DiameterCommandCode.disconnectPeer, cause: .rebooting).encode(
                    into: &$0,
                    hopByHopID: 0,
                    endToEndID: nextHopByHop
                )
            }
            eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
        return promise.futureResult
    }
}

/// Requests the loop holds for a peer (see ``DiameterPeer``): a FIFO of its own, so the loop
/// never pushes into a ring it drains itself.
struct HeldRequests {
    var items: [QueuedChargingRequest] = []
    var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ o: QueuedChargingRequest) { items.append(o) }

    /// Puts `first` before everything held, in its order.
    mutating func prepend(_ first: [QueuedChargingRequest]) {
        guard !first.isEmpty else { return }
        items.replaceSubrange(0..<head, with: first)
        head = 0
    }

    mutating func popFirst() -> QueuedChargingRequest? {
        guard head < items.count else { return nil }
        let o = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return o
    }
}

struct DiameterPeerError: Error, CustomStringConvertible {
    var description: String
}

/// The peer's channel handler: passes events to its ``DiameterPeer`` on the loop.
final class DiameterPeerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let peer: DiameterPeer

    init(peer: DiameterPeer) { self.peer = peer }

    func channelActive(context: ChannelHandlerContext) {
        peer.active(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.inactive()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.received(unwrapInboundIn(data), context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer.readComplete()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
