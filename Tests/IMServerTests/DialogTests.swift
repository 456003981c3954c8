import Charging
import DiameterNIO
import Foundation
import Glibc
import IMServer
import Logging
import MSRP
import SIP
import Testing

/// The dialogs' other ends: a BYE from the recipient, CANCEL, registrations that expire, a
/// non-2xx final response re-sent until its ACK, backpressure, and the Diameter enabler.
@Suite(.serialized) struct DialogTests {
    @Test func aByeFromTheRecipientEndsBothLegsAndTheStopIsSent() throws {
        let h = try IMHarness(mode: .offline, interim: 0)
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        s.callerStream.write(s.send(tid: "aaa1", messageID: "msg-1", range: "1-4/4", body: "ping"))
        #expect(try s.callerStream.frames(1)[0].status == 200)
        _ = try s.recipientStream.frames(1)
        // The recipient's BYE on its dialog: From is its To (with its tag), To the server's From.
        let invite = s.recipientInvite
        var bye = SIPMessage(.request(method: .bye, uri: "sip:msrpcharge@127.0.0.1:\(h.bound.sipPort)"))
        bye.add("Via", "SIP/2.0/UDP 127.0.0.1:\(s.recipient.udp.port);branch=z9hG4bKrbye")
        bye.add("Max-Forwards", "70")
        bye.add("From", invite.value("To")! + ";tag=\(s.recipient.tag)")
        bye.add("To", invite.value("From")!)
        bye.add("Call-ID", try invite.callID)
        bye.add("CSeq", "2 BYE")
        s.recipient.send(bye)
        #expect(try s.recipient.next().statusCode == 200)
        let toCaller = try s.caller.next()
        #expect(toCaller.method == .bye)
        #expect(try toCaller.callID == s.callID)
        #expect(try toCaller.to.tag == s.caller.tag, "the BYE is in the caller's dialog")
        s.caller.respond(toCaller, 200)
        #expect(eventually { h.enabler.ledger.totals.offline.bytes == 4 })
        #expect(eventually { h.server.report().charging.sent(.offlineStop) == 1 })
    }

    @Test func cancelBeforeTheAnswerIs487AndTheRecipientIsCancelled() throws {
        let h = try IMHarness(mode: .both)
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register()
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        let invite = caller.invite(recipient.uri, callID: "cx", path: "msrp://127.0.0.1:9/a;tcp")
        let forwarded = try recipient.next()
        #expect(forwarded.method == .invite)
        var cancel = SIPMessage(.request(method: .cancel, uri: invite.requestURI!))
        for name in ["Via", "From", "To", "Call-ID"] { cancel.add(name, invite.value(name)!) }
        cancel.add("CSeq", "\(try invite.cseq.number) CANCEL")
        caller.send(cancel)
        var statuses: [Int] = []
        for _ in 0..<2 { statuses.append(try caller.next().statusCode ?? 0) }
        #expect(statuses.sorted() == [200, 487])
        let c = try recipient.next()
        #expect(c.method == .cancel)
        #expect(try c.vias.first?.branch == forwarded.vias.first?.branch, "CANCEL has the INVITE's branch (§9.1)")
        #expect(eventually { h.server.report().charging.sent(.onlineTermination) == 1 }, "the reservation is released")
    }

    @Test func aRegistrationThatExpiredIsNotFound() throws {
        let h = try IMHarness()
        defer { h.stop() }
        let recipient = try TestUA("bob", serverPort: h.bound.sipPort)
        try recipient.register(expires: 1)
        usleep(1_200_000)
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        caller.invite(recipient.uri, callID: "ex", path: "msrp://127.0.0.1:9/a;tcp")
        #expect(try caller.next().statusCode == 404)
    }

    @Test func aFinalErrorOverUDPIsResentUntilItsAck() throws {
        let h = try IMHarness { $0.t1 = 20_000_000 }
        defer { h.stop() }
        let caller = try TestUA("alice", serverPort: h.bound.sipPort)
        let invite = caller.request(
            "INVITE",
            uri: "sip:nobody@example.test",
            to: "<sip:nobody@example.test>",
            callID: "g1",
            body: ("application/sdp", msrpOffer("msrp://127.0.0.1:9/a;tcp"))
        )
        caller.send(invite)
        let first = try caller.next()
        let again = try caller.next(timeout: 1)
        #expect(first.statusCode == 404 && again.statusCode == 404, "Timer G re-sent the 404")
        var ack = SIPMessage(.request(method: .ack, uri: invite.requestURI!))
        for name in ["Via", "From", "Call-ID"] { ack.add(name, invite.value(name)!) }
        ack.add("To", first.value("To")!)
        ack.add("CSeq", "\(try invite.cseq.number) ACK")
        caller.send(ack)
        usleep(100_000)
        while caller.udp.receive(timeout: 0.05) != nil {}  // what was on its way before the ACK
        #expect(caller.udp.receive(timeout: 0.4) == nil, "the ACK stopped Timer G")
    }

    @Test func aRecipientThatDoesNotDrainStopsTheSenderBeingReadWithBoundedMemory() throws {
        let h = try IMHarness(mode: .offline) { $0.writeBufferHighWatermark = 64 * 1024 }
        defer { h.stop() }
        let s = try OneToOne.establish(h)
        // The recipient reads nothing; the caller sends 4 MB in 1 KB chunks from a thread.
        let body = String(repeating: "x", count: 1024)
        let total = 4096
        let stream = s
        let writer = Thread {
            var batch = ""
            for i in 0..<total {
                batch += stream.send(
                    tid: "t\(100_000 + i)",
                    messageID: "m\(100_000 + i)",
                    range: "1-1024/1024",
                    body: body,
                    failureReport: "no"
                )
                if batch.utf8.count > 64 * 1024 {
                    stream.callerStream.write(batch)
                    batch = ""
                }
            }
            stream.callerStream.write(batch)
        }
        writer.start()
        #expect(eventually { h.server.report().media.readPauses > 0 }, "the server stopped reading the caller")
        usleep(300_000)
        let held = h.server.report().pipeline.chunks
        #expect(held < UInt64(total), "not all accepted while the recipient does not read (\(held))")
        usleep(300_000)
        #expect(h.server.report().pipeline.chunks == held, "and it stays stopped")
        // The recipient reads: everything flows, every chunk forwarded once.
        var got = 0
        let deadline = now() + 20
        while got < total, now() < deadline {
            got += (try? s.recipientStream.frames(1, timeout: 2).count) ?? 0
        }
        #expect(got == total)
        #expect(h.server.report().media.chunksForwarded == UInt64(total))
    }

    @Test func chargesThroughADiameterEnabler() throws {
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        model.interimInterval = nil
        let enabler = EmbeddedChargingEnabler(model, expectedSessions: 64)
        let diameter = DiameterEnablerServer(
            enabler: enabler,
            identity: DiameterLocalIdentity(originHost: "enabler.test", originRealm: "charging.test", originStateID: 1)
        )
        let port = try diameter.start(host: "127.0.0.1", port: 0)
        defer { diameter.stop() }
        let client = try DiameterChargingClient.connect(
            [.init(host: "127.0.0.1", port: port)],
            identity: DiameterLocalIdentity(
                originHost: "imserver.test",
                originRealm: "msrpcharge.test",
                originStateID: 2
            ),
            mapping: ChargingDiameterMapping(destinationRealm: "charging.test"),
            expectedSessions: 64,
            recordsParties: true
        )
        defer { client.close() }
        var c = IMServerConfiguration()
        c.sipPort = 0
        c.msrpPort = 0
        c.workers = 2
        c.charging.mode = .both
        c.charging.defaultInterimInterval = 0
        c.parties = client.parties
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = IMServer(configuration: c, client: client.enablerClient, answerPoll: 1_000_000, logger: logger)
        let bound = try server.start()
        let s = try OneToOne.establish(sipPort: bound.sipPort)
        // The set-up recorded who the session charges: the caller's From (no
        // P-Asserted-Identity here), and the recipient as the called party.
        let parties = try #require(client.parties)
        let party = try #require(parties.all.first)
        #expect(String(decoding: party.calling, as: UTF8.self) == s.caller.uri)
        #expect(String(decoding: party.called, as: UTF8.self) == s.recipient.uri)
        // No P-Charging-Vector came: the server minted an icid, charges with it, and passed
        // it on to the recipient (RFC 7315), so both sides' records correlate.
        let icid = String(decoding: party.icid, as: UTF8.self)
        #expect(!icid.isEmpty)
        #expect(s.recipientInvite.value("P-Charging-Vector")?.hasPrefix("icid-value=\(icid);") == true)
        for i in 0..<3 {
            s.callerStream.write(s.send(tid: "tid\(i)", messageID: "msg-\(i)", range: "1-5/5", body: "hello"))
            #expect(try s.callerStream.frames(1)[0].status == 200)
            _ = try s.recipientStream.frames(1)
        }
        let report = server.shutdown(waitingUpTo: 2_000_000_000)
        #expect(report.charging.sent(.offlineInterim) == 3)
        #expect(enabler.ledger.totals.offline.bytes == 15, "the enabler's ledger holds what the server accepted")
        #expect(enabler.ledger.totals.onlineUnits == 15)
        #expect(client.acknowledged.totals.offline.bytes == 15)
        #expect(parties.count == 0, "dropped once the stop and the termination were answered")
    }
}
