import ChannelSupport
import Charging
import Logging
import MSRP
import Metrics
import NIOCore
import SIP

/// The IM server's SIP side (RFC 3261): a registrar with its location service in memory, and
/// a back-to-back user agent that sets up each IM session in the order seed 001 draws for the
/// configured set-up, asking the session's worker (its charging pipeline) at each step.
///
/// Confined to one event loop (`loop`): SIP is the control plane, a few messages per session,
/// so one loop serves it and the workers' loops stay with the chunks.
final class SIPCore<Client: ChargingEnablerClient>: @unchecked Sendable {
    let loop: EventLoop
    let configuration: IMServerConfiguration
    let workers: [MSRPWorker<Client>]
    var minters: [SessionIDMinter]
    var udp: Channel? = nil
    /// Datagrams written in a turn of the loop leave in one flush at its end.
    let udpFlush = EndOfTurnFlush()
    /// The SIP port bound (the configured one, or the one picked for port 0).
    var sipPort: Int
    /// AOR (`user@host`) → binding.
    var registrar: [String: Registration] = [:]
    var calls: [String: SIPCall] = [:]
    var callsByCharged: [SessionKey: String] = [:]
    /// A recipient dialog's Call-ID → the caller's Call-ID.
    var callsByRecipientCallID: [String: String] = [:]
    var transactions = SIPTransactions()
    /// Client transactions and 2xx responses being re-sent over UDP, by key.
    var retransmissions: [String: Scheduled<Void>] = [:]
    var nextWorker = 0
    var sequence: UInt64
    var counters = SIPCounters()
    var accepting = true
    let logger: Logger
    /// INVITE in → 200 OK out, through swift-metrics (a Prometheus histogram when the command
    /// bootstraps one): the set-up includes the CH-2 reservation when the server charges online.
    let setupTimer = Metrics.Timer(label: "msrpcharge_sip_setup_seconds")

    init(loop: EventLoop, configuration: IMServerConfiguration, workers: [MSRPWorker<Client>], logger: Logger) {
        self.loop = loop
        self.configuration = configuration
        self.workers = workers
        minters = workers.map {
            SessionIDMinter(
                worker: $0.index,
                workers: workers.count,
                shardCount: $0.pipeline.table.shardCount,
                seed: UInt64(truncatingIfNeeded: monotonicNanoseconds()) &+ UInt64($0.index)
            )
        }
        sequence = UInt64(truncatingIfNeeded: monotonicNanoseconds())
        sipPort = configuration.sipPort
        self.logger = logger
    }

    /// A fresh token for tags, branches and Call-IDs (RFC 3261 §19.3: at least 32 bits random).
    func token() -> String {
        sequence &+= 0x9E37_79B9_7F4A_7C15
        return String(SplitMix64.mix(sequence), radix: 36)
    }

    var sipHostPort: String { "\(configuration.sipHost):\(sipPort)" }

    // MARK: Receiving

    /// A message from `peer`, already parsed and validated.
    func receive(_ message: SIPMessage, from peer: SIPPeer) {
        loop.preconditionInEventLoop()
        if message.isRequest {
            counters.requests[message.method.description, default: 0] &+= 1
            if let cached = transactions.cachedResponse(to: message) {
                counters.retransmissionsAbsorbed &+= 1
                send(cached, to: peer)
                return
            }
            request(message, from: peer)
        } else {
            counters.responsesReceived &+= 1
            response(message, from: peer)
        }
    }

    /// Bytes that are not a SIP message: a request whose head can be read is answered with
    /// 400 (505, 513) and the reason that names the fault (§21.4.1); anything else is dropped.
    func malformed(_ error: SIPParseError, _ bytes: [UInt8], from peer: SIPPeer) {
        counters.malformed &+= 1
        logger.info("SIP: malformed message from \(peer.description): \(error.reason)")
        guard let head = SIPParser.parseHeadLeniently(bytes), head.isRequest, head.method != .ack else { return }
        var r = SIPMessage.response(to: head, status: error.statusCode, reason: Self.phrase(error.reason))
        r.add("Server", "msrpcharge")
        send(r.encoded, to: peer)
    }

    /// A reason phrase from free text: one line, printable.
    static func phrase(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 }.prefix(200))
    }

    func request(_ m: SIPMessage, from peer: SIPPeer) {
        switch m.method {
        case .register: register(m, from: peer)
        case .options: respond(m, 200, to: peer, extra: [("Allow", Self.allow), ("Accept", "application/sdp")])
        case .invite: invite(m, from: peer)
        case .ack: ack(m)
        case .bye: bye(m, from: peer)
        case .cancel: cancel(m, from: peer)
        case .message, .info, .update, .prack, .subscribe, .notify, .refer:
            respond(m, 405, to: peer, extra: [("Allow", Self.allow)])
        case .other:
            respond(m, 501, to: peer)
        }
    }

    static var allow: String { "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER" }

    // MARK: Sending

    func send(_ bytes: [UInt8], to peer: SIPPeer) {
        switch peer {
        case .udp(let address):
            guard let udp else { return }
            let buffer = udp.allocator.buffer(bytes: bytes)
            udp.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
            udpFlush.request(udp)
        case .tcp(let channel):
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
        counters.messagesSent &+= 1
    }

    /// Answers `request` with `status`; final responses are kept for retransmitted requests.
    @discardableResult
    func respond(
        _ request: SIPMessage,
        _ status: Int,
        to peer: SIPPeer,
        reason: String? = nil,
        toTag: String? = nil,
        extra: [(String, String)] = [],
        body: (String, [UInt8])? = nil
    ) -> [UInt8] {
        var r = SIPMessage.response(
            to: request,
            status: status,
            reason: reason ?? SIPMessage.reasonPhrase(status),
            toTag: toTag ?? (status > 100 ? token() : nil)
        )
        for (name, value) in extra { r.add(name, value) }
        r.add("Server", "msrpcharge")
        if let (type, bytes) = body {
            r.add("Content-Type", type)
            r.body = bytes
        }
        let bytes = r.encoded
        counters.responsesSent[status, default: 0] &+= 1
        if status >= 200 { transactions.remember(bytes, answering: request, now: monotonicNanoseconds()) }
        send(bytes, to: peer)
        // A non-2xx final response to an INVITE over UDP is re-sent until its ACK (Timer G,
        // T1 doubling to T2) or for 64·T1 (Timer H), RFC 3261 §17.2.1: the client stopped
        // re-sending its INVITE when our 100 Trying came.
        if request.method == .invite, status >= 300, !peer.isReliable, let branch = try? request.topVia?.branch {
            retransmit("nx|" + branch, bytes, to: peer, capped: true) {}
        }
        return bytes
    }

    /// A request the server sends (§8.1.1): Via with our address and `branch` (a new one when
    /// nil), Max-Forwards 70, From, To, Call-ID and CSeq, `extra` after them. Returns the
    /// message and its branch.
    func request(
        _ method: SIPMethod,
        uri: String,
        over peer: SIPPeer,
        branch: String? = nil,
        from: String,
        to: String,
        callID: String,
        cseq: UInt32,
        extra: [(String, String)] = []
    ) -> (SIPMessage, String) {
        let branch = branch ?? "z9hG4bK" + token()
        var m = SIPMessage(.request(method: method, uri: uri))
        m.add("Via", "SIP/2.0/\(peer.transport) \(sipHostPort);branch=\(branch);rport")
        m.add("Max-Forwards", "70")
        m.add("From", from)
        m.add("To", to)
        m.add("Call-ID", callID)
        m.add("CSeq", "\(cseq) \(method)")
        for (name, value) in extra { m.add(name, value) }
        return (m, branch)
    }

    // MARK: Registrar (§10.3)

    func register(_ m: SIPMessage, from peer: SIPPeer) {
        do throws(SIPParseError) {
            let aor = try m.to.uri.addressOfRecord
            guard let contact = try m.contact else {
                if m.value("Contact")?.trimmingCharacters == "*" { registrar[aor] = nil }
                let current = registrar[aor].map { [("Contact", "<\($0.contact)>")] } ?? []
                respond(m, 200, to: peer, extra: current)
                return
            }
            let headerExpires = try m.expires
            let asked = contact.parameters["expires"].flatMap { Int($0) } ?? headerExpires ?? 3600
            let expires = min(asked, configuration.maximumExpires)
            if expires == 0 {
                registrar[aor] = nil
            } else {
                registrar[aor] = Registration(
                    contact: contact.uri,
                    peer: peer,
                    expiresAt: monotonicNanoseconds() &+ Int64(expires) * 1_000_000_000
                )
            }
            counters.registrations &+= 1
            respond(m, 200, to: peer, extra: expires == 0 ? [] : [("Contact", "<\(contact.uri)>;expires=\(expires)")])
        } catch {
            respond(m, 400, to: peer, reason: Self.phrase(error.reason))
        }
    }

    /// The binding for `uri`'s address-of-record, if one is registered and not expired.
    func lookup(_ uri: SIPURI) -> Registration? {
        let aor = uri.addressOfRecord
        guard let r = registrar[aor] else { return nil }
        if r.expiresAt < monotonicNanoseconds() {
            registrar[aor] = nil
            return nil
        }
        return r
    }
}

/// The SIP side's figures.
struct SIPCounters: Sendable {
    var requests: [String: UInt64] = [:]
    var responsesSent: [Int: UInt64] = [:]
    var responsesReceived: UInt64 = 0
    var messagesSent: UInt64 = 0
    var retransmissionsAbsorbed: UInt64 = 0
    var retransmissionsSent: UInt64 = 0
    var malformed: UInt64 = 0
    var registrations: UInt64 = 0
    var sessionsSetUp: UInt64 = 0
    var sessionsRefused: UInt64 = 0
    var sessionsEnded: UInt64 = 0
}

extension String {
    /// Without surrounding spaces (no Foundation).
    var trimmingCharacters: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
