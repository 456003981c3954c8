import Foundation
import Histogram
import InteropScriptSupport
import Testing

@testable import HistogramCodec

/// HdrHistogram's V2 encoding: what is written reads back to the same histogram, and
/// HdrHistogram's Python implementation (an independent judge) reads ours and writes what we
/// read.
@Suite struct HistogramEncodingTests {
    /// A histogram as the engine makes them (1 ns to an hour, three digits), with values
    /// spread over eight decades and repeated counts.
    static func sample(seed: UInt64 = 7, count: Int = 20_000) -> Histogram<UInt64> {
        var h = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        var x = seed
        for _ in 0..<count {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let decade = Double(x >> 60) / 2  // 0 … 7.5
            let v = UInt64(pow(10, 1 + decade) * (1 + Double(x >> 40 & 0xFFFF) / 65536))
            _ = h.record(v)
        }
        _ = h.record(1, count: 5)
        return h
    }

    @Test func roundTripsEveryCount() throws {
        for h in [Self.sample(), Self.sample(seed: 99, count: 3), Histogram<UInt64>(highestTrackableValue: 1_000_000)] {
            let text = HistogramEncoding.base64(h)
            let back = try HistogramEncoding.histogram(base64: text)
            #expect(back == h)
            #expect(back.totalCount == h.totalCount && back.max == h.max)
            // The plain form too.
            #expect(try HistogramEncoding.decode(HistogramEncoding.encode(h)) == h)
            #expect(try EncodedHistogram(h).histogram() == h)
        }
        // Two digits, as the per-second histograms are.
        var two = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)
        for v in stride(from: 1000 as UInt64, to: 50_000_000, by: 7919) { _ = two.record(v) }
        #expect(try HistogramEncoding.histogram(base64: HistogramEncoding.base64(two)) == two)
    }

    @Test func mergingDecodedHistogramsIsMergingTheHistograms() throws {
        let a = Self.sample(seed: 1)
        let b = Self.sample(seed: 2, count: 5000)
        var inMemory = a
        inMemory.add(b)
        // As reports carry them (the extremes beside the counts): every percentile the same,
        // the minimum, the maximum and the mean too.
        var decoded = try EncodedHistogram(a).histogram()
        decoded.add(try EncodedHistogram(b).histogram())
        #expect(decoded == inMemory)
        for p in [0.0, 1, 50, 90, 99, 99.9, 99.99, 99.999, 100] {
            #expect(decoded.valueAtPercentile(p) == inMemory.valueAtPercentile(p), "p\(p)")
        }
        #expect(decoded.min == inMemory.min && decoded.maxRecorded == inMemory.maxRecorded)
        #expect(decoded.mean == inMemory.mean)
        // The counts alone (V2 as every implementation reads it) agree below the top bucket.
        let countsOnly = try HistogramEncoding.histogram(base64: HistogramEncoding.base64(a))
        #expect(countsOnly == a)
        for p in [50.0, 90, 99, 99.9] { #expect(countsOnly.valueAtPercentile(p) == a.valueAtPercentile(p)) }
    }

    @Test func badInputIsRefusedWithTheReason() {
        #expect(throws: HistogramDecodingError.self) { try HistogramEncoding.histogram(base64: "not base64!") }
        #expect {
            try HistogramEncoding.decode([0x1c, 0x84, 0x93, 0x08, 0, 0, 0, 0])
        } throws: { error in
            "\(error)".contains("cookie 0x1c849308")
        }
        var cut = HistogramEncoding.compressed(Self.sample())
        cut.removeLast(cut.count / 2)
        #expect {
            try HistogramEncoding.decode(cut)
        } throws: { error in
            "\(error)".contains("past the")
        }
        var plain = HistogramEncoding.encode(Self.sample())
        plain.removeLast(3)
        #expect(throws: HistogramDecodingError.self) { try HistogramEncoding.decode(plain) }
    }

    // MARK: The independent judge

    /// Runs scripts/interop/hdrh_judge.py; nil (with the reason printed) if hdrh cannot be had.
    static func judge(_ args: [String]) throws -> String? {
        let run = InteropScript.process
        if try run(["python3", "-c", "import hdrh"], [:]).0 != 0 {
            _ = try run(["python3", "-m", "pip", "install", "-q", "hdrhistogram"], [:])
            guard try run(["python3", "-c", "import hdrh"], [:]).0 == 0 else {
                Peers.missing("HdrHistogram's Python implementation", "pip could not install hdrhistogram")
                return nil
            }
        }
        let script = InteropScript.root.appendingPathComponent("scripts/interop/hdrh_judge.py").path
        let (status, out) = try run(["python3", script] + args, [:])
        #expect(status == 0, "\(out)")
        Peers.ran("HdrHistogram's Python implementation")
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func hdrHistogramsPythonImplementationReadsOurs() throws {
        let h = Self.sample()
        guard let out = try Self.judge(["decode", HistogramEncoding.base64(h)]) else { return }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
        #expect(json["total"] as? Int == Int(h.totalCount))
        #expect(json["highest"] as? Int == 3_600_000_000_000 && json["digits"] as? Int == 3)
        // Values at percentiles: both implementations report a bucket's highest equivalent
        // value, so they must agree exactly (the minimum is the bucket's lowest).
        let percentiles = try #require(json["percentiles"] as? [String: Int])
        // Below the top bucket both give a bucket's highest equivalent value; at the top ours is
        // clamped to the maximum recorded, hdrh's is the bucket's (the same bucket).
        for (p, v) in percentiles where p != "0" {
            let ours = h.valueAtPercentile(Double(p)!)
            #expect(UInt64(v) == (ours == h.maxRecorded ? h.max : ours), "p\(p)")
        }
        #expect(UInt64(json["max"] as? Int ?? 0) == h.max, "hdrh's max is the top bucket's highest equivalent value")
        #expect(UInt64(json["min"] as? Int ?? 0) == h.lowestEquivalentForValue(h.min))
        print("ok: hdrh (Python) read our encoding of \(h.totalCount) values; every percentile agrees")
    }

    @Test func weReadHdrHistogramsPythonImplementation() throws {
        let values: [UInt64] = [1, 1, 7, 999, 1000, 1001, 123_456, 9_999_999, 1_000_000_000, 3_000_000_000_000]
        guard let text = try Self.judge(["encode"] + values.map(String.init)) else { return }
        let h = try HistogramEncoding.histogram(base64: text)
        var want = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        for v in values { _ = want.record(v) }
        #expect(h == want, "decoded \(h.totalCount) values")
        print("ok: we read hdrh's (Python) encoding: the same \(values.count) values")
    }
}
