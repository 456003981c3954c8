import ChannelSupport
import Charging
import Histogram
import MSRP
import NIOCore
import NIOPosix
import SIP

/// Both SIP ends of every session over one UDP socket (RFC 3261): recipient `i` registers as
/// `lr<i>` with this socket as its contact and answers the target's INVITE with the generator's
/// MSRP path; caller `i` INVITEs `lr<i>` with an MSRP offer, ACKs the 200 OK, connects to the
/// target's path, and at the end sends BYE. At most `concurrentSetups` sessions are being set
/// up at once (UDP has no flow control). Over UDP a request without its final response is
/// re-sent as RFC 3261 §17.1.1.2's Timer A does (each session's `pending` request).
///
/// Confined to its event loop.
final class SIPLoadClient: @unchecked Sendable {
    enum Phase { case idle, registering, inviting, connecting, ready, failed, byeSent, done }

    struct Session {
        var phase = Phase.idle
        var callID = ""
        var tag = ""
        var inviteSentAt: Int64 = 0
        var byeSentAt: Int64 = 0
        var remoteTo = ""
        var remoteTarget = ""
        var caller: CallerHandler? = nil
        /// The session-id of the server's URI for the caller (the last of its path): the name
        /// the server charges the session under, which `reconcile` matches with its ledger.
        var serverSessionID = ""
        /// The request waiting for its final response, and when it was last sent: re-sent
        /// over UDP until answered (RFC 3261 §17.1.1.2 Timer A, §17.1.2.2 Timer E).
        var pending: SIPMessage? = nil
        var lastSentAt: Int64 = 0
        var retransmissions = 0
    }

    let loop: EventLoop
    /// Datagrams written in a turn of the loop leave in one flush at its end.
    let udpFlush = EndOfTurnFlush()
    let group: EventLoopGroup
    let configuration: LoadConfiguration
    let plan: SendPlan
    /// The figures of each loop, for the callers made on it.
    let stats: PerLoopStats
    let msrpListenPort: Int
    var channel: Channel? = nil
    var localPort = 0
    var sessions: [Session]
    var next = 0
    var settled = 0
    var inFlight = 0
    let concurrentSetups = 256
    var setUp: EventLoopPromise<Void>
    var byes: EventLoopPromise<Void>? = nil
    var byesPending = 0
    var setupLatency = LoopStats.histogram()
    var byeLatency = LoopStats.histogram()
    var failures: [Int: UInt64] = [:]
    var retransmissionsSent: UInt64 = 0
    var retransmitter: RepeatedTask? = nil
    let nonce: String

    /// The target's SIP address, resolved once by the runner.
    let target: SocketAddress
    /// The whole run's index of `sessions[0]` (`--partition`): names, Call-IDs and random
    /// streams use the whole run's index `first + i`, so partitions never overlap.
    let first: Int

    /// The whole run's index of local session `i`.
    @inline(__always) func global(_ i: Int) -> Int { first + i }

    /// The local index of the whole run's session `g`, nil if another partition's.
    func local(_ g: Int) -> Int? {
        let i = g - first
        return i >= 0 && i < sessions.count ? i : nil
    }

    init(
        loop: EventLoop,
        group: EventLoopGroup,
        configuration: LoadConfiguration,
        target: SocketAddress,
        plan: SendPlan,
        stats: PerLoopStats,
        msrpListenPort: Int
    ) {
        self.stats = stats
        self.loop = loop
        self.target = target
        self.group = group
        self.configuration = configuration
        self.plan = plan
        self.msrpListenPort = msrpListenPort
        first = configuration.sessionRange.lowerBound
        sessions = Array(repeating: Session(), count: configuration.sessionRange.count)
        setUp = loop.makePromise()
        nonce = String(UInt64(truncatingIfNeeded: monotonicNanoseconds()) % 1_000_000_007, radix: 36)
    }

    var host: String { configuration.msrpListenHost }

    var contactTransport: String { configuration.sipOverTCP ? ";transport=tcp" : "" }

    /// Sends `m` for session `i` and keeps it to re-send until its final response comes.
    func sendRequest(_ m: SIPMessage, session i: Int) {
        sessions[i].pending = m
        sessions[i].lastSentAt = monotonicNanoseconds()
        sessions[i].retransmissions = 0
        send(m)
    }

    /// Every 100 ms: requests unanswered for T1 (500 ms), doubling to 4 s, are sent again.
    func startRetransmitting() {
        guard !configuration.sipOverTCP else { return }  // TCP is reliable (§17.1.1.2: no Timer A)
        retransmitter = loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) {
            [weak self] _ in
            guard let self else { return }
            let now = monotonicNanoseconds()
            for i in self.sessions.indices {
                guard let m = self.sessions[i].pending else { continue }
                let wait = min(Int64(500_000_000) << self.sessions[i].retransmissions, 4_000_000_000)
                guard now &- self.sessions[i].lastSentAt >= wait else { continue }
                self.sessions[i].lastSentAt = now
                self.sessions[i].retransmissions += 1
                self.retransmissionsSent &+= 1
                self.send(m)
            }
        }
    }

    /// The TCP connection to the target, when SIP runs over TCP.
    var stream: Channel? = nil

    var transport: String { configuration.sipOverTCP ? "TCP" : "UDP" }

    func send(_ m: SIPMessage) {
        if let stream {
            stream.writeAndFlush(stream.allocator.buffer(bytes: m.encoded), promise: nil)
            return
        }
        guard let channel else { return }
        channel.write(
            AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: m.encoded)),
            promise: nil
        )
        udpFlush.request(channel)
    }

    /// A request of ours. The branch names its transaction uniquely (§8.1.1.7: a hash of the
    /// Call-ID collided among thousands of sessions, and the server answered a REGISTER with
    /// another session's cached response).
    func request(_ method: SIPMethod, uri: String, from: String, to: String, callID: String, cseq: Int) -> SIPMessage {
        var m = SIPMessage(.request(method: method, uri: uri))
        m.add(
            "Via",
            "SIP/2.0/\(transport) \(host):\(localPort);branch=z9hG4bK-\(callID)-\(cseq)\(method);rport"
        )
        m.add("Max-Forwards", "70")
        m.add("From", from)
        m.add("To", to)
        m.add("Call-ID", callID)
        m.add("CSeq", "\(cseq) \(method)")
        return m
    }

    /// The URI caller `i` INVITEs: its own recipient `lr<i>`, or the external one.
    func recipientURI(_ i: Int) -> String {
        configuration.externalRecipientURI(global(i)) ?? "sip:lr\(global(i))@load.test"
    }
    func callerURI(_ i: Int) -> String { "sip:lc\(global(i))@load.test" }

    // MARK: Set-up

    /// Starts as many set-ups as the concurrency (and the set-up rate) allows.
    func startMore() {
        loop.preconditionInEventLoop()
        while inFlight < concurrentSetups && next < sessions.count {
            let i = next
            next += 1
            inFlight += 1
            if let rate = configuration.setupRate {
                let delay = Int64(Double(i) / rate * 1e9)
                loop.scheduleTask(in: .nanoseconds(delay)) { self.register(i) }
            } else {
                register(i)
            }
        }
    }

    /// Recipient `k` of session `i`: `lr<i>`, or `lr<i>x<k>` in a conference.
    func recipientUser(_ i: Int, _ k: Int) -> String {
        configuration.recipientsPerSession == 1 ? "lr\(global(i))" : "lr\(global(i))x\(k)"
    }

    /// The session a recipient user names, nil if none.
    func session(ofRecipient user: String) -> Int? {
        guard user.hasPrefix("lr"), let g = Int(user.dropFirst(2).prefix { $0 != "x" }) else { return nil }
        return local(g)
    }

    /// Registers session `i`'s recipient `k` (one after another; the INVITE follows the last).
    func register(_ i: Int, _ k: Int = 0) {
        sessions[i].phase = .registering
        sessions[i].tag = "t\(global(i))x\(nonce)"
        guard configuration.externalRecipient == nil else {
            invite(i)  // someone else's recipient, registered by itself
            return
        }
        let user = recipientUser(i, k)
        var m = request(
            .register,
            uri: "sip:load.test",
            from: "<sip:\(user)@load.test>;tag=r\(sessions[i].tag)",
            to: "<sip:\(user)@load.test>",
            callID: "ld-reg-\(global(i))-\(nonce)-\(k)",
            cseq: 1
        )
        m.add("Contact", "<sip:\(user)@\(host):\(localPort)\(contactTransport)>")
        m.add("Expires", "3600")
        sendRequest(m, session: i)
    }

    func invite(_ i: Int) {
        sessions[i].phase = .inviting
        sessions[i].callID = "ld-call-\(global(i))-\(nonce)"
        let media = MSRPMediaDescription(
            port: 9,
            acceptTypes: ["text/plain"],
            path: ["msrp://\(host):9/lc\(global(i));tcp"]
        )
        let conference = configuration.recipientsPerSession > 1
        let target =
            conference ? "sip:adhoc\(i)@load.test" : recipientURI(i)
        var m = request(
            .invite,
            uri: target,
            from: "<\(callerURI(i))>;tag=\(sessions[i].tag)",
            to: "<\(target)>",
            callID: sessions[i].callID,
            cseq: 1
        )
        m.add("Contact", "<sip:lc\(global(i))@\(host):\(localPort)\(contactTransport)>")
        if conference {
            // An ad-hoc group (RFC 5366 §4): the SDP offer and the URI list in multipart/mixed.
            let entries = (0..<configuration.recipientsPerSession).map {
                "<entry uri=\"sip:\(recipientUser(i, $0))@load.test\"/>"
            }.joined()
            let body =
                "--b\(nonce)\r\nContent-Type: application/sdp\r\n\r\n"
                + String(decoding: media.sdp(address: host), as: UTF8.self)
                + "\r\n--b\(nonce)\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n"
                + "<?xml version=\"1.0\"?><resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list>\(entries)</list></resource-lists>"
                + "\r\n--b\(nonce)--\r\n"
            m.add("Require", "recipient-list-invite")
            m.add("Content-Type", "multipart/mixed;boundary=b\(nonce)")
            m.body = Array(body.utf8)
        } else {
            m.add("Content-Type", "application/sdp")
            m.body = media.sdp(address: host)
        }
        sessions[i].inviteSentAt = monotonicNanoseconds()
        sendRequest(m, session: i)
    }

    func settle(_ i: Int, failedWith status: Int?) {
        if let status {
            sessions[i].phase = .failed
            failures[status, default: 0] &+= 1
        } else {
            sessions[i].phase = .ready
        }
        settled += 1
        inFlight -= 1
        if settled == sessions.count { setUp.succeed() } else { startMore() }
    }

    // MARK: Receiving

    func receive(_ m: SIPMessage) {
        if m.isRequest {
            recipientRequest(m)
        } else {
            response(m)
        }
    }

    /// The target's requests to our recipients: INVITE (answered 200 with our MSRP path),
    /// ACK, BYE.
    func recipientRequest(_ m: SIPMessage) {
        switch m.method {
        case .invite:
            let user = (try? SIPURI(parsing: m.requestURI ?? ""))?.user ?? ""
            guard session(ofRecipient: user) != nil else {
                answer(m, 404)
                return
            }
            let media = MSRPMediaDescription(
                port: msrpListenPort,
                acceptTypes: ["text/plain"],
                path: ["msrp://\(host):\(msrpListenPort)/\(user);tcp"]
            )
            answer(
                m,
                200,
                contact: "<sip:\(user)@\(host):\(localPort)\(contactTransport)>",
                sdp: media.sdp(address: host)
            )
        case .bye, .options, .cancel:
            answer(m, 200)
        default:
            break
        }
    }

    func answer(_ m: SIPMessage, _ status: Int, contact: String? = nil, sdp: [UInt8]? = nil) {
        var r = SIPMessage.response(to: m, status: status, reason: SIPMessage.reasonPhrase(status), toTag: "g\(nonce)")
        if let contact { r.add("Contact", contact) }
        if let sdp {
            r.add("Content-Type", "application/sdp")
            r.body = sdp
        }
        send(r)
    }

    func response(_ m: SIPMessage) {
        guard let callID = try? m.callID, let status = m.statusCode, status >= 200 else { return }
        // Our Call-IDs: `ld-reg-<session>-<nonce>-<recipient>` and `ld-call-<session>-<nonce>`,
        // split on the UTF-8 view (a Character split was a tenth of the generator's set-up).
        let parts = callID.utf8.split(separator: UInt8(ascii: "-"), maxSplits: 4)
        guard parts.count >= 3, let g = Int(Substring(parts[2])), let i = local(g) else { return }
        if let pending = sessions[i].pending, pending.method == m.method { sessions[i].pending = nil }
        let kind = Substring(parts[1])
        switch (kind, m.method) {
        case ("reg", .register):
            guard sessions[i].phase == .registering else { return }
            let k = parts.count >= 5 ? Int(Substring(parts[4])) ?? 0 : 0
            guard status == 200 else {
                settle(i, failedWith: status)
                return
            }
            if k + 1 < configuration.recipientsPerSession { register(i, k + 1) } else { invite(i) }
        case ("call", .invite):
            guard sessions[i].phase == .inviting else {
                // A 2xx re-sent because our ACK was lost: ACK it again (§13.2.2.4).
                if status == 200, sessions[i].phase != .idle { sendAck(i, callID: callID, to: m.value("To") ?? "") }
                return
            }
            guard status == 200 else {
                // The ACK of a non-2xx final response is part of the INVITE transaction
                // (§17.1.1.3): the INVITE's Via (its branch), the response's To.
                var ack = request(
                    .ack,
                    uri: recipientURI(i),
                    from: "<\(callerURI(i))>;tag=\(sessions[i].tag)",
                    to: m.value("To") ?? "",
                    callID: callID,
                    cseq: 1
                )
                if let via = m.value("Via") { ack.set("Via", via) }
                send(ack)
                settle(i, failedWith: status)
                return
            }
            _ = setupLatency.record(UInt64(max(1, monotonicNanoseconds() &- sessions[i].inviteSentAt)))
            sessions[i].remoteTo = m.value("To") ?? ""
            sessions[i].remoteTarget =
                ((try? m.contact)?.uri.description) ?? "sip:\(configuration.targetHost):\(configuration.targetPort)"
            sendAck(i, callID: callID, to: sessions[i].remoteTo)
            guard let path = try? MSRPMediaDescription(parsing: m.body).path, !path.isEmpty else {
                settle(i, failedWith: 488)
                return
            }
            connect(i, path: path)
        case ("call", .bye):
            guard sessions[i].phase == .byeSent else { return }
            sessions[i].phase = .done
            _ = byeLatency.record(UInt64(max(1, monotonicNanoseconds() &- sessions[i].byeSentAt)))
            byeSettled()
        default:
            break
        }
    }

    func sendAck(_ i: Int, callID: String, to: String) {
        send(
            request(
                .ack,
                uri: sessions[i].remoteTarget,
                from: "<\(callerURI(i))>;tag=\(sessions[i].tag)",
                to: to,
                callID: callID,
                cseq: 1
            )
        )
    }

    // MARK: MSRP

    /// Connects caller `i` to the target's path (its first hop, or the relay) and binds it.
    func connect(_ i: Int, path: [String]) {
        sessions[i].phase = .connecting
        if let last = path.last, let slash = last.lastIndex(of: "/") {
            sessions[i].serverSessionID = String(last[last.index(after: slash)...].prefix { $0 != ";" })
        }
        let relay = configuration.relayHost.map { ($0, configuration.relayPort) }
        guard let (h, p) = relay ?? MSRPURI.firstHop(of: Array(path[0].utf8)) else {
            settle(i, failedWith: 488)
            return
        }
        // Through a relay, the relay's URI goes first in the To-Path (RFC 4976 §6).
        let hops = relay.map { ["msrp://\($0.0):\($0.1)/ld\(global(i));tcp"] } ?? []
        let toPath = Array((hops + path).joined(separator: " ").utf8)
        let fromPath = Array("msrp://\(host):9/lc\(global(i));tcp".utf8)
        let plan = self.plan
        let client = self
        let connectLoop = group.next()
        ClientBootstrap(group: connectLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = CallerHandler(
                        session: client.global(i),
                        plan: plan,
                        toPath: toPath,
                        fromPath: fromPath,
                        fromPathFromLocalPort: relay != nil,
                        allocator: channel.allocator,
                        stats: client.stats(channel.eventLoop)
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            // A literal address is connected to directly; a name is resolved off the loop.
            .connect(literalOrName: h, port: p)
            .whenComplete { result in
                // On the connection's loop: its pipeline is read there, then the SIP loop learns.
                switch result {
                case .success(let channel):
                    let handler = try? channel.pipeline.syncOperations.handler(type: CallerHandler.self)
                    client.loop.execute {
                        client.sessions[i].caller = handler
                        client.settle(i, failedWith: handler == nil ? 503 : nil)
                    }
                case .failure:
                    client.loop.execute { client.settle(i, failedWith: 503) }
                }
            }
    }

    // MARK: Teardown

    func byeAll() -> EventLoopFuture<Void> {
        let p = loop.makePromise(of: Void.self)
        byes = p
        for i in sessions.indices where sessions[i].phase == .ready {
            sessions[i].phase = .byeSent
            sessions[i].byeSentAt = monotonicNanoseconds()
            byesPending += 1
            sendRequest(
                request(
                    .bye,
                    uri: sessions[i].remoteTarget,
                    from: "<\(callerURI(i))>;tag=\(sessions[i].tag)",
                    to: sessions[i].remoteTo,
                    callID: sessions[i].callID,
                    cseq: 2
                ),
                session: i
            )
        }
        if byesPending == 0 { p.succeed() }
        return p.futureResult
    }

    func byeSettled() {
        byesPending -= 1
        if byesPending == 0 { byes?.succeed() }
    }
}

/// The UDP handler: datagrams to the client, parsed.
final class SIPLoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let client: SIPLoadClient
    var malformed: UInt64 = 0

    init(client: SIPLoadClient) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        guard let m = try? SIPParser.parse(bytes) else {
            malformed &+= 1
            return
        }
        client.receive(m)
    }
}

/// SIP over TCP from the target: messages framed by Content-Length, to the client.
final class SIPLoadStreamHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let client: SIPLoadClient
    var framer = SIPStreamFramer()

    init(client: SIPLoadClient) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        unwrapInboundIn(data).withUnsafeReadableBytes { framer.append($0) }
        do {
            while let m = try framer.next() { client.receive(m) }
        } catch {
            context.close(promise: nil)
        }
    }
}
