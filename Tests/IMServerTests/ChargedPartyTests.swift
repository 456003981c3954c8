import Charging
import SIP
import Testing

@testable import IMServer

/// Who a session charges, read from the INVITE: P-Asserted-Identity before From (RFC 3325),
/// and the P-Charging-Vector's icid-value (RFC 7315 §5.7), token or quoted.
@Suite struct ChargedPartyTests {
    typealias Core = SIPCore<EmbeddedChargingEnabler>

    static func invite(_ headers: [(String, String)]) -> SIPMessage {
        var m = SIPMessage(.request(method: .invite, uri: "sip:bob@example.net"))
        for (n, v) in headers { m.add(n, v) }
        return m
    }

    @Test func assertedIdentityIsTheCallingParty() {
        #expect(Core.assertedIdentity(Self.invite([])) == nil)
        #expect(
            Core.assertedIdentity(Self.invite([("P-Asserted-Identity", "\"Alice\" <sip:alice@example.net>")]))
                == "sip:alice@example.net"
        )
        #expect(
            Core.assertedIdentity(
                Self.invite([("P-Asserted-Identity", "<tel:+4930123456>, <sip:alice@example.net>")])
            ) == "tel:+4930123456",
            "the first of two identities"
        )
        #expect(Core.assertedIdentity(Self.invite([("P-Asserted-Identity", " sip:carol@example.net;user=phone")])) == "sip:carol@example.net")
    }

    @Test func theChargingVectorsICIDIsKept() {
        #expect(Core.chargingIdentifier(Self.invite([])) == nil)
        #expect(
            Core.chargingIdentifier(
                Self.invite([("P-Charging-Vector", "icid-value=1234bc9876e; icid-generated-at=192.0.6.8; orig-ioi=home1.net")])
            ) == "1234bc9876e"
        )
        #expect(
            Core.chargingIdentifier(Self.invite([("P-Charging-Vector", "orig-ioi=a.net;ICID-Value=\"AyretyU0dm+6O2IrT5tAFrbHLso=023551024\"")]))
                == "AyretyU0dm+6O2IrT5tAFrbHLso=023551024"
        )
        #expect(Core.chargingIdentifier(Self.invite([("P-Charging-Vector", "orig-ioi=a.net")])) == nil)
    }
}
