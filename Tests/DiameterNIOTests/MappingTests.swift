import Charging
import Diameter
import DiameterNIO
import Testing

/// CH-2 answers through CCA and back: the grant, Validity-Time, final units, the MSCC's
/// Result-Code and Credit-Control-Failure-Handling survive the wire.
@Suite("Rf/Ro mapping")
struct MappingTests {
    @Test(arguments: Charging.CreditControlFailureHandling.allCases)
    func creditControlAnswerRoundTrip(handling: Charging.CreditControlFailureHandling) throws {
        let request = ChargingRequest(kind: .onlineUpdate, session: SessionKey("s0000042")!, number: 3, sentAt: 0)
        var answer = ChargingAnswer(to: request, grantedUnits: 700, validityTime: 60_000_000_000, finalUnits: true)
        answer.failureHandling = handling
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 8)
        defer { buffer.deallocate() }
        var e = DiameterEncoder(buffer)
        let header = DiameterHeader(
            flags: .proxiableRequest,
            commandCode: 272,
            applicationID: 4,
            hopByHopID: 1,
            endToEndID: 2
        )
        let strings = Array("ocs.test;1;1;s0000042ocs.testtest".utf8)
        try strings.withUnsafeBytes { raw in
            ChargingDiameterMapping.encode(
                answer,
                answering: header,
                sessionID: UnsafeRawBufferPointer(rebasing: raw[0..<21]),
                identity: (
                    UnsafeRawBufferPointer(rebasing: raw[21..<29]), UnsafeRawBufferPointer(rebasing: raw[29...])
                ),
                unitsAreMessages: false,
                into: &e
            )
            let back = try ChargingDiameterMapping.answer(DiameterMessage(validating: e.written), to: request)
            #expect(back == answer)
        }
    }

    @Test func aDenialInTheMSCCCountsWhenTheCommandSucceeds() throws {
        let request = ChargingRequest(kind: .onlineUpdate, session: SessionKey("s1")!, number: 1, sentAt: 0)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 8)
        defer { buffer.deallocate() }
        var e = DiameterEncoder(buffer)
        let header = DiameterHeader(
            flags: .proxiableRequest,
            commandCode: 272,
            applicationID: 4,
            hopByHopID: 1,
            endToEndID: 2
        )
        let strings = Array("s1ocs".utf8)
        try strings.withUnsafeBytes { raw in
            let v = UnsafeRawBufferPointer(rebasing: raw[0..<2])
            CreditControlAnswer(
                sessionID: v,
                resultCode: 2001,
                originHost: v,
                originRealm: v,
                requestType: .update,
                requestNumber: 1,
                serviceResultCode: 4012
            ).encode(into: &e, answering: header)
            let back = try ChargingDiameterMapping.answer(DiameterMessage(validating: e.written), to: request)
            #expect(back.resultCode == 4012 && !back.isSuccess)
        }
    }
}
