import Charging
import IMServer
import MSRP
import SIP
import Testing

/// Seed 000 on the wire: SEND in → 200 OK → SEND forwarded → the recipient's 200 OK, with the
/// CH-1 interim on the 200 OK of the last chunk; then BYE and the CH-1 stop.
@Suite(.serialized) struct OfflineFlowTests {
    @Test func aMessageInTwoChunksIsAnsweredForwardedAndChargedOnItsLastChunk() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        #expect(eventually { h.server.report().charging.sent(.offlineStart) == 1 })

        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-5/11", body: "hello", flag: "+"))
        let first = try s.callerStream.frames(1)[0]
        #expect(first.isResponse && first.status == 200 && first.tid == "aaa1")
        #expect(first.toPath == s.callerPath)
        let fwd1 = try s.recipientStream.frames(1)[0]
        #expect(fwd1.method == "SEND" && fwd1.body == Array("hello".utf8) && fwd1.flag == .more)
        #expect(fwd1.toPath == s.recipientPath && fwd1.fromPath == s.serverPathForRecipient)
        #expect(fwd1.messageID == "msg-1" && fwd1.byteRange == ByteRange(start: 1, end: 5, total: 11))
        #expect(fwd1.tid != "aaa1", "the forwarded SEND has the server's own transaction id")
        // No interim yet: the message is not complete.
        #expect(h.server.report().charging.sent(.offlineInterim) == 0)
        s.recipientStream.write(response(to: fwd1, 200))

        s.callerStream.write(s.send(tid: "aaa2", messageID: "msg-1", range: "6-11/11", body: " world", flag: "$"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        let fwd2 = try s.recipientStream.frames(1)[0]
        #expect(fwd2.body == Array(" world".utf8) && fwd2.flag == .end)
        s.recipientStream.write(response(to: fwd2, 200))
        #expect(eventually { h.server.report().charging.sent(.offlineInterim) == 1 })
        let r = h.server.report()
        #expect(r.pipeline.chunks == 2 && r.pipeline.accepted.bytes == 11 && r.pipeline.accepted.messages == 1)
        #expect(r.media.chunksForwarded == 2)
        #expect(
            eventually { h.server.report().pipeline.responsesReceived == 3 },
            "binding + two forwarded chunks answered"
        )

        // BYE from the caller: 200, BYE to the recipient, CH-1 stop.
        s.caller.send(
            s.caller.request(
                "BYE",
                uri: "sip:msrpcharge@127.0.0.1:\(h.bound.sipPort)",
                to: s.ok.value("To")!,
                callID: s.callID
            )
        )
        #expect(try s.caller.next().statusCode == 200)
        let bye = try s.recipient.next()
        #expect(bye.method == .bye)
        s.recipient.respond(bye, 200)
        #expect(eventually { h.server.report().charging.sent(.offlineStop) == 1 })
        #expect(eventually { h.enabler.ledger.totals.offline.bytes == 11 })
        #expect(h.enabler.ledger.totals.offline.messages == 1)
        #expect(s.callerStream.closedByPeer(), "the session's connections close when it ends")
    }

    @Test func aForeignOrStolenSessionIDGets481AndTheSessionCarriesOn() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        // A session-id the server never handed out.
        let foreign = s.serverPathForCaller.replacingFirst("/", "/zz", after: "msrp://")
        s.callerStream.write(s.send(tid: "fff1", messageID: "msg-0", range: "1-3/3", body: "abc", toPath: foreign))
        let r1 = try s.callerStream.frames(1)[0]
        #expect(r1.status == 481 && r1.tid == "fff1")
        // The real one binds the caller's connection…
        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-3/3", body: "abc"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        _ = try s.recipientStream.frames(1)
        // …so another connection using it is refused: one client cannot enter another's session.
        let port = Int(s.serverPathForCaller.split(separator: ":")[2].split(separator: "/")[0])!
        let thief = try TCPStream(connectingTo: port)
        thief.write(s.send(tid: "xxx1", messageID: "msg-9", range: "1-5/5", body: "steal"))
        let r2 = try thief.frames(1)[0]
        #expect(r2.status == 481)
        #expect(s.recipientStream.readSome(timeout: 0.3) == nil, "nothing of the thief's reaches the recipient")
    }

    /// Through a relay (RFC 4976) a session may arrive on a second connection from the relay:
    /// the same relayed From-Path is the same session; another From-Path on it is not.
    @Test func aRelayMayCarryTheSessionOnASecondConnectionWithTheSameFromPath() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        let relayed = "msrp://127.0.0.1:7/relay1;tcp \(s.callerPath)"
        func send(_ c: TCPStream, _ tid: String, from: String) {
            c.write(
                "MSRP \(tid) SEND\r\nTo-Path: \(s.serverPathForCaller)\r\nFrom-Path: \(from)\r\nMessage-ID: \(tid)\r\nByte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------\(tid)$\r\n"
            )
        }
        send(s.callerStream, "rel1", from: relayed)
        #expect(try s.callerStream.frames(1)[0].status == 200)
        let port = Int(s.serverPathForCaller.split(separator: ":")[2].split(separator: "/")[0])!
        let second = try TCPStream(connectingTo: port)
        send(second, "rel2", from: relayed)
        #expect(try second.frames(1)[0].status == 200, "the relay's second connection")
        let third = try TCPStream(connectingTo: port)
        send(third, "rel3", from: "msrp://127.0.0.1:7/other;tcp \(s.callerPath)")
        #expect(try third.frames(1)[0].status == 481, "another path is not the session's")
        #expect(try s.recipientStream.frames(2).map(\.messageID) == ["rel1", "rel2"])
    }

    /// Success-Report (RFC 4975 §7.1.2): the recipient's REPORT goes back to the sender with the
    /// server's paths on the sender's leg, the Message-ID, Byte-Range and Status kept.
    @Test func aReportFromTheRecipientIsRelayedToTheSender() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        s.callerStream.write(
            "MSRP sr01 SEND\r\nTo-Path: \(s.serverPathForCaller)\r\nFrom-Path: \(s.callerPath)\r\nMessage-ID: msg-sr\r\nByte-Range: 1-3/3\r\nSuccess-Report: yes\r\nContent-Type: text/plain\r\n\r\nabc\r\n-------sr01$\r\n"
        )
        #expect(try s.callerStream.frames(1)[0].status == 200)
        let forwarded = try s.recipientStream.frames(1)[0]
        s.recipientStream.write(response(to: forwarded, 200))
        s.recipientStream.write(
            "MSRP rp01 REPORT\r\nTo-Path: \(s.serverPathForRecipient)\r\nFrom-Path: \(s.recipientPath)\r\nMessage-ID: msg-sr\r\nByte-Range: 1-3/3\r\nStatus: 000 200 OK\r\n-------rp01$\r\n"
        )
        let report = try s.callerStream.frames(1)[0]
        #expect(report.method == "REPORT")
        #expect(report.toPath == s.callerPath && report.fromPath == s.serverPathForCaller)
        #expect(report.messageID == "msg-sr" && report.byteRange == ByteRange(start: 1, end: 3, total: 3))
        #expect(report.statusHeader == "000 200 OK")
        #expect(h.server.report().media.reportsForwarded == 1)
        #expect(h.server.report().pipeline.accepted.bytes == 3, "a REPORT is not charged")
    }
}

extension String {
    /// Inserts `insert` after the first `separator` that follows `prefix` (test helper).
    func replacingFirst(_ separator: Character, _ insert: String, after prefix: String) -> String {
        let rest = dropFirst(prefix.count)
        guard let i = rest.firstIndex(of: separator) else { return self }
        return prefix + String(rest[..<i]) + insert + String(rest[rest.index(after: i)...])
    }
}
