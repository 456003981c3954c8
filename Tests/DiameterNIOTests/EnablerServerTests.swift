import Charging
import Diameter
import DiameterNIO
import DiameterTestSupport
import Testing

/// `msrpcharge enabler`'s server, spoken to byte by byte over TCP: capabilities exchange,
/// watchdog, disconnect, accounting and credit control, and the Result-Code with Failed-AVP
/// for each way a request can be wrong.
@Suite("Diameter enabler server", .serialized)
struct EnablerServerTests {
    static func withServer(
        _ configure: (inout EmbeddedEnablerConfiguration) -> Void = { _ in },
        _ body: (Int, DiameterEnablerServer) throws -> Void
    ) throws {
        var c = EmbeddedEnablerConfiguration()
        c.latency = .fixed(0)
        configure(&c)
        let server = DiameterEnablerServer(
            enabler: EmbeddedChargingEnabler(c, expectedSessions: 64),
            identity: DiameterLocalIdentity(originHost: "ocs.test", originRealm: "test", originStateID: 1)
        )
        let port = try server.start(host: "127.0.0.1", port: 0)
        defer { server.stop() }
        try body(port, server)
    }

    static func cer(applications: [(UInt32, UInt32)] = [(258, 4), (259, 3)]) -> [UInt8] {
        var m = RawMessage(flags: 0x80, command: 257, application: 0)
        m.str(DiameterAVPCode.originHost, "client.test")
        m.str(DiameterAVPCode.originRealm, "test")
        m.avp(DiameterAVPCode.hostIPAddress, data: [0, 1, 127, 0, 0, 1])
        m.u32(DiameterAVPCode.vendorID, 0)
        m.avp(DiameterAVPCode.productName, flags: 0, data: Array("tests".utf8))
        for (code, app) in applications { m.u32(code, app) }
        return m.bytes
    }

    /// A connection that completed its capabilities exchange.
    static func opened(_ port: Int) throws -> WireClient {
        let c = try WireClient(port: port)
        c.send(cer())
        let cea = try DecodedAnswer(c.receive())
        #expect(cea.resultCode == 2001 && cea.header.commandCode == 257)
        return c
    }

    static func acr(number: UInt32 = 0, edit: (inout RawMessage) -> Void = { _ in }) -> [UInt8] {
        var m = RawMessage(flags: 0xC0, command: 271, application: 3)
        m.str(DiameterAVPCode.sessionID, "client.test;1;0;s0000001")
        m.str(DiameterAVPCode.originHost, "client.test")
        m.str(DiameterAVPCode.originRealm, "test")
        m.str(DiameterAVPCode.destinationRealm, "test")
        m.u32(DiameterAVPCode.accountingRecordType, 3)
        m.u32(DiameterAVPCode.accountingRecordNumber, number)
        edit(&m)
        return m.bytes
    }

    @Test func capabilitiesWatchdogAndDisconnect() throws {
        try Self.withServer { port, _ in
            let c = try Self.opened(port)
            var dwr = RawMessage(flags: 0x80, command: 280, application: 0)
            dwr.str(DiameterAVPCode.originHost, "client.test")
            dwr.str(DiameterAVPCode.originRealm, "test")
            c.send(dwr.bytes)
            let dwa = try DecodedAnswer(c.receive())
            #expect(dwa.header.commandCode == 280 && !dwa.header.isRequest && dwa.resultCode == 2001)
            var dpr = dwr
            dpr.command = 282
            dpr.u32(DiameterAVPCode.disconnectCause, 2)
            c.send(dpr.bytes)
            let dpa = try DecodedAnswer(c.receive())
            #expect(dpa.header.commandCode == 282 && dpa.resultCode == 2001)
            #expect(c.isClosed())
        }
    }

    @Test func noCommonApplicationIs5010() throws {
        try Self.withServer { port, _ in
            let c = try WireClient(port: port)
            c.send(Self.cer(applications: [(258, 16_777_216)]))
            let cea = try DecodedAnswer(c.receive())
            #expect(cea.resultCode == 5010)
            #expect(c.isClosed())
        }
    }

    @Test func aRelayIsAccepted() throws {
        try Self.withServer { port, _ in
            let c = try WireClient(port: port)
            c.send(Self.cer(applications: [(258, 0xFFFF_FFFF)]))
            #expect(try DecodedAnswer(c.receive()).resultCode == 2001)
        }
    }

    @Test func nothingButCERFirst() throws {
        try Self.withServer { port, _ in
            let c = try WireClient(port: port)
            c.send(Self.acr())
            #expect(c.isClosed())
        }
    }

    @Test func accountingIsAnsweredAndRecorded() throws {
        try Self.withServer({ $0.interimInterval = 30_000_000_000 }) { port, server in
            let c = try Self.opened(port)
            let request = Self.acr(number: 5) { m in
                m.avp(DiameterAVPCode.accountingInputOctets, data: [0, 0, 0, 0, 0, 0, 1, 0])
                m.avp(DiameterAVPCode.accountingInputPackets, data: [0, 0, 0, 0, 0, 0, 0, 3])
            }
            c.send(request)
            let aca = try DecodedAnswer(c.receive())
            #expect(aca.header.commandCode == 271 && aca.resultCode == 2001)
            #expect(aca.header.hopByHopID == 1 && aca.header.endToEndID == 2)
            #expect(aca.avps[DiameterAVPCode.sessionID] == Array("client.test;1;0;s0000001".utf8))
            #expect(aca.avps[DiameterAVPCode.acctInterimInterval] == [0, 0, 0, 30])
            #expect(aca.avps[DiameterAVPCode.accountingRecordNumber] == [0, 0, 0, 5])
            // The same record again (a retransmission): answered, charged once.
            c.send(request)
            #expect(try DecodedAnswer(c.receive()).resultCode == 2001)
            let e = server.enabler.ledger.entry(SessionKey("s0000001")!)
            #expect(e?.offline == ChargingUsage(messages: 3, bytes: 256))
            #expect(e?.duplicates == 1)
        }
    }

    @Test func creditControlGrantsAndDenies() throws {
        try Self.withServer({
            $0.creditPerSession = 1500
            $0.grantedUnits = 1000
            $0.validityTime = 60_000_000_000
        }) { port, _ in
            let c = try Self.opened(port)
            func ccr(_ type: UInt32, _ number: UInt32) -> [UInt8] {
                var m = RawMessage(flags: 0xC0, command: 272, application: 4)
                m.str(DiameterAVPCode.sessionID, "client.test;1;1;s0000002")
                m.str(DiameterAVPCode.originHost, "client.test")
                m.str(DiameterAVPCode.originRealm, "test")
                m.str(DiameterAVPCode.destinationRealm, "test")
                m.u32(DiameterAVPCode.authApplicationID, 4)
                m.str(DiameterAVPCode.serviceContextID, "msrp@test")
                m.u32(DiameterAVPCode.ccRequestType, type)
                m.u32(DiameterAVPCode.ccRequestNumber, number)
                return m.bytes
            }
            c.send(ccr(1, 0))
            let first = try DecodedAnswer(c.receive())
            #expect(first.resultCode == 2001 && first.avps[DiameterAVPCode.multipleServicesCreditControl] != nil)
            c.send(ccr(2, 1))
            let second = try DecodedAnswer(c.receive())
            #expect(second.resultCode == 2001, "the last 500 units, with Final-Unit-Indication")
            c.send(ccr(2, 2))
            #expect(try DecodedAnswer(c.receive()).resultCode == 4012)
        }
    }

    /// Each malformed request: its Result-Code, the E bit for protocol errors, and the
    /// offending AVP in Failed-AVP; the connection stays open.
    @Test(arguments: [
        (UInt32(5005), DiameterAVPCode.originHost, false),
        (UInt32(5009), DiameterAVPCode.accountingRecordNumber, false),
        (UInt32(5004), DiameterAVPCode.accountingRecordType, false),
        (UInt32(5001), UInt32(99_999), false),
        (UInt32(3009), DiameterAVPCode.eventTimestamp, true),
        (UInt32(5014), DiameterAVPCode.acctInterimInterval, false),
    ])
    func malformedRequests(code: UInt32, failed: UInt32, protocolError: Bool) throws {
        try Self.withServer { port, _ in
            let c = try Self.opened(port)
            var m = RawMessage(flags: 0xC0, command: 271, application: 3)
            m.str(DiameterAVPCode.sessionID, "client.test;1;0;s0000003")
            if code != 5005 { m.str(DiameterAVPCode.originHost, "client.test") }
            m.str(DiameterAVPCode.originRealm, "test")
            m.str(DiameterAVPCode.destinationRealm, "test")
            m.u32(DiameterAVPCode.accountingRecordType, code == 5004 ? 7 : 3)
            m.u32(DiameterAVPCode.accountingRecordNumber, 0)
            switch code {
            case 5009: m.u32(DiameterAVPCode.accountingRecordNumber, 1)
            case 5001: m.avp(99_999, flags: 0x40, data: [1])
            case 3009: m.avp(DiameterAVPCode.eventTimestamp, flags: 0x44, data: [0, 0, 0, 1])
            case 5014: m.avp(DiameterAVPCode.acctInterimInterval, data: [0, 0, 1])
            default: break
            }
            c.send(m.bytes)
            let answer = try DecodedAnswer(c.receive())
            #expect(answer.resultCode == code)
            #expect(answer.header.flags.contains(.error) == protocolError)
            #expect(answer.failedAVPCodes == [failed])
            #expect(answer.avps[DiameterAVPCode.errorMessage] != nil)
            c.send(Self.acr(number: 9))
            #expect(try DecodedAnswer(c.receive()).resultCode == 2001, "the connection goes on")
        }
    }

    @Test func unreadableFramingIsAnsweredAndClosed() throws {
        try Self.withServer { port, _ in
            let c = try Self.opened(port)
            var bytes = Self.acr()
            bytes[0] = 2
            c.send(bytes)
            #expect(try DecodedAnswer(c.receive()).resultCode == 5011)
            #expect(c.isClosed())
        }
    }
}
