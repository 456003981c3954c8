import Charging
import Diameter
import NIOCore
import NIOPosix

/// The event loop's side of one ``DiameterPeer``: the connection (it connects, exchanges
/// capabilities, reconnects with back-off, leaves with DPR), the request window
/// (``DiameterRequestWindow``), the watchdog (``DiameterWatchdog``) and failover
/// (`DiameterPeerConnection+Failover.swift`). Confined to ``eventLoop``: it is not `Sendable`,
/// and the peer reaches it through a `NIOLoopBoundBox`.
///
/// Nothing on the loop ever waits for the loop. The loop is the only consumer of every peer's
/// ring, so it never pushes into one: requests it moves (failover, a reroute after 3002/3004,
/// the unanswered requests of a connection that went down) go to ``held``, a queue of the
/// loop's own that ``drain()`` empties first; answers whose owner's queue is full wait in
/// ``undelivered`` and go on the next turn.
final class DiameterPeerConnection {
    let host: String
    let port: Int
    let eventLoop: EventLoop
    let identity: EncodedIdentity
    let mapping: ChargingDiameterMapping
    let acknowledged: ChargingLedger
    let queue: ChargingPeerQueue
    let parties: ChargedParties?

    /// Sends a request to another open peer (the client's choice); false when none is open.
    /// Set by the client; every peer of a client runs on one event loop.
    var reroute: (QueuedChargingRequest) -> Bool = { _ in false }
    /// Called when the connection opens: the client moves to it what closed peers hold.
    var opened: () -> Void = {}
    /// Each session's OCS, shared by the client's peers (set by the client on the loop).
    var destinations: SessionDestinations? = nil
    /// Requests the loop moved here, sent before the ring's.
    var held = HeldRequests()
    /// Answers whose owner's queue was full, in order.
    var undelivered: [(queue: UnsafeMutableRawPointer, delivery: ChargingAnswerDelivery)] = []
    var deliveryRetryScheduled = false

    var channel: Channel? = nil
    /// Open once the CEA came (RFC 6733 §5.6's I-Open), until the connection closes.
    var open = false
    var watchdog: DiameterWatchdog
    var shuttingDown = false
    var backoff = TimeAmount.milliseconds(100)
    var openPromise: EventLoopPromise<Void>? = nil
    var closedPromise: EventLoopPromise<Void>? = nil
    var window: DiameterRequestWindow
    /// A slot unanswered this long is given up (the answer was lost): its owner's Tx fired long
    /// before.
    let slotExpiry: Int64
    var nextHopByHop: UInt32 = 1
    var counters: DiameterPeerCounters
    lazy var drainTask: () -> Void = { [unowned self] in self.drain() }
    // Byte-valued AVPs made once.
    let constants: PackedBytes
    let rfPrefix: UnsafeRawBufferPointer
    let roPrefix: UnsafeRawBufferPointer
    let destinationRealm: UnsafeRawBufferPointer
    let serviceContextID: UnsafeRawBufferPointer
    let subscriptionPrefix: UnsafeRawBufferPointer
    let scratch: UnsafeMutableRawPointer

    init(_ settings: DiameterPeerSettings, eventLoop: EventLoop, queue: ChargingPeerQueue) {
        host = settings.host
        port = settings.port
        self.eventLoop = eventLoop
        identity = settings.identity
        mapping = settings.mapping
        acknowledged = settings.acknowledged
        parties = settings.parties
        self.queue = queue
        window = DiameterRequestWindow(window: settings.window)
        slotExpiry = settings.slotExpiry
        watchdog = DiameterWatchdog(interval: settings.watchdogInterval, now: .now())
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
    }

    // MARK: Connection

    func connect() {
        guard !shuttingDown else { return }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(
                            DiameterFrameDecoder(maximumMessageSize: DiameterLimits.default.maximumMessageSize)
                        )
                    )
                    try channel.pipeline.syncOperations.addHandler(DiameterPeerHandler(connection: bound.value))
                }
            }
        bootstrap.connect(host: host, port: port).assumeIsolated().whenComplete { [unowned self] result in
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
        eventLoop.assumeIsolated().scheduleTask(in: delay) { [unowned self] in self.connect() }
    }

    /// The connection is up: send the CER (RFC 6733 §5.3).
    func active(_ context: ChannelHandlerContext) {
        counters.connects &+= 1
        watchdog.reset(at: .now())
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
        watchdog.heard(at: .now())
        frame.withUnsafeReadableBytes { raw in
            let m: DiameterMessage
            // An answer may carry AVPs with the M bit this codec does not know (a charging
            // system's vendor AVPs): counted, and the answer used; a request is refused (5001).
            let isAnswer = raw.count >= DiameterHeader.size && !DiameterHeader(unvalidated: raw).isRequest
            do throws(DiameterError) {
                m = try DiameterMessage(validating: raw, unknownMandatory: isAnswer ? .count : .refuse)
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
            if m.unknownMandatoryAVPs > 0 { countUnknown(m) }
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

    @inline(never)
    func countUnknown(_ m: DiameterMessage) {
        counters.unknownMandatoryAVPs &+= UInt64(m.unknownMandatoryAVPs)
        if counters.firstUnknownMandatoryAVP == nil, let f = m.firstUnknownMandatory {
            counters.firstUnknownMandatoryAVP =
                "AVP \(f.code)\(f.vendorID == 0 ? "" : " of vendor \(f.vendorID)") in command \(m.header.commandCode)"
        }
    }

    /// Writes one message, made by `body`, and flushes it.
    func send(_ channel: Channel, _ body: (inout DiameterEncoder) -> Void) {
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeDiameterMessage(body)
        channel.writeAndFlush(buffer, promise: nil)
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
        watchdog.reset(at: .now())
        queue.markOpen()
        backoff = .milliseconds(100)
        openPromise?.succeed()
        openPromise = nil
        opened()
        drain()
    }

    /// RFC 3539 §3.4.1: after Tw of silence a DWR; after another Tw without an answer, DOWN.
    func watchdogTick() {
        guard open, let channel else { return }
        switch watchdog.tick(now: .now()) {
        case .none: break
        case .closeConnection: channel.close(promise: nil)
        case .sendWatchdogRequest:
            counters.watchdogRequests &+= 1
            send(channel) {
                identity.peerControl(DiameterCommandCode.deviceWatchdog).encode(
                    into: &$0,
                    hopByHopID: 0,
                    endToEndID: nextHopByHop
                )
            }
        }
    }

    /// Sends a DPR (RFC 6733 §5.4) and completes `promise` when the connection closed (on the
    /// DPA, or after a second).
    func shutdown(_ promise: EventLoopPromise<Void>) {
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
}

/// The peer's channel handler: passes events to its ``DiameterPeerConnection``, on the loop.
final class DiameterPeerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let connection: DiameterPeerConnection

    init(connection: DiameterPeerConnection) { self.connection = connection }

    func channelActive(context: ChannelHandlerContext) {
        connection.active(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.inactive()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.received(unwrapInboundIn(data), context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        connection.readComplete()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
