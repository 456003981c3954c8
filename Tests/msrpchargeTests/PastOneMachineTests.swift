import InteropScriptSupport
import Testing

/// Past one machine, with real parts: Prometheus scraping two generators
/// (scripts/interop/prometheus.sh). Run with the wire suites, after the others.
@Suite struct PastOneMachineTests {
    @Test func prometheusSumsWhatTheReportsHold() throws {
        try InteropScript.check("scripts/interop/prometheus.sh")
    }
}
