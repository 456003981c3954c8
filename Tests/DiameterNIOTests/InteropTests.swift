import InteropScriptSupport
import Testing

/// The interop scripts (``InteropScript``): freeDiameterd (in a network namespace) and tshark
/// judge our Diameter.
@Suite("Diameter interop", .serialized)
struct InteropTests {
    @Test(.timeLimit(.minutes(3)))
    func freeDiameterdRelayWatchdogAndDisconnect() throws {
        // A debug build through a relay: paced well inside what it carries.
        try InteropScript.check("scripts/interop/freediameter.sh", environment: ["RATE": "4000"])
    }

    @Test(.timeLimit(.minutes(2)))
    func tsharkDissectsEveryMessage() throws {
        try InteropScript.check("scripts/interop/diameter-tshark.sh")
    }
}
