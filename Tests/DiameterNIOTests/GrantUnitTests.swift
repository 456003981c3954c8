import Charging
import Diameter
import DiameterNIO
import DiameterTestSupport
import Testing

/// Grants in the unit an OCS rates in (RFC 4006 §8.17–8.23): CC-Time, CC-Input/Output-Octets,
/// and several MSCCs in one answer. Each is read as a usable grant in its unit, and the usage
/// goes back in the same unit.
@Suite("CH-2 grant units")
struct GrantUnitTests {
    typealias C = DiameterAVPCode

    /// A CCA-I whose MSCCs are made by `blocks` (each fills one MSCC's members).
    static func cca(_ blocks: [(inout RawMessage) -> Void]) -> [UInt8] {
        var m = RawMessage(flags: 0x40, command: DiameterCommandCode.creditControl, application: 4)
        m.ccaInitialBody()
        for block in blocks {
            var mscc = RawMessage()
            block(&mscc)
            m.avp(C.multipleServicesCreditControl, data: mscc.avps)
        }
        return m.bytes
    }

    static func grant(_ members: @escaping (inout RawMessage) -> Void) -> (inout RawMessage) -> Void {
        { mscc in
            var gsu = RawMessage()
            members(&gsu)
            mscc.avp(C.grantedServiceUnit, data: gsu.avps)
        }
    }

    static func answer(_ bytes: [UInt8], ratingGroup: UInt32? = nil) throws -> ChargingAnswer {
        let request = ChargingRequest(kind: .onlineInitial, session: SessionKey("s1")!, number: 0, sentAt: 0)
        return try bytes.withUnsafeBytes { raw in
            let m = try DiameterMessage(validating: raw)
            return try ChargingDiameterMapping.answer(m, to: request, ratingGroup: ratingGroup)
        }
    }

    @Test func aTimeGrantIsSecondsOfSession() throws {
        let a = try Self.answer(Self.cca([Self.grant { $0.u32(C.ccTime, 30) }]))
        #expect(a.isSuccess && a.grantUnit == .time && a.grantedUnits == 30)
    }

    @Test func aSplitGrantLastsUntilTheSmallerRunsOut() throws {
        let a = try Self.answer(
            Self.cca([
                Self.grant {
                    $0.avp(C.ccInputOctets, data: be64(9000))
                    $0.avp(C.ccOutputOctets, data: be64(4000))
                }
            ])
        )
        #expect(a.grantUnit == .inputAndOutputOctets && a.grantedUnits == 4000)
    }

    @Test func ofSeveralMSCCsTheRequestsRatingGroupIsRead() throws {
        let bytes = Self.cca([
            { m in
                Self.grant { $0.avp(C.ccTotalOctets, data: be64(100)) }(&m)
                m.u32(C.ratingGroup, 7)
            },
            { m in
                Self.grant { $0.avp(C.ccTotalOctets, data: be64(5000)) }(&m)
                m.u32(C.ratingGroup, 2)
            },
        ])
        #expect(try Self.answer(bytes, ratingGroup: 2).grantedUnits == 5000)
        #expect(try Self.answer(bytes, ratingGroup: nil).grantedUnits == 100, "none asked: the first")
    }

    /// The Charging Enabler User takes a time grant as that many seconds of any volume: the
    /// update comes when they run out, with Used-Service-Unit in CC-Time; the CCR carries it so.
    @Test func aTimeGrantRunsOutInTimeAndIsReportedInSeconds() throws {
        var c = ChargingConfiguration(mode: .online)
        c.requestedUnits = 1000
        let user = ChargingEnablerUser(c)
        let key = SessionKey("t1")!
        var s = ChargingSession()
        var out = ChargingOutbox()
        let t0: Int64 = 1_000_000_000_000
        user.inviteReceived(&s, key, now: t0, &out)
        out.drain()
        var grant = ChargingAnswer(kind: .onlineInitial, session: key, number: 0, grantedUnits: 30)
        grant.grantUnit = .time
        user.answerReceived(grant, &s, now: t0, &out)
        out.drain()
        // Far more bytes than 1000 within the 30 s: no update (the grant is time).
        for i in 0..<100 {
            _ = user.chunkAccepted(&s, key, bodyBytes: 1000, flag: .end, now: t0 + Int64(i) * 100_000_000, &out)
        }
        #expect(out.counters.sent(.onlineUpdate) == 0)
        let fired = SessionTimer(.validity, session: key, due: t0 + 30_000_000_000)
        user.timerFired(fired, &s, now: t0 + 30_000_000_000, &out)
        var update: ChargingRequest? = nil
        for case .request(let r) in out.actions where r.kind == .onlineUpdate { update = r }
        let u = try #require(update, "an update when the 30 s ran out")
        #expect(u.usedUnit == .time && u.usedUnits == 30)
        // On the wire: Used-Service-Unit with CC-Time 30.
        let mapping = ChargingDiameterMapping(destinationRealm: "ocs.test", ratingGroup: 2)
        let bytes = try Self.encode(u, mapping)
        try bytes.withUnsafeBytes { raw in
            let ccr = try CreditControlRequest(decoding: DiameterMessage(validating: raw))
            #expect(ccr.usedUnits == 30 && ccr.usedField == .time && ccr.ratingGroup == 2)
        }
    }

    /// The user the IM server recorded is the one every request names: a tel: identity as
    /// END_USER_E164 (digits only), a SIP one as END_USER_SIP_URI; the called party in
    /// IMS-Information.
    @Test(arguments: [("tel:+4930123456;phone-context=example.net", SubscriptionIDType.e164, "4930123456"),
                      ("sip:alice@example.net", SubscriptionIDType.sipURI, "sip:alice@example.net")])
    func theRecordedUserIsCharged(calling: String, type: SubscriptionIDType, data: String) throws {
        let r = ChargingRequest(kind: .onlineInitial, session: SessionKey("p1")!, number: 0, requestedUnits: 10, sentAt: 0)
        let mapping = ChargingDiameterMapping(destinationRealm: "ocs.test", profile: .threeGPP, ratingGroup: 1)
        let bytes = try Self.encode(r, mapping, party: (calling, "sip:bob@example.net"))
        try bytes.withUnsafeBytes { raw in
            let ccr = try CreditControlRequest(decoding: DiameterMessage(validating: raw))
            #expect(ccr.subscriptionIDType == type)
            #expect(String(decoding: ccr.subscriptionIDData, as: UTF8.self) == data)
            #expect(String(decoding: try #require(ccr.ims).calledPartyAddress, as: UTF8.self) == "sip:bob@example.net")
            #expect(String(decoding: try #require(ccr.ims).callingPartyAddress, as: UTF8.self) == calling)
        }
    }

    static func encode(
        _ r: ChargingRequest,
        _ mapping: ChargingDiameterMapping,
        party: (String, String)? = nil
    ) throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
        defer { buffer.deallocate() }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 8)
        defer { scratch.deallocate() }
        var e = DiameterEncoder(buffer)
        let strings: [[UInt8]] = [
            Array("as.test".utf8), Array("test".utf8), Array("as.test;1;1;".utf8), Array("ocs.test".utf8),
            Array("32260@3gpp.org".utf8), Array("sip:".utf8),
        ]
        func with(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) { strings[i].withUnsafeBytes(body) }
        var out: [UInt8] = []
        with(0) { host in
            with(1) { realm in
                with(2) { prefix in
                    with(3) { destination in
                        with(4) { context in
                            with(5) { sub in
                                let calling = Array((party?.0 ?? "").utf8)
                                let called = Array((party?.1 ?? "").utf8)
                                calling.withUnsafeBytes { c in
                                    called.withUnsafeBytes { d in
                                        mapping.encode(
                                            r,
                                            identity: (host, realm),
                                            sessionIDPrefix: prefix,
                                            destinationRealm: destination,
                                            serviceContextID: context,
                                            subscriptionPrefix: sub,
                                            scratch: scratch,
                                            eventTimestamp: 0,
                                            hopByHopID: 1,
                                            party: party == nil ? nil : ChargingDiameterMapping.Party(calling: c, called: d),
                                            into: &e
                                        )
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        out = Array(buffer[0..<e.count])
        return out
    }
}
