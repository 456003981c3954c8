import ChannelSupport
import MSRP
import Testing

@testable import MSRPChargeCommands

/// The parts every command shares, each written once: the `HOST:PORT` parser, the counted
/// idents (transaction and message ids), the Prometheus label escaping.
@Suite struct SharedPartsTests {
    @Test func hostPortParsesNamesAndLiteralsAndRefusesTheRest() {
        #expect(HostPort("127.0.0.1:5060") == HostPort(host: "127.0.0.1", port: 5060))
        #expect(HostPort("enabler.test:3868") == HostPort(host: "enabler.test", port: 3868))
        #expect(HostPort("[::1]:3868") == HostPort(host: "::1", port: 3868))
        #expect(HostPort("[::1]:3868")?.description == "[::1]:3868")
        #expect(HostPort("0.0.0.0:0")?.port == 0)
        for bad in ["host", ":5060", "host:", "host:x", "host:70000", "host:-1", "::1:3868", "[::1:3868", "[]:1"] {
            #expect(HostPort(bad) == nil, "'\(bad)' accepted")
        }
        #expect(throws: (any Error).self) { try Serve.hostPort("--sip", "5060") }
    }

    @Test func countedIdentsRoundTripInBase36() {
        var bytes = [UInt8](repeating: 0, count: 10)
        for v: UInt64 in [0, 1, 35, 36, 1_295, 123_456_789, 101_559_956_668_415] {
            let n = bytes.withUnsafeMutableBytes { CountedIdent.write(prefix: UInt8(ascii: "t"), v, into: $0) }
            #expect(n == 10)
            let text = String(decoding: bytes, as: UTF8.self)
            let want = String(v, radix: 36)
            #expect(text == "t" + String(repeating: "0", count: 9 - want.count) + want)
            #expect(TransactionID.isValid(text))
            #expect(bytes.withUnsafeBytes { CountedIdent.value($0, 1..<10) } == v)
        }
        bytes[4] = UInt8(ascii: "Z")
        #expect(bytes.withUnsafeBytes { CountedIdent.value($0, 1..<10) } == nil)
    }

    @Test func prometheusLabelValuesAreEscaped() {
        #expect(PrometheusHistogramText.escaped("plain 1/2") == "plain 1/2")
        #expect(PrometheusHistogramText.escaped("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        var h = NanosecondHistogram(numberOfSignificantValueDigits: .two)
        h.record(1_000)
        let text = PrometheusHistogramText.render("x_seconds", h, labels: [("run", "a\"b\nc")])
        #expect(text.contains("x_seconds_count{run=\"a\\\"b\\nc\"} 1"))
        // Every sample is one line: the escaped line feed did not split one.
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("#") || $0.hasPrefix("x_seconds") })
    }
}
