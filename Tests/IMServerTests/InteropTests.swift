import InteropScriptSupport
import Testing

/// The interop scripts (``InteropScript``): SIPp judges our SIP, tshark our SIP, SDP and MSRP,
/// Kamailio's msrp relay our MSRP framing from the other side of an RFC 4976 relay.
@Suite("IM server interop", .serialized)
struct InteropTests {
    @Test(.timeLimit(.minutes(3)))
    func sippCallsAndTheCreditDenial() throws {
        try InteropScript.check("scripts/interop/sipp.sh", environment: ["CALLS": "200", "RATE": "50"])
    }

    @Test(.timeLimit(.minutes(2)))
    func tsharkDissectsServesSIPAndMSRP() throws {
        try InteropScript.check("scripts/interop/serve-tshark.sh")
    }

    @Test(.timeLimit(.minutes(2)))
    func kamailioRelaysChunksThatServeChargesOnce() throws {
        try InteropScript.check("scripts/interop/kamailio.sh")
    }
}
