import Charging
import Glibc
import IMServer
import MSRP
import SIP
import Testing

/// What goes wrong on the wire, and that every byte accepted is still charged once.
@Suite(.serialized) struct FaultTests {
    @Test func aRecipientThatDiesMidMessageEndsTheSessionAndItsBytesAreChargedOnce() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-5/10", body: "hello", flag: "+"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        _ = try s.recipientStream.frames(1)
        close(s.recipientStream.fd)  // the recipient dies in the middle of the message
        let bye = try s.caller.next()
        #expect(bye.method == .bye, "the caller's dialog ends")
        #expect(bye.value("Reason")?.contains("MSRP connection closed") == true)
        s.caller.respond(bye, 200)
        #expect(s.callerStream.closedByPeer())
        #expect(eventually { h.server.report().charging.sent(.offlineStop) == 1 })
        #expect(
            eventually { h.enabler.ledger.totals.offline.bytes == 5 },
            "the 5 accepted bytes are charged by the stop"
        )
        #expect(h.enabler.ledger.totals.offline.abortedMessages == 1, "the message ends as aborted")
        #expect(h.enabler.ledger.totals.offline.messages == 0)
        #expect(h.server.report().pipeline.accepted.bytes == 5)
        #expect(h.server.report().media.messagesAbortedByMedia == 1)
    }

    @Test func aSenderThatStopsMidChunkIsClosedAfterTheIdleTimeoutAndWhatItSentIsCharged() throws {
        let h = try IMHarness(mode: .offline, interim: 0) { $0.idleTimeout = 300_000_000 }
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-5/12", body: "hello", flag: "+"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        _ = try s.recipientStream.frames(1)
        // Half a chunk, then silence.
        s.callerStream.write(
            "MSRP aaa2 SEND\r\nTo-Path: \(s.serverPathForCaller)\r\nFrom-Path: \(s.callerPath)\r\nMessage-ID: msg-1\r\nByte-Range: 6-12/12\r\nContent-Type: text/plain\r\n\r\n wor"
        )
        #expect(s.callerStream.closedByPeer(timeout: 3), "closed after the idle timeout")
        // The recipient learns the message ended there: a `#` chunk, no body, where it stopped.
        let abort = try s.recipientStream.frames(1)[0]
        #expect(abort.method == "SEND" && abort.flag == .aborted && abort.body.isEmpty)
        #expect(abort.messageID == "msg-1" && abort.byteRange == ByteRange(start: 6, end: 5, total: 12))
        let bye = try s.recipient.next()
        #expect(bye.method == .bye)
        #expect(
            eventually { h.enabler.ledger.totals.offline.bytes == 5 },
            "the accepted chunk is charged; the cut one was never accepted"
        )
        #expect(h.enabler.ledger.totals.offline.abortedMessages == 1, "and the message is charged as aborted")
        #expect(h.server.report().media.idleClosed == 1)
    }

    @Test func gracefulShutdownEndsSessionsAndTheStopCarriesUsageTheIntervalHeldBack() throws {
        // A 10 s interval: the message's interim is held back, so only the stop can carry it.
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        let h = try IMHarness(mode: .offline, interim: 10_000_000_000, enabler: model)
        let s = try OneToOne.establish(h)
        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-7/7", body: "pending", flag: "$"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        _ = try s.recipientStream.frames(1)
        #expect(h.server.report().charging.sent(.offlineInterim) == 0)
        let report = h.server.shutdown(waitingUpTo: 2_000_000_000)
        #expect(report.charging.sent(.offlineStop) == 1)
        #expect(h.enabler.ledger.totals.offline.bytes == 7)
        #expect(h.enabler.ledger.totals.offline.messages == 1)
        #expect(try s.caller.next().method == .bye)
        #expect(try s.recipient.next().method == .bye)
    }

    @Test func badSIPIsAnswered400WithTheFaultAndTheServerCarriesOn() throws {
        let h = try IMHarness()
        defer { h.stop() }
        let ua = try TestUA("carol", serverPort: h.bound.sipPort)
        var bad = ua.request("OPTIONS", uri: "sip:x@example.test", to: "<sip:x@example.test>", callID: "b1")
        bad.remove("Call-ID")
        ua.send(bad)
        // The answer cannot carry the Call-ID the request lacked: read it leniently.
        let r = try #require(ua.udp.receive().flatMap { SIPParser.parseHeadLeniently($0) })
        #expect(r.statusCode == 400)
        if case .response(_, let reason) = r.startLine { #expect(reason == "missing Call-ID header") }
        // A message that is not SIP at all gets nothing; the next good one is answered.
        ua.udp.send(Array("hello there\r\n\r\n".utf8), to: h.bound.sipPort)
        ua.send(ua.request("OPTIONS", uri: "sip:x@example.test", to: "<sip:x@example.test>", callID: "b2"))
        #expect(try ua.next().statusCode == 200)
        // An INVITE with an offer that is not MSRP: 488 naming why.
        let audio = Array("v=0\r\nm=audio 4000 RTP/AVP 0\r\n".utf8)
        try TestUA("dave", serverPort: h.bound.sipPort).register()
        ua.send(
            ua.request(
                "INVITE",
                uri: "sip:dave@example.test",
                to: "<sip:dave@example.test>",
                callID: "b3",
                body: ("application/sdp", audio)
            )
        )
        let r488 = try ua.next()
        #expect(r488.statusCode == 488)
        // An unknown recipient: 404.
        ua.send(
            ua.request(
                "INVITE",
                uri: "sip:nobody@example.test",
                to: "<sip:nobody@example.test>",
                callID: "b4",
                body: ("application/sdp", msrpOffer("msrp://127.0.0.1:9/c;tcp"))
            )
        )
        #expect(try ua.next().statusCode == 404)
        #expect(h.server.report().sipMalformed == 2)
    }

    @Test func badMSRPBytesAre400WithTheFaultAndOtherSessionsCarryOn() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let good = try OneToOne.establish(h)
        let bad = try OneToOne.establish(h)
        bad.callerStream.write(
            "MSRP bad1 SEND\r\nTo-Path: \(bad.serverPathForCaller)\r\nFrom-Path: \(bad.callerPath)\r\nMessage-ID: msg-1\r\nByte-Range: 0-2/2\r\n\r\n-------bad1$\r\n"
        )
        let r = try bad.callerStream.frames(1)[0]
        #expect(r.status == 400 && r.tid == "bad1")
        #expect(r.comment?.contains("Byte-Range") == true, "the reason names the fault: \(r.comment ?? "")")
        #expect(bad.callerStream.closedByPeer())
        good.callerStream.write(good.send(tid: "good", messageID: "msg-1", range: "1-2/2", body: "ok"))
        #expect(try good.callerStream.frames(1)[0].status == 200)
        #expect(try good.recipientStream.frames(1)[0].body == Array("ok".utf8))
    }

    @Test func sipOverTCPIsFramedByContentLength() throws {
        let h = try IMHarness()
        defer { h.stop() }
        let c = try TCPStream(connectingTo: h.bound.sipPort)
        let ua = try TestUA("erin", serverPort: h.bound.sipPort)
        var m = ua.request("OPTIONS", uri: "sip:x@example.test", to: "<sip:x@example.test>", callID: "t1")
        m.set("Via", "SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKtcp1")
        // Two messages in one write, the second split across two.
        let bytes = m.encoded
        m.set("Call-ID", "t2")
        m.set("Via", "SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKtcp2")
        let second = m.encoded
        c.write(bytes + second.prefix(20))
        usleep(50_000)
        c.write(Array(second.dropFirst(20)))
        var framer = SIPStreamFramer()
        var got: [SIPMessage] = []
        let deadline = now() + 5
        while got.count < 2, now() < deadline, let b = c.readSome(timeout: 1) {
            framer.append(b)
            while let x = try framer.next() { got.append(x) }
        }
        #expect(got.map(\.statusCode) == [200, 200])
        #expect(got.compactMap { try? $0.callID } == ["t1", "t2"])
    }

    @Test func udpRetransmissionsAreAbsorbedAndAnUnansweredInviteTimesOut() throws {
        let h = try IMHarness { $0.t1 = 20_000_000 }  // T1 20 ms: Timer B fires after 1.28 s
        defer { h.stop() }
        let recipient = try TestUA("frank", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("gina", serverPort: h.bound.sipPort)
        let invite = caller.invite(recipient.uri, callID: "u1", path: "msrp://127.0.0.1:9/g;tcp")
        caller.send(invite)  // the caller's retransmission (Timer A on its side)
        let first = try recipient.next()
        let again = try recipient.next()  // the server's own retransmission (Timer A)
        #expect(first.method == .invite && again.method == .invite)
        #expect(try first.callID == again.callID, "one forwarded INVITE, re-sent; not one per caller retransmission")
        // The recipient never answers: 408 to the caller after 64·T1.
        let final = try caller.next(timeout: 4)
        #expect(final.statusCode == 408)
        #expect(h.server.report().retransmissionsSent >= 2)
    }
}
