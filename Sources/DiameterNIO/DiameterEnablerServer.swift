import Charging
import Diameter
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What an enabler server saw: requests by command, answers by Result-Code, refusals by the
/// codec's error code, connections.
public struct DiameterServerCounters: Sendable, Equatable {
    public var connections: UInt64 = 0
    public var capabilitiesExchanges: UInt64 = 0
    public var accountingRequests: UInt64 = 0
    public var creditControlRequests: UInt64 = 0
    public var watchdogRequests: UInt64 = 0
    public var disconnectRequests: UInt64 = 0
    /// Requests the model chose not to answer (``EmbeddedEnablerConfiguration/timeoutShare``).
    public var unanswered: UInt64 = 0
    public var answersByResultCode: [UInt32: UInt64] = [:]
    /// Requests refused by the codec, by Result-Code (each answered with Failed-AVP).
    public var errorsByResultCode: [UInt32: UInt64] = [:]

    public init() {}

    mutating func add(_ o: DiameterServerCounters) {
        connections += o.connections
        capabilitiesExchanges += o.capabilitiesExchanges
        accountingRequests += o.accountingRequests
        creditControlRequests += o.creditControlRequests
        watchdogRequests += o.watchdogRequests
        disconnectRequests += o.disconnectRequests
        unanswered += o.unanswered
        for (k, v) in o.answersByResultCode { answersByResultCode[k, default: 0] += v }
        for (k, v) in o.errorsByResultCode { errorsByResultCode[k, default: 0] += v }
    }
}

/// The Charging Enabler as a Diameter server (`msrpcharge enabler`): an OFCS for ACR and an OCS
/// for CCR with the embedded enabler's model (latency, grants, denials, lost requests, ledger),
/// over TCP with SwiftNIO. Every connection must open with a CER (RFC 6733 §5.3); DWR and DPR
/// are answered; a malformed request gets the Result-Code and Failed-AVP of RFC 6733 §7, never
/// a crash.
public final class DiameterEnablerServer: Sendable {
    public let enabler: EmbeddedChargingEnabler
    let identity: EncodedIdentity
    let unitsAreMessages: Bool
    let limits: DiameterLimits
    let journal: LedgerJournal?
    /// Share of ACRs and CCRs answered DIAMETER_TOO_BUSY (3004) without being charged.
    let busyShare: Double
    /// Share of ACRs answered DIAMETER_OUT_OF_SPACE (4002, a transient failure) without being
    /// charged: clients send them again.
    let transientShare: Double
    /// Refuse requests an operator's OCS/OFCS would (``ChargingDiameterMapping/require3GPP(_:)``).
    let require3GPP: Bool
    /// Answer CCAs with what an operator's OCS adds (``CreditControlAnswer/operatorAVPs``).
    let operatorAVPs: Bool
    let group: MultiThreadedEventLoopGroup
    let totals = NIOLockedValueBox(DiameterServerCounters())
    let open = NIOLockedValueBox([ObjectIdentifier: Channel]())
    let serverChannel: NIOLockedValueBox<Channel?> = NIOLockedValueBox(nil)

    public init(
        enabler: EmbeddedChargingEnabler,
        identity: DiameterLocalIdentity,
        unitsAreMessages: Bool = false,
        limits: DiameterLimits = .default,
        journal: LedgerJournal? = nil,
        busyShare: Double = 0,
        transientShare: Double = 0,
        require3GPP: Bool = false,
        operatorAVPs: Bool = false,
        threads: Int = 1
    ) {
        self.busyShare = busyShare
        self.transientShare = transientShare
        self.require3GPP = require3GPP
        self.operatorAVPs = operatorAVPs
        self.journal = journal
        self.enabler = enabler
        self.identity = EncodedIdentity(identity)
        self.unitsAreMessages = unitsAreMessages
        self.limits = limits
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    /// Starts listening; returns the port bound (useful with port 0). Blocks the calling thread.
    public func start(host: String, port: Int) throws -> Int {
        try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(DiameterFrameDecoder(maximumMessageSize: limits.maximumMessageSize))
                    )
                    try channel.pipeline.syncOperations.addHandler(EnablerConnectionHandler(server: self))
                }
            }
            .bind(host: host, port: port)
            .map { [self] channel in
                serverChannel.withLockedValue { $0 = channel }
                return channel.localAddress?.port ?? port
            }
            .wait()
    }

    /// Counters so far (connections still open report when they close, and on `stop`).
    public var counters: DiameterServerCounters { totals.withLockedValue { $0 } }

    /// Stops accepting, sends DPR to every connected peer and closes them (after their DPA or
    /// a second), then stops the loops.
    public func stop() {
        let loop = group.next()
        if let c = serverChannel.withLockedValue({ $0 }) { try? c.close().wait() }
        let channels = open.withLockedValue { Array($0.values) }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(EnablerConnectionHandler.Disconnect())
        }
        try? EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: loop).wait()
        try? group.syncShutdownGracefully()
    }

    /// Dies as a killed process would: every connection closed at once, no DPR, nothing more
    /// answered (what was journalled stays).
    public func abort() {
        let channels =
            open.withLockedValue { Array($0.values) } + (serverChannel.withLockedValue { $0 }.map { [$0] } ?? [])
        try? EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: group.next()).wait()
        try? group.syncShutdownGracefully()
    }

    func register(_ channel: Channel) { open.withLockedValue { $0[ObjectIdentifier(channel)] = channel } }
    func unregister(_ channel: Channel, _ counters: DiameterServerCounters) {
        open.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
        totals.withLockedValue { $0.add(counters) }
    }
}

/// One peer connection of the enabler server, on its event loop.
final class EnablerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Asks the connection to leave with a DPR (the server is stopping).
    struct Disconnect {}

    let server: DiameterEnablerServer
    var counters = DiameterServerCounters()
    var capabilitiesExchanged = false
    var pending: ByteBuffer? = nil
    /// Journal lines of the records charged since the last flush: written before the answers.
    var journalLines: [UInt8] = []
    var nextHopByHop: UInt32 = 1

    init(server: DiameterEnablerServer) { self.server = server }

    var identity: EncodedIdentity { server.identity }

    func channelActive(context: ChannelHandlerContext) {
        counters.connections += 1
        server.register(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.unregister(context.channel, counters)
        counters = DiameterServerCounters()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is Disconnect else { return context.fireUserInboundEventTriggered(event) }
        write(context) { e in
            identity.peerControl(DiameterCommandCode.disconnectPeer, cause: .rebooting)
                .encode(into: &e, hopByHopID: nextHopByHop, endToEndID: nextHopByHop)
        }
        nextHopByHop &+= 1
        flush(context)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let framing = error as? DiameterFramingError, framing.header.count == DiameterHeader.size {
            let e = framing.diameterError
            counters.errorsByResultCode[e.resultCode, default: 0] += 1
            framing.header.withUnsafeBytes { raw in
                if DiameterHeader(unvalidated: raw).isRequest {
                    write(context) {
                        DiameterErrorAnswer.encode(
                            e,
                            answering: raw,
                            originHost: identity.originHost,
                            originRealm: identity.originRealm,
                            into: &$0
                        )
                    }
                }
            }
            flush(context)
        }
        context.close(promise: nil)
    }

    /// Encodes into the buffer flushed at the end of the read.
    func write(_ context: ChannelHandlerContext, _ body: (inout DiameterEncoder) -> Void) {
        if pending == nil { pending = context.channel.allocator.buffer(capacity: 16 * 1024) }
        pending!.writeDiameterMessage(body)
    }

    func flush(_ context: ChannelHandlerContext) {
        writeJournal()
        guard let buffer = pending else { return }
        pending = nil
        context.writeAndFlush(NIOAny(buffer), promise: nil)
    }

    func writeJournal() {
        guard !journalLines.isEmpty, let journal = server.journal else { return }
        journal.write(journalLines)
        journalLines.removeAll(keepingCapacity: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        frame.withUnsafeReadableBytes { raw in handle(raw, context) }
    }

    func refuse(_ error: DiameterError, _ raw: UnsafeRawBufferPointer, _ context: ChannelHandlerContext) {
        counters.errorsByResultCode[error.resultCode, default: 0] += 1
        write(context) {
            DiameterErrorAnswer.encode(
                error,
                answering: raw,
                originHost: identity.originHost,
                originRealm: identity.originRealm,
                into: &$0
            )
        }
    }

    func handle(_ raw: UnsafeRawBufferPointer, _ context: ChannelHandlerContext) {
        let m: DiameterMessage
        do throws(DiameterError) {
            m = try DiameterMessage(validating: raw, limits: server.limits)
        } catch {
            if DiameterHeader(unvalidated: raw).isRequest { refuse(error, raw, context) }
            return
        }
        let h = m.header
        guard h.isRequest else {
            // The answer to our DPR: done.
            if h.commandCode == DiameterCommandCode.disconnectPeer { context.close(promise: nil) }
            return
        }
        do throws(DiameterError) {
            switch h.commandCode {
            case DiameterCommandCode.capabilitiesExchange:
                counters.capabilitiesExchanges += 1
                let cer = try CapabilitiesExchange(decoding: m)
                let common = identity.identity.applications.common(with: cer.applications)
                let code: UInt32 = common.isEmpty ? DiameterError.Code.noCommonApplication.rawValue : 2001
                write(context) { identity.capabilities(resultCode: code).encode(into: &$0, answering: h) }
                counters.answersByResultCode[code, default: 0] += 1
                if common.isEmpty {
                    flush(context)
                    context.close(promise: nil)
                } else {
                    capabilitiesExchanged = true
                }
                return
            case DiameterCommandCode.deviceWatchdog:
                counters.watchdogRequests += 1
                _ = try PeerControlMessage(decoding: m)
                write(context) {
                    identity.peerControl(DiameterCommandCode.deviceWatchdog, resultCode: 2001).encode(
                        into: &$0,
                        answering: h
                    )
                }
                return
            case DiameterCommandCode.disconnectPeer:
                counters.disconnectRequests += 1
                _ = try PeerControlMessage(decoding: m)
                write(context) {
                    identity.peerControl(DiameterCommandCode.disconnectPeer, resultCode: 2001).encode(
                        into: &$0,
                        answering: h
                    )
                }
                flush(context)
                context.close(promise: nil)
                return
            default: break
            }
            guard capabilitiesExchanged else {
                // RFC 6733 §5.3: nothing but a CER before the capabilities exchange.
                context.close(promise: nil)
                return
            }
            if server.busyShare > 0 {
                // A draw from the identifiers: each transmission draws anew.
                if EmbeddedChargingEnabler.draw(UInt64(h.hopByHopID) << 32 | UInt64(h.endToEndID)) < server.busyShare {
                    throw DiameterError(code: .tooBusy, reason: "the enabler sheds this request (--busy-share)")
                }
            }
            let now = monotonicNanoseconds()
            let request: ChargingRequest
            let sessionID: UnsafeRawBufferPointer
            switch h.commandCode {
            case DiameterCommandCode.accounting:
                counters.accountingRequests += 1
                let acr = try AccountingRequest(decoding: m)
                if server.transientShare > 0,
                    EmbeddedChargingEnabler.draw(UInt64(h.endToEndID) << 32 | UInt64(h.hopByHopID)) < server.transientShare
                {
                    throw DiameterError(code: .outOfSpace, reason: "the OFCS cannot take this record now (--transient-share)")
                }
                if server.require3GPP { try ChargingDiameterMapping.require3GPP(acr) }
                request = try ChargingDiameterMapping.request(
                    acr,
                    header: h,
                    now: now
                )
                sessionID = acr.sessionID
            case DiameterCommandCode.creditControl:
                counters.creditControlRequests += 1
                let ccr = try CreditControlRequest(decoding: m)
                if server.require3GPP { try ChargingDiameterMapping.require3GPP(ccr) }
                request = try ChargingDiameterMapping.request(
                    ccr,
                    header: h,
                    now: now
                )
                sessionID = ccr.sessionID
            default:
                throw DiameterError(
                    code: .commandUnsupported,
                    reason: "command \(h.commandCode) is not served by the Charging Enabler"
                )
            }
            let (answered, recorded) = server.enabler.answerRecording(request)
            if recorded && server.journal != nil { LedgerJournal.line(request, into: &journalLines) }
            guard let delivery = answered else {
                counters.unanswered += 1
                return
            }
            counters.answersByResultCode[delivery.answer.resultCode, default: 0] += 1
            let delay = delivery.arrivesAt &- now
            func encodeAnswer(_ e: inout DiameterEncoder) {
                ChargingDiameterMapping.encode(
                    delivery.answer,
                    answering: h,
                    sessionID: sessionID,
                    identity: (identity.originHost, identity.originRealm),
                    unitsAreMessages: server.unitsAreMessages,
                    operatorAVPs: server.operatorAVPs,
                    into: &e
                )
            }
            if delay <= 0 {
                write(context, encodeAnswer)
            } else {
                // The model's latency: the answer leaves when it is due (journalled first).
                writeJournal()
                var buffer = context.channel.allocator.buffer(capacity: 256)
                buffer.writeDiameterMessage(encodeAnswer)
                let channel = context.channel
                let answer = buffer
                context.eventLoop.scheduleTask(in: .nanoseconds(delay)) { channel.writeAndFlush(answer, promise: nil) }
            }
        } catch {
            refuse(error, raw, context)
        }
    }
}
