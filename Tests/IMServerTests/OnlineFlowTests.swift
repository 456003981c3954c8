import Charging
import IMServer
import MSRP
import SIP
import Testing

/// Seed 001 on the wire: the CH-2 reservation's place in each set-up, a denial answered 403
/// with the Result-Code, and the conference set-up's fan-out to a URI list.
@Suite(.serialized) struct OnlineFlowTests {
    /// 6.3.3.1 as its figure draws it: CH-2 start before the INVITE is forwarded.
    @Test func oneToOneReservesBeforeForwardingTheInvite() throws {
        let h = try IMHarness(mode: .online, setup: .oneToOne)
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        caller.invite(recipient.uri, callID: "c1", path: "msrp://127.0.0.1:9/alices;tcp")
        let invite = try recipient.next()
        #expect(invite.method == .invite)
        #expect(h.server.report().charging.sent(.onlineInitial) == 1, "CH-2 start went before the INVITE was forwarded")
        _ = invite
    }

    /// 6.3.3.1 as its step 3 reads: the INVITE goes first, CH-2 start on the recipient's 200 OK.
    @Test func oneToOneOnAnswerReservesAfterTheRecipientAnswers() throws {
        let h = try IMHarness(mode: .online, setup: .oneToOneReserveOnAnswer)
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        caller.invite(recipient.uri, callID: "c2", path: "msrp://127.0.0.1:9/alices;tcp")
        let invite = try recipient.next()
        #expect(h.server.report().charging.sent(.onlineInitial) == 0, "no reservation before the recipient answers")
        let l = try TCPListener()
        recipient.respond(invite, 200, body: msrpOffer("msrp://127.0.0.1:\(l.port)/bobs;tcp"))
        let stream = try l.accept()
        let binding = try stream.frames(1)[0]
        stream.write(response(to: binding, 200))
        let ok = try caller.next()
        #expect(ok.statusCode == 200)
        #expect(h.server.report().charging.sent(.onlineInitial) == 1, "CH-2 start went before the 200 OK to the caller")
    }

    /// A denial: 403 with the Diameter Result-Code in a Reason header (RFC 3326), nothing
    /// forwarded.
    @Test func aCreditDenialIsAnswered403WithTheResultCode() throws {
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        model.denialShare = 1
        let h = try IMHarness(mode: .online, setup: .oneToOne, enabler: model)
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        caller.invite(recipient.uri, callID: "c3", path: "msrp://127.0.0.1:9/alices;tcp")
        let r = try caller.next()
        #expect(r.statusCode == 403)
        #expect(r.value("Reason") == "SIP;cause=403;text=\"4012 DIAMETER_CREDIT_LIMIT_REACHED\"")
        #expect(recipient.udp.receive(timeout: 0.3) == nil, "the INVITE was not forwarded")
        #expect(h.server.report().sessionsRefused == 1)
    }

    /// A refused set-up sends no stop or termination whose answer would drop the parties it
    /// recorded: the refusal drops them (a server refusing all day keeps none).
    @Test func aRefusedSetUpKeepsNoChargedParties() throws {
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        model.denialShare = 1
        let parties = ChargedParties()
        let h = try IMHarness(mode: .online, setup: .oneToOne, enabler: model) { $0.parties = parties }
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        caller.invite(recipient.uri, callID: "c4", path: "msrp://127.0.0.1:9/alices;tcp")
        #expect(try caller.next().statusCode == 403)
        #expect(parties.count == 0)
    }

    /// 6.3.3.2: 200 OK to the originator, CH-2 start, then the INVITE to each recipient of the
    /// RFC 5366 URI list; a chunk from the caller reaches all three.
    @Test func conferenceFansOutToTheURIListAndForwardsToEveryRecipient() throws {
        let h = try IMHarness(mode: .both, setup: .conference, interim: 0)
        defer { h.stop() }
        let recipients = try (0..<3).map { try TestUA("r\($0)", serverPort: h.bound.sipPort) }
        for r in recipients { try r.register() }
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        let list = recipients.map { "<entry uri=\"\($0.uri)\"/>" }.joined()
        let body =
            "--b1\r\nContent-Type: application/sdp\r\n\r\n"
            + String(decoding: msrpOffer("msrp://127.0.0.1:9/alices;tcp"), as: UTF8.self)
            + "\r\n--b1\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n"
            + "<?xml version=\"1.0\"?><resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list>\(list)</list></resource-lists>\r\n--b1--\r\n"
        caller.send(
            caller.request(
                "INVITE",
                uri: "sip:adhoc@example.test",
                to: "<sip:adhoc@example.test>",
                callID: "c4",
                extra: [("Require", "recipient-list-invite")],
                body: ("multipart/mixed;boundary=b1", Array(body.utf8))
            )
        )
        let ok = try caller.next()
        #expect(ok.statusCode == 200, "the originator has its 200 OK first (6.3.3.2 step 2)")
        caller.ack(ok, callID: "c4")
        var streams: [TCPStream] = []
        for r in recipients {
            let invite = try r.next()
            #expect(invite.method == .invite)
            let l = try TCPListener()
            r.respond(invite, 200, body: msrpOffer("msrp://127.0.0.1:\(l.port)/\(r.user)s;tcp"))
            let s = try l.accept()
            s.write(response(to: try s.frames(1)[0], 200))
            streams.append(s)
        }
        #expect(h.server.report().charging.sent(.onlineInitial) == 1)
        let path = try MSRPMediaDescription(parsing: ok.body).path[0]
        let port = Int(path.split(separator: ":")[2].split(separator: "/")[0])!
        let c = try TCPStream(connectingTo: port)
        c.write(
            "MSRP tid-1 SEND\r\nTo-Path: \(path)\r\nFrom-Path: msrp://127.0.0.1:9/alices;tcp\r\nMessage-ID: msg-1\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------tid-1$\r\n"
        )
        #expect(try c.frames(1)[0].status == 200)
        for s in streams {
            let f = try s.frames(1)[0]
            #expect(f.body == Array("hi".utf8) && f.flag == .end)
        }
        #expect(eventually { h.server.report().charging.sent(.offlineInterim) == 1 })
        #expect(h.server.report().media.chunksForwarded == 3)
    }
}
