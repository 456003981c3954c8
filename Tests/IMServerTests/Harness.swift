import Charging
import Glibc
import IMServer
import Logging
import MSRP
import SIP
import Testing

/// A SIP user agent over UDP, written from the RFC 3261 examples: what a test client sends.
final class TestUA {
    let user: String
    let udp: UDPPeer
    let serverPort: Int
    var cseq: UInt32 = 1
    let tag: String

    init(_ user: String, serverPort: Int) throws {
        self.user = user
        udp = try UDPPeer()
        self.serverPort = serverPort
        tag = "t\(user)\(Int.random(in: 1000...9999))"
    }

    var uri: String { "sip:\(user)@example.test" }
    var contact: String { "<sip:\(user)@127.0.0.1:\(udp.port)>" }

    func request(
        _ method: String,
        uri target: String,
        to: String,
        callID: String,
        extra: [(String, String)] = [],
        body: (String, [UInt8])? = nil
    ) -> SIPMessage {
        var m = SIPMessage(.request(method: SIPMethod(method), uri: target))
        m.add("Via", "SIP/2.0/UDP 127.0.0.1:\(udp.port);branch=z9hG4bK\(Int.random(in: 0..<Int.max))")
        m.add("Max-Forwards", "70")
        m.add("From", "<\(uri)>;tag=\(tag)")
        m.add("To", to)
        m.add("Call-ID", callID)
        m.add("CSeq", "\(cseq) \(method)")
        m.add("Contact", contact)
        for (n, v) in extra { m.add(n, v) }
        if let (type, bytes) = body {
            m.add("Content-Type", type)
            m.body = bytes
        }
        cseq += 1
        return m
    }

    func send(_ m: SIPMessage) { udp.send(m.encoded, to: serverPort) }

    /// An INVITE to `target` offering MSRP with `path` (RFC 4975 §8); sent, and returned.
    @discardableResult
    func invite(_ target: String, callID: String, path: String = "msrp://127.0.0.1:9/caller;tcp") -> SIPMessage {
        let m = request(
            "INVITE",
            uri: target,
            to: "<\(target)>",
            callID: callID,
            body: ("application/sdp", msrpOffer(path))
        )
        send(m)
        return m
    }

    /// The next message, provisional responses skipped unless asked for.
    func next(timeout: Double = 5, provisional: Bool = false) throws -> SIPMessage {
        let deadline = now() + timeout
        while now() < deadline {
            guard let bytes = udp.receive(timeout: max(0.01, deadline - now())) else { break }
            let m = try SIPParser.parse(bytes)
            if !provisional, let s = m.statusCode, s < 200 { continue }
            return m
        }
        throw SocketError("\(user): no SIP message within \(timeout) s")
    }

    func register(expires: Int = 3600) throws {
        send(
            request(
                "REGISTER",
                uri: "sip:example.test",
                to: "<\(uri)>",
                callID: "reg-\(user)-\(tag)",
                extra: [("Expires", "\(expires)")]
            )
        )
        let r = try next()
        #expect(r.statusCode == 200)
    }

    func respond(_ request: SIPMessage, _ status: Int, toTag: String? = nil, body: [UInt8]? = nil) {
        var r = SIPMessage.response(
            to: request,
            status: status,
            reason: SIPMessage.reasonPhrase(status),
            toTag: toTag ?? tag
        )
        r.add("Contact", contact)
        if let body {
            r.add("Content-Type", "application/sdp")
            r.body = body
        }
        udp.send(r.encoded, to: serverPort)
    }

    func ack(_ response: SIPMessage, callID: String) {
        var m = request(
            "ACK",
            uri: "sip:msrpcharge@127.0.0.1:\(serverPort)",
            to: response.value("To") ?? "",
            callID: callID
        )
        m.set("CSeq", "\(cseq - 2) ACK")
        send(m)
    }
}

func msrpOffer(_ path: String) -> [UInt8] {
    MSRPMediaDescription(port: 9, acceptTypes: ["text/plain"], path: [path]).sdp(address: "127.0.0.1")
}

/// A server with the embedded enabler, and the peers of one session around it.
final class IMHarness {
    let server: IMServer<EmbeddedChargingEnabler>
    let enabler: EmbeddedChargingEnabler
    let bound: IMServer<EmbeddedChargingEnabler>.Bound

    init(
        mode: ChargingMode = .offline,
        setup: SessionSetup = .oneToOne,
        interim: Int64 = 0,
        workers: Int = 2,
        enabler model: EmbeddedEnablerConfiguration = {
            var e = EmbeddedEnablerConfiguration()
            e.latency = .fixed(0)
            e.interimInterval = nil
            return e
        }(),
        configure: (inout IMServerConfiguration) -> Void = { _ in }
    ) throws {
        var c = IMServerConfiguration()
        c.sipPort = 0
        c.msrpPort = 0
        c.workers = workers
        c.charging.mode = mode
        c.charging.setup = setup
        c.charging.defaultInterimInterval = interim
        c.charging.txTimeout = 500_000_000
        c.keepClosedSessions = true
        c.expectedSessions = 1024
        configure(&c)
        enabler = EmbeddedChargingEnabler(model, expectedSessions: 1024)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        server = IMServer(configuration: c, client: enabler, answerPoll: nil, logger: logger)
        bound = try server.start()
    }

    func stop() { server.shutdown(waitingUpTo: 1_000_000_000) }
}

/// One established one-to-one session: caller and recipient UAs, the caller's MSRP connection
/// to the server, the server's connection to the recipient (binding SEND answered).
/// Unchecked: a test may write the caller's stream from one thread while it reads the recipient's.
struct OneToOne: @unchecked Sendable {
    let caller: TestUA
    let recipient: TestUA
    let callID: String
    let callerStream: TCPStream
    let recipientStream: TCPStream
    let serverPathForCaller: String
    let serverPathForRecipient: String
    let callerPath: String
    let recipientPath: String
    let recipientInvite: SIPMessage
    let ok: SIPMessage

    static func establish(_ h: IMHarness, listener: TCPListener? = nil) throws -> OneToOne {
        try establish(sipPort: h.bound.sipPort, listener: listener)
    }

    static func establish(sipPort: Int, listener: TCPListener? = nil) throws -> OneToOne {
        let caller = try TestUA("alice\(Int.random(in: 0..<1_000_000))", serverPort: sipPort)
        let recipient = try TestUA("bob\(Int.random(in: 0..<1_000_000))", serverPort: sipPort)
        try recipient.register()
        let l = try listener ?? TCPListener()
        let callID = "call-\(Int.random(in: 0..<Int.max))"
        let callerPath = "msrp://127.0.0.1:9/\(caller.user)s;tcp"
        caller.send(
            caller.request(
                "INVITE",
                uri: recipient.uri,
                to: "<\(recipient.uri)>",
                callID: callID,
                body: ("application/sdp", msrpOffer(callerPath))
            )
        )
        let trying = try caller.next(provisional: true)
        #expect(trying.statusCode == 100)
        let invite = try recipient.next()
        #expect(invite.method == .invite)
        let serverPathForRecipient = try MSRPMediaDescription(parsing: invite.body).path.joined(separator: " ")
        let recipientPath = "msrp://127.0.0.1:\(l.port)/\(recipient.user)s;tcp"
        recipient.respond(invite, 200, body: msrpOffer(recipientPath))
        let recipientStream = try l.accept()
        let binding = try recipientStream.frames(1)[0]
        #expect(binding.method == "SEND" && binding.body.isEmpty)
        #expect(binding.toPath == recipientPath)
        #expect(binding.fromPath == serverPathForRecipient)
        recipientStream.write(response(to: binding, 200))
        let ack = try recipient.next()
        #expect(ack.method == .ack)
        let ok = try caller.next()
        #expect(ok.statusCode == 200)
        caller.ack(ok, callID: callID)
        let serverPathForCaller = try MSRPMediaDescription(parsing: ok.body).path.joined(separator: " ")
        let port = Int(serverPathForCaller.split(separator: ":")[2].split(separator: "/")[0])!
        let callerStream = try TCPStream(connectingTo: port)
        return OneToOne(
            caller: caller,
            recipient: recipient,
            callID: callID,
            callerStream: callerStream,
            recipientStream: recipientStream,
            serverPathForCaller: serverPathForCaller,
            serverPathForRecipient: serverPathForRecipient,
            callerPath: callerPath,
            recipientPath: recipientPath,
            recipientInvite: invite,
            ok: ok
        )
    }

    /// A SEND chunk from the caller to the server (RFC 4975 §7.1.1's shape).
    func send(
        tid: String,
        messageID: String,
        range: String,
        body: String,
        flag: Character = "$",
        failureReport: String? = nil,
        toPath: String? = nil
    ) -> String {
        var s =
            "MSRP \(tid) SEND\r\nTo-Path: \(toPath ?? serverPathForCaller)\r\nFrom-Path: \(callerPath)\r\nMessage-ID: \(messageID)\r\nByte-Range: \(range)\r\n"
        if let failureReport { s += "Failure-Report: \(failureReport)\r\n" }
        s += "Content-Type: text/plain\r\n\r\n\(body)\r\n-------\(tid)\(flag)\r\n"
        return s
    }
}

/// A 200 (or other) response to a received request.
func response(to f: ReceivedFrame, _ status: Int) -> [UInt8] {
    let firstTo = f.toPath.split(separator: " ").first.map(String.init) ?? ""
    return Array(
        "MSRP \(f.tid) \(status) OK\r\nTo-Path: \(f.fromPath)\r\nFrom-Path: \(firstTo)\r\n-------\(f.tid)$\r\n".utf8
    )
}

/// Polls `condition` (the server's figures change on its loops) until it holds or 5 s pass.
func eventually(_ timeout: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = now() + timeout
    while now() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
