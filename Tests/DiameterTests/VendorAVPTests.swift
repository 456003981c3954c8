import Diameter
import DiameterTestSupport
import Testing

/// What a real OCS answers with: RFC 4006's Cost-Information and CC-Session-Failover (M bit),
/// a 3GPP Low-Balance-Indication (V and M bits), and a vendor AVP nobody here knows. The
/// answer is read and used; the unknown AVP is counted, never a reason to drop the grant. A
/// request with an unknown M-bit AVP is still refused with 5001 and Failed-AVP (RFC 6733 §4.1).
@Suite("Diameter vendor and RFC 4006 AVPs")
struct VendorAVPTests {
    typealias C = DiameterAVPCode

    /// A CCA-I granting 5000 octets, with what an operator's OCS adds.
    static func cca(unknownVendorAVP: Bool) -> [UInt8] {
        var m = RawMessage(flags: 0x40, command: DiameterCommandCode.creditControl, application: 4)
        m.ccaInitialBody()
        m.u32(C.ccSessionFailover, 1)
        var cost = RawMessage()
        var unit = RawMessage()
        unit.avp(C.valueDigits, data: be64(125))
        unit.avp(C.exponent, data: [0xFF, 0xFF, 0xFF, 0xFE])  // -2: 1.25
        cost.avp(C.unitValue, data: unit.avps)
        cost.u32(C.currencyCode, 978)
        m.avp(C.costInformation, data: cost.avps)
        m.avp(ThreeGPPAVPCode.lowBalanceIndication, flags: 0x40, vendor: ThreeGPPAVPCode.vendorID, data: [0, 0, 0, 1])
        if unknownVendorAVP { m.avp(7, flags: 0x40, vendor: 99_999, data: [1, 2, 3, 4]) }
        var gsu = RawMessage()
        gsu.avp(C.ccTotalOctets, data: be64(5000))
        var mscc = RawMessage()
        mscc.avp(C.grantedServiceUnit, data: gsu.avps)
        mscc.u32(C.resultCode, 2001)
        m.avp(C.multipleServicesCreditControl, data: mscc.avps)
        return m.bytes
    }

    @Test func anOperatorsAnswerIsReadAndItsUnknownAVPCounted() throws {
        let known = Self.cca(unknownVendorAVP: false)
        try known.withUnsafeBytes { raw in
            // Every AVP known: valid even for a server's strict reading.
            let m = try DiameterMessage(validating: raw)
            #expect(m.unknownMandatoryAVPs == 0)
            let a = try CreditControlAnswer(decoding: m)
            #expect(a.resultCode == 2001 && a.grantedUnits == 5000 && a.serviceResultCode == 2001)
        }
        let unknown = Self.cca(unknownVendorAVP: true)
        try unknown.withUnsafeBytes { raw in
            #expect(throws: DiameterError.self) { try DiameterMessage(validating: raw) }
            let m = try DiameterMessage(validating: raw, unknownMandatory: .count)
            #expect(m.unknownMandatoryAVPs == 1)
            #expect(m.firstUnknownMandatory?.code == 7 && m.firstUnknownMandatory?.vendorID == 99_999)
            let a = try CreditControlAnswer(decoding: m)
            #expect(a.grantedUnits == 5000, "the grant is used")
        }
    }

    @Test func aRequestWithAnUnknownMandatoryAVPIs5001WithFailedAVP() {
        var m = RawMessage()
        m.acrBody()
        m.avp(4242, flags: 0x40, vendor: ThreeGPPAVPCode.vendorID, data: [0, 0, 0, 0])
        let bytes = m.bytes
        bytes.withUnsafeBytes { raw in
            do throws(DiameterError) {
                _ = try DiameterMessage(validating: raw)
                Issue.record("accepted an unknown M-bit AVP in a request")
            } catch {
                #expect(error.code == .avpUnsupported)
                #expect(error.failedAVP?.code == 4242 && error.failedAVP?.vendorID == ThreeGPPAVPCode.vendorID)
            }
        }
    }

    /// IMS-Information as an AS writes it is known to the dictionary: a request carrying it is
    /// valid, and the ACR decoder reads past it.
    @Test func imsInformationInARequestIsValid() throws {
        var ims = RawMessage()
        ims.avp(ThreeGPPAVPCode.roleOfNode, vendor: ThreeGPPAVPCode.vendorID, data: [0, 0, 0, 0])
        ims.avp(ThreeGPPAVPCode.nodeFunctionality, vendor: ThreeGPPAVPCode.vendorID, data: [0, 0, 0, 6])
        ims.avp(ThreeGPPAVPCode.imsChargingIdentifier, vendor: ThreeGPPAVPCode.vendorID, data: Array("icid-1".utf8))
        var service = RawMessage()
        service.avp(ThreeGPPAVPCode.imsInformation, vendor: ThreeGPPAVPCode.vendorID, data: ims.avps)
        var m = RawMessage()
        m.acrBody()
        m.avp(ThreeGPPAVPCode.serviceInformation, vendor: ThreeGPPAVPCode.vendorID, data: service.avps)
        let bytes = m.bytes
        try bytes.withUnsafeBytes { raw in
            let msg = try DiameterMessage(validating: raw)
            let acr = try AccountingRequest(decoding: msg)
            #expect(acr.recordNumber == 1)
        }
    }

    /// Experimental-Result (RFC 6733 §7.6) takes Result-Code's place: a 3GPP OCS's vendor code
    /// is the answer's result.
    @Test func experimentalResultIsTheResult() throws {
        var m = RawMessage(flags: 0x40, command: DiameterCommandCode.creditControl, application: 4)
        m.str(C.sessionID, "h;1;1;s1")
        var exp = RawMessage()
        exp.u32(C.vendorID, ThreeGPPAVPCode.vendorID)
        exp.u32(C.experimentalResultCode, 5030)
        m.avp(C.experimentalResult, data: exp.avps)
        m.str(C.originHost, "ocs.example.net")
        m.str(C.originRealm, "example.net")
        let bytes = m.bytes
        try bytes.withUnsafeBytes { raw in
            let a = try CreditControlAnswer(decoding: DiameterMessage(validating: raw))
            #expect(a.resultCode == 5030)
        }
    }
}
