import Charging
import IMServer
import Logging
import MSRP
import NIOCore
import NIOEmbedded
import Testing
import Workload

@testable import LoadGenerator

/// `load` against `serve` in the same process, on loopback.
@Suite(.serialized) struct LoadAgainstServeTests {
    static func server(
        mode: ChargingMode = .both,
        setup: SessionSetup = .oneToOne
    ) throws -> (IMServer<EmbeddedChargingEnabler>, EmbeddedChargingEnabler, Int) {
        var c = IMServerConfiguration()
        c.sipPort = 0
        c.msrpPort = 0
        c.workers = 1
        c.charging.mode = mode
        c.charging.setup = setup
        c.charging.defaultInterimInterval = 0
        c.keepClosedSessions = true
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        model.interimInterval = nil
        let enabler = EmbeddedChargingEnabler(model, expectedSessions: 1024)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = IMServer(configuration: c, client: enabler, answerPoll: nil, logger: logger)
        let bound = try server.start()
        return (server, enabler, bound.sipPort)
    }

    static func configuration(
        _ sipPort: Int,
        _ change: (inout LoadConfiguration) -> Void = { _ in }
    ) -> LoadConfiguration {
        var c = LoadConfiguration()
        c.targetPort = sipPort
        c.model.sessions = 12
        c.model.workers = 1
        c.model.duration = 1_000_000_000
        c.model.messageSizes = .uniform(1, 3000)
        c.model.chunkSize = 700
        c.model.multiChunkShare = 0.3
        c.model.abortedShare = 0.1
        c.model.failureReportNoShare = 0.1
        c.model.failureReportPartialShare = 0.1
        change(&c)
        return c
    }

    @Test func everyMessageIsDeliveredOnceAndChargedAsTheServerAcceptedIt() throws {
        let (server, enabler, sip) = try Self.server()
        // Stopped however the test ends (shutdown is idempotent: the call below gives the figures).
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(Self.configuration(sip))
        let s = server.shutdown(waitingUpTo: 2_000_000_000)
        #expect(r.sessionsSetUp == 12 && r.setup.count == 12 && r.bye.count == 12)
        #expect(r.delivery.ok, "\(r.delivery.detail)")
        #expect(r.chunksSent > 100 && r.abortedSent > 0 && r.messagesSent > 0)
        // What the generator sent is what the server accepted and charged.
        #expect(s.pipeline.chunks == r.chunksSent)
        #expect(s.pipeline.accepted.bytes == r.bytesSent)
        #expect(s.pipeline.accepted.messages == r.messagesSent)
        #expect(s.pipeline.accepted.abortedMessages == r.abortedSent)
        #expect(enabler.ledger.totals.offline.bytes == r.bytesSent)
        #expect(enabler.ledger.totals.onlineUnits == r.bytesSent)
        // Responses: only chunks whose Failure-Report asks for a 200 have one.
        #expect(r.responses[200] == r.chunk.count)
        #expect(r.chunk.count < r.chunksSent)
        #expect(r.messageDelivery.count == r.messagesSent)
    }

    @Test func sipOverTCPSetsUpEverySessionOnOneConnection() throws {
        let (server, enabler, sip) = try Self.server()
        // Stopped however the test ends (shutdown is idempotent: the call below gives the figures).
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(Self.configuration(sip) { $0.sipOverTCP = true })
        let s = server.shutdown(waitingUpTo: 2_000_000_000)
        #expect(r.sessionsSetUp == 12 && r.bye.count == 12)
        #expect(r.delivery.ok, "\(r.delivery.detail)")
        #expect(s.sipRequests["REGISTER"] == 12 && s.sipRequests["INVITE"] == 12 && s.sipRequests["BYE"] == 12)
        #expect(enabler.ledger.totals.offline.bytes == r.bytesSent)
    }

    /// 6.3.3.2 on the wire: a URI list of three recipients per session; each gets every message.
    @Test func aConferenceDeliversEveryMessageToEachRecipient() throws {
        let (server, enabler, sip) = try Self.server(setup: .conference)
        // Stopped however the test ends (shutdown is idempotent: the call below gives the figures).
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(
            Self.configuration(sip) {
                $0.model.charging.setup = .conference
                $0.conferenceSize = 3
            }
        )
        let s = server.shutdown(waitingUpTo: 2_000_000_000)
        #expect(r.sessionsSetUp == 12)
        #expect(r.delivery.ok, "\(r.delivery.detail)")
        #expect(r.bytesDelivered == 3 * r.bytesSent && r.messagesDelivered == 3 * r.messagesSent)
        #expect(s.media.chunksForwarded == 3 * r.chunksSent)
        #expect(s.media.connectionsOpened == 36)
        #expect(enabler.ledger.totals.offline.bytes == r.bytesSent, "charged once, not once per recipient")
    }

    @Test func aMessageIntervalPacesEachSession() throws {
        let (server, _, sip) = try Self.server(mode: .offline)
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(
            Self.configuration(sip) {
                $0.model.messageInterval = .fixed(100_000_000)  // 10 messages a second a session
                $0.model.duration = 2_000_000_000
                $0.model.abortedShare = 0
            }
        )
        #expect(r.delivery.ok, "\(r.delivery.detail)")
        // 12 sessions × 2 s × 10/s, each session's first message somewhere in its first interval.
        let messages = Int(r.messagesSent)
        #expect((216...252).contains(messages), "\(messages) messages for about 240")
    }

    @Test func anOpenLoopRateIsHeldAndLatencyCountsFromTheDueTime() throws {
        let (server, _, sip) = try Self.server(mode: .offline)
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(
            Self.configuration(sip) {
                $0.model.targetRate = 2000
                $0.model.duration = 2_000_000_000
                $0.model.multiChunkShare = 0
                $0.model.failureReportNoShare = 0
                $0.model.failureReportPartialShare = 0
                $0.model.abortedShare = 0
                $0.model.messageSizes = .fixed(100)
            }
        )
        #expect(r.delivery.ok, "\(r.delivery.detail)")
        #expect(abs(r.chunksPerSecond - 2000) < 200, "\(r.chunksPerSecond) chunks/s for a target of 2000")
        #expect(r.rate == 2000)
        #expect(r.chunk.count == r.chunksSent)
    }

    @Test func aTargetThatNeverAnswersEndsTheRunWithAClearError() throws {
        // Nobody answers at this port: every REGISTER is lost; the run says so rather than hang.
        var c = Self.configuration(1)
        c.phaseTimeout = 1_000_000_000
        #expect {
            _ = try LoadRunner.run(c)
        } throws: { error in
            (error as? LoadError)?.description.contains("set-up did not finish") == true
        }
    }

    @Test func setUpFailuresAreCountedByStatusAndFailTheDeliveryCheck() throws {
        var c = IMServerConfiguration()
        c.sipPort = 0
        c.msrpPort = 0
        c.workers = 1
        c.charging.mode = .online
        var model = EmbeddedEnablerConfiguration()
        model.latency = .fixed(0)
        model.denialShare = 1
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let server = IMServer(configuration: c, client: EmbeddedChargingEnabler(model), answerPoll: nil, logger: logger)
        let bound = try server.start()
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let r = try LoadRunner.run(Self.configuration(bound.sipPort) { $0.model.duration = 100_000_000 })
        #expect(r.sessionsSetUp == 0)
        #expect(r.setupFailures == [403: 12], "credit refused: 403 for every INVITE")
        #expect(!r.delivery.ok && r.delivery.detail.contains("12 sessions not set up"))
    }

    /// `--recipient`: nothing REGISTERs, and each caller INVITEs the URI with its index in it;
    /// here no one registered them, so the server answers 404 to every one. (The answered case,
    /// SIPp as the recipient, is scripts/interop/sipp.sh.)
    @Test func anExternalRecipientIsCalledByItsURIAndNothingRegisters() throws {
        let (server, _, sip) = try Self.server()
        defer { server.shutdown(waitingUpTo: 1_000_000_000) }
        let c = Self.configuration(sip) {
            $0.externalRecipient = "sip:ext[session]@load.test"
            $0.model.duration = 100_000_000
        }
        #expect(c.externalRecipientURI(7) == "sip:ext7@load.test")
        let r = try LoadRunner.run(c)
        let s = server.shutdown(waitingUpTo: 1_000_000_000)
        #expect(s.sipRequests["REGISTER", default: 0] == 0)
        #expect(s.sipRequests["INVITE"] == 12)
        #expect(r.setupFailures == [404: 12], "no one registered ext0…ext11")
    }
}

/// The recipients' delivery check, fed frames through an embedded channel: it must catch a
/// chunk lost, one repeated, one out of order, a byte altered, a message cut without `#`.
@Suite struct DeliveryCheckTests {
    /// A chunk of message `number` of session `session` as the generator sends it (its
    /// Message-ID and keyed body), to recipient `to`.
    static func chunk(
        _ tid: String,
        _ number: Int,
        _ from: Int,
        _ to: Int,
        _ total: Int,
        _ flag: Character,
        alter: Bool = false,
        session: Int = 1,
        recipient: String = "lr1",
        bodyOf: (session: Int, number: Int)? = nil
    ) -> String {
        var id = [UInt8](repeating: 0, count: MessageID.length)
        id.withUnsafeMutableBytes { MessageID.write(session: session, number: number, sentAt: 1, into: $0) }
        let mid = String(decoding: id, as: UTF8.self)
        let key = MessageBody.key(session: bodyOf?.session ?? session, number: bodyOf?.number ?? number)
        var body = (from..<to).map { Character(UnicodeScalar(MessageBody.expected(at: $0, key: key))) }
        if alter, !body.isEmpty { body[0] = "#" }
        return
            "MSRP \(tid) SEND\r\nTo-Path: msrp://127.0.0.1:9/\(recipient);tcp\r\nFrom-Path: msrp://127.0.0.1:9/s1;tcp\r\nMessage-ID: \(mid)\r\nByte-Range: \(from + 1)-\(to)/\(total)\r\nContent-Type: text/plain\r\n\r\n\(String(body))\r\n-------\(tid)\(flag)\r\n"
    }

    static func feed(_ frames: [String]) throws -> LoadTotals {
        let channel = EmbeddedChannel()
        let stats = LoopStats()
        let handler = RecipientHandler(allocator: channel.allocator, stats: stats)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.writeInbound(channel.allocator.buffer(string: frames.joined()))
        _ = try? channel.finish()
        return stats.figures
    }

    @Test func aMessageInOrderPasses() throws {
        let s = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 20, "+"), Self.chunk("t002", 1, 10, 20, 20, "$"),
        ])
        #expect(s.deliveryErrors == 0 && s.messagesDelivered == 1 && s.bytesDelivered == 20)
    }

    @Test func aLostChunkIsCaught() throws {
        let s = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 30, "+"), Self.chunk("t003", 1, 20, 30, 30, "$"),
        ])
        #expect(s.deliveryErrors == 1)
        #expect(s.firstDeliveryError?.contains("expected 11") == true, "\(s.firstDeliveryError ?? "")")
    }

    @Test func aRepeatedOrReorderedChunkIsCaught() throws {
        let repeated = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 20, "+"), Self.chunk("t002", 1, 0, 10, 20, "+"),
        ])
        #expect(repeated.deliveryErrors == 1)
        let reordered = try Self.feed([
            Self.chunk("t002", 1, 10, 20, 20, "$"), Self.chunk("t001", 1, 0, 10, 20, "+"),
        ])
        #expect(reordered.deliveryErrors >= 1)
    }

    @Test func anAlteredByteIsCaught() throws {
        let s = try Self.feed([Self.chunk("t001", 1, 0, 10, 10, "$", alter: true)])
        #expect(s.deliveryErrors == 1 && s.firstDeliveryError?.contains("byte 1 is not the one sent") == true)
    }

    /// The comparison runs 4 KiB at a time against a pattern: a byte altered anywhere, in
    /// any block and at any offset in the message, is found at its own index.
    @Test(arguments: [0, 1, 25, 4092, 4095, 4096, 4097, 9999])
    func theBodyCheckFindsTheAlteredByteAcrossBlocks(altered: Int) {
        let offset = 1234
        let key = MessageBody.key(session: 3, number: 9)
        let r = MessageBody.reference
        var body = (0..<10_000).map { MessageBody.expected(at: offset + $0, key: key) }
        #expect(body.withUnsafeBytes { MessageBody.firstMismatch($0, at: offset, key: key, reference: r) } == nil)
        body[altered] ^= 0x20
        #expect(body.withUnsafeBytes { MessageBody.firstMismatch($0, at: offset, key: key, reference: r) } == altered)
        #expect(body.withUnsafeBytes { MessageBody.firstMismatch($0, at: offset + 1, key: key, reference: r) } != nil)
        // Another message's body (another key) differs at once.
        let other = MessageBody.key(session: 3, number: 10)
        #expect(other != key)
        #expect(body.withUnsafeBytes { MessageBody.firstMismatch($0, at: offset, key: other, reference: r) } != nil)
    }

    /// The sender's slices and the recipient's expectation agree, for any key and offset.
    @Test func theSendersBytesAreTheRecipientsExpectation() {
        let b = MessageBody(largestChunk: 5000)
        for (session, number, from) in [(1, 1, 0), (7, 300, 4090), (59_999, 12, 123)] {
            let key = MessageBody.key(session: session, number: number)
            let bytes = b.bytes(from..<(from + 5000), key: key)
            #expect(MessageBody.firstMismatch(bytes, at: from, key: key, reference: MessageBody.reference) == nil)
        }
    }

    /// A message delivered to another session's recipient: the totals match, the check fails
    /// naming both sessions.
    @Test func aMisdeliveredMessageIsCaught() throws {
        let s = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 10, "$", session: 1, recipient: "lr1"),
            Self.chunk("t002", 1, 0, 10, 10, "$", session: 2, recipient: "lr1"),
        ])
        #expect(s.deliveryErrors == 1, "\(s.firstDeliveryError ?? "")")
        #expect(s.firstDeliveryError?.contains("of session 2") == true && s.firstDeliveryError?.contains("delivered to session 1") == true)
    }

    /// One message delivered twice while the next (same size) is lost: totals equal, caught.
    @Test func aRepeatedMessageAndALostOneAreCaught() throws {
        let s = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 10, "$"), Self.chunk("t002", 1, 0, 10, 10, "$"),
            Self.chunk("t004", 3, 0, 10, 10, "$"),
        ])
        #expect(s.deliveryErrors == 2, "\(s.firstDeliveryError ?? "")")
        #expect(s.firstDeliveryError?.contains("repeated") == true)
        let lost = try Self.feed([Self.chunk("t001", 1, 0, 10, 10, "$"), Self.chunk("t003", 3, 0, 10, 10, "$")])
        #expect(lost.deliveryErrors == 1 && lost.firstDeliveryError?.contains("1 lost before it") == true)
        let reordered = try Self.feed([Self.chunk("t002", 2, 0, 10, 10, "$"), Self.chunk("t001", 1, 0, 10, 10, "$")])
        #expect(reordered.deliveryErrors == 2 && reordered.firstDeliveryError?.contains("1 lost before it") == true)
    }

    /// A message carrying another message's body (same size, same offsets): caught by the key.
    @Test func anotherMessagesBodyIsCaught() throws {
        let s = try Self.feed([
            Self.chunk("t001", 1, 0, 40, 40, "$"), Self.chunk("t002", 2, 0, 40, 40, "$", bodyOf: (1, 1)),
        ])
        #expect(s.deliveryErrors == 1 && s.firstDeliveryError?.contains("is not the one sent") == true)
    }

    @Test func aMessageCutWithoutAHashIsCaughtAndAnAbortedOneCounted() throws {
        let cut = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 30, "+"), Self.chunk("t002", 2, 0, 5, 5, "$"),
        ])
        #expect(cut.deliveryErrors == 1 && cut.messagesDelivered == 1)
        let aborted = try Self.feed([
            Self.chunk("t001", 1, 0, 10, 30, "+"), Self.chunk("t002", 1, 10, 10, 30, "#"),
        ])
        #expect(aborted.deliveryErrors == 0 && aborted.abortedDelivered == 1)
    }

    @Test func theMessageIDCarriesTheSendTime() {
        var bytes = [UInt8](repeating: 0, count: MessageID.length)
        bytes.withUnsafeMutableBytes { MessageID.write(session: 42, number: 7, sentAt: 123_456_789_012, into: $0) }
        #expect(bytes.withUnsafeBytes { MessageID.sentAt($0) } == 123_456_789_012)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("m00016000007t"))
        #expect(bytes.withUnsafeBytes { MessageID.parse($0) }.map { [$0.session, $0.number] } == [42, 7])
    }
}

/// A caller whose connection the target closes (or resets) mid-run: counted as lost, and the
/// drain does not wait for responses that cannot come (a run of 3000 sessions on four
/// namespaced hosts hung there before).
@Suite struct LostCallerTests {
    @Test func aClosedCallerIsLostAndDrainsAtOnce() throws {
        let channel = EmbeddedChannel()
        var model = WorkloadModel()
        model.sessions = 1
        model.chunkSize = 100
        model.messageSizes = .fixed(1000)
        model.multiChunkShare = 1
        let handler = CallerHandler(
            session: 0,
            plan: SendPlan(model: model, window: 4, sessions: 1),
            toPath: Array("msrp://127.0.0.1:9/s0;tcp".utf8),
            fromPath: Array("msrp://127.0.0.1:9/lc0;tcp".utf8),
            allocator: channel.allocator,
            stats: LoopStats()
        )
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        handler.start(at: monotonicNanoseconds())
        #expect(handler.outstanding == 4, "the window's chunks sent, their responses outstanding")
        _ = try channel.close().wait()
        #expect(handler.lostBeforeEnd)
        var drained = false
        handler.stop { drained = true }
        #expect(drained, "a closed connection drains at once: its responses cannot come")
    }
}
