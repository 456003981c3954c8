import Foundation
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

    /// The 3GPP field check fails requests without TS 32.299's fields: the minimal profile's.
    @Test(.timeLimit(.minutes(2)))
    func tsharkFieldCheckCatchesRequestsWithoutThe3GPPFields() throws {
        let (status, out) = try InteropScript.run("scripts/interop/diameter-tshark.sh", environment: ["PROFILE": "minimal"])
        if out.contains("SKIPPED") && ProcessInfo.processInfo.environment["CI"] != "true" { return }
        #expect(status != 0, "\(out)")
        #expect(out.contains("FAILED: missing or wrong:") && out.contains("Service-Context-Id"), "\(out)")
    }
}
