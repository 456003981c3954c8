import Diameter
import Testing

/// Every message the project sends or answers, encoded and decoded back to the same fields.
@Suite("Diameter round trips")
struct RoundTripTests {
    @Test(arguments: [AccountingRecordType.start, .interim, .stop, .event])
    func accountingRequest(type: AccountingRecordType) throws {
        try withViews(["ims;7;0;s00001", "ims.example.org", "example.org", "charging.example.org"]) { v in
            let acr = AccountingRequest(
                sessionID: v[0],
                originHost: v[1],
                originRealm: v[2],
                destinationRealm: v[3],
                recordType: type,
                recordNumber: 41,
                eventTimestamp: 3_900_000_000,
                inputOctets: 1 << 40,
                inputPackets: 17
            )
            let bytes = encoded { acr.encode(into: &$0, hopByHopID: 9, endToEndID: 10, retransmitted: true) }
            #expect(bytes.count % 4 == 0)
            try withMessage(bytes) { m in
                #expect(m.header.commandCode == 271 && m.header.applicationID == 3)
                #expect(m.header.flags == [.request, .proxiable, .retransmitted])
                #expect(m.header.hopByHopID == 9 && m.header.endToEndID == 10)
                let d = try AccountingRequest(decoding: m)
                #expect(text(d.sessionID) == "ims;7;0;s00001")
                #expect(text(d.originHost) == "ims.example.org")
                #expect(text(d.originRealm) == "example.org")
                #expect(text(d.destinationRealm) == "charging.example.org")
                #expect(d.recordType == type && d.recordNumber == 41)
                #expect(d.eventTimestamp == 3_900_000_000)
                #expect(d.inputOctets == 1 << 40 && d.inputPackets == 17)
            }
        }
    }

    @Test func accountingAnswer() throws {
        try withViews(["ims;7;0;s00001", "ofcs.example.net", "example.net"]) { v in
            let request = DiameterHeader(
                flags: [.request, .proxiable],
                commandCode: 271,
                applicationID: 3,
                hopByHopID: 5,
                endToEndID: 6
            )
            let aca = AccountingAnswer(
                sessionID: v[0],
                resultCode: 2001,
                originHost: v[1],
                originRealm: v[2],
                recordType: .interim,
                recordNumber: 3,
                interimInterval: 30
            )
            let bytes = encoded { aca.encode(into: &$0, answering: request) }
            try withMessage(bytes) { m in
                #expect(!m.header.isRequest && m.header.flags == .proxiable)
                #expect(m.header.hopByHopID == 5 && m.header.endToEndID == 6)
                let d = try AccountingAnswer(decoding: m)
                #expect(d.resultCode == 2001 && d.recordType == .interim && d.recordNumber == 3)
                #expect(d.interimInterval == 30 && text(d.sessionID) == "ims;7;0;s00001")
                #expect(text(d.originHost) == "ofcs.example.net")
            }
        }
    }

    @Test(arguments: [false, true])
    func creditControlRequest(messages: Bool) throws {
        try withViews([
            "ims;7;1;s00001", "ims.example.org", "example.org", "example.net", "msrp@example.org",
            "sip:s00001@example.org",
        ]) { v in
            let ccr = CreditControlRequest(
                sessionID: v[0],
                originHost: v[1],
                originRealm: v[2],
                destinationRealm: v[3],
                serviceContextID: v[4],
                requestType: .update,
                requestNumber: 4,
                eventTimestamp: 1,
                subscriptionIDType: .sipURI,
                subscriptionIDData: v[5],
                unitsAreMessages: messages,
                requestedUnits: 1_000_000,
                usedUnits: 1234
            )
            let bytes = encoded { ccr.encode(into: &$0, hopByHopID: 1, endToEndID: 2) }
            try withMessage(bytes) { m in
                #expect(m.header.commandCode == 272 && m.header.applicationID == 4)
                let d = try CreditControlRequest(decoding: m)
                #expect(d.requestType == .update && d.requestNumber == 4)
                #expect(text(d.serviceContextID) == "msrp@example.org")
                #expect(d.subscriptionIDType == .sipURI && text(d.subscriptionIDData) == "sip:s00001@example.org")
                #expect(d.requestedUnits == 1_000_000 && d.usedUnits == 1234 && d.unitsAreMessages == messages)
            }
        }
    }

    @Test func creditControlAnswer() throws {
        try withViews(["ims;7;1;s00001", "ocs.example.net", "example.net"]) { v in
            let request = DiameterHeader(
                flags: [.request, .proxiable],
                commandCode: 272,
                applicationID: 4,
                hopByHopID: 5,
                endToEndID: 6
            )
            let cca = CreditControlAnswer(
                sessionID: v[0],
                resultCode: 2001,
                originHost: v[1],
                originRealm: v[2],
                requestType: .initial,
                requestNumber: 0,
                grantedUnits: 500_000,
                validityTime: 60,
                finalUnitAction: 0,
                serviceResultCode: 4012,
                failureHandling: .retryAndTerminate
            )
            let bytes = encoded { cca.encode(into: &$0, answering: request) }
            try withMessage(bytes) { m in
                let d = try CreditControlAnswer(decoding: m)
                #expect(d.resultCode == 2001 && d.requestType == .initial && d.requestNumber == 0)
                #expect(d.grantedUnits == 500_000 && d.validityTime == 60 && d.finalUnitAction == 0)
                #expect(d.serviceResultCode == 4012 && d.failureHandling == .retryAndTerminate)
            }
        }
    }

    @Test(arguments: [nil, 2001 as UInt32])
    func capabilitiesExchange(result: UInt32?) throws {
        try withViews(["ims.example.org", "example.org", "msrpcharge"]) { v in
            let address: [UInt8] = [0, 1, 198, 51, 100, 1]
            try address.withUnsafeBytes { a in
                let cer = CapabilitiesExchange(
                    originHost: v[0],
                    originRealm: v[1],
                    hostIPAddress: a,
                    vendorID: 0,
                    productName: v[2],
                    originStateID: 77,
                    applications: [.baseAccounting, .creditControl],
                    resultCode: result
                )
                let request = DiameterHeader(
                    flags: .request,
                    commandCode: 257,
                    applicationID: 0,
                    hopByHopID: 1,
                    endToEndID: 1
                )
                let bytes = encoded {
                    cer.encode(into: &$0, hopByHopID: 1, endToEndID: 1, answering: result == nil ? nil : request)
                }
                try withMessage(bytes) { m in
                    #expect(m.header.isRequest == (result == nil))
                    let d = try CapabilitiesExchange(decoding: m)
                    #expect(text(d.originHost) == "ims.example.org" && text(d.productName) == "msrpcharge")
                    #expect(Array(d.hostIPAddress) == address && d.originStateID == 77)
                    #expect(d.applications == [.baseAccounting, .creditControl] && d.resultCode == result)
                }
            }
        }
    }

    @Test(arguments: [DiameterCommandCode.deviceWatchdog, DiameterCommandCode.disconnectPeer])
    func peerControl(command: UInt32) throws {
        try withViews(["ims.example.org", "example.org"]) { v in
            let cause: DisconnectCause? = command == DiameterCommandCode.disconnectPeer ? .busy : nil
            let request = PeerControlMessage(
                commandCode: command,
                originHost: v[0],
                originRealm: v[1],
                originStateID: 3,
                disconnectCause: cause
            )
            let bytes = encoded { request.encode(into: &$0, hopByHopID: 8, endToEndID: 9) }
            let header = try withMessage(bytes) { m in
                let d = try PeerControlMessage(decoding: m)
                #expect(d.commandCode == command && d.originStateID == 3 && d.disconnectCause == cause)
                return m.header
            }
            let answer = PeerControlMessage(commandCode: command, originHost: v[0], originRealm: v[1], resultCode: 2001)
            let answerBytes = encoded { answer.encode(into: &$0, answering: header) }
            try withMessage(answerBytes) { m in
                #expect(!m.header.isRequest && m.header.hopByHopID == 8)
                let d = try PeerControlMessage(decoding: m)
                #expect(d.resultCode == 2001)
            }
        }
    }

    /// A buffer too small for the message: the encoder says so and writes nothing past it.
    @Test func overflow() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 40, alignment: 8)
        defer { buffer.deallocate() }
        var e = DiameterEncoder(buffer)
        withViews(["a-long-session-id-that-does-not-fit-in-forty-bytes"]) { v in
            let start = e.beginMessage(
                DiameterHeader(flags: .request, commandCode: 271, applicationID: 3, hopByHopID: 0, endToEndID: 0)
            )
            e.appendBytes(DiameterAVPCode.sessionID, v[0])
            e.endMessage(start)
        }
        #expect(e.overflowed && e.count <= 40)
    }

    @Test func sessionIDNamesTheMSRPSession() {
        let prefix = DiameterSessionID.prefix(identity: "ims.example.org", high: 12, interface: 1)
        #expect(String(decoding: prefix, as: UTF8.self) == "ims.example.org;12;1;")
        withViews(["ims.example.org;12;1;s0000abc", "foreign;id"]) { v in
            #expect(text(DiameterSessionID.sessionPart(of: v[0])) == "s0000abc")
            #expect(text(DiameterSessionID.sessionPart(of: v[1])) == "foreign;id")
        }
    }
}
