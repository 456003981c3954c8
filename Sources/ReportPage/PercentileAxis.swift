#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// HdrHistogram's percentile axis, as its plotter draws a distribution: the position of
/// percentile p is log10(1 / (1 - p)), so 90 %, 99 %, 99.9 %, … lie one decade apart and the
/// tail gets the room it deserves. 100 % (the maximum) is put at the axis's right end.
public enum PercentileAxis {
    /// The position of `percentile` (in %) in decades from 0 % (0), clamped to `decades`.
    public static func position(percentile: Double, decades: Int) -> Double {
        let rest = 1 - percentile / 100
        guard rest > 0 else { return Double(decades) }
        return min(Double(decades), max(0, -log10(rest)))
    }

    /// The percentile (in %) at `position` decades: the inverse of `position`.
    public static func percentile(atPosition x: Double) -> Double { 100 * (1 - pow10(-x)) }

    /// Decades enough to show every point below 100 % of `percentiles` (at least 2: 99 %, at
    /// most 7: 99.99999 %).
    public static func decades(for percentiles: [Double]) -> Int {
        var top = 0.0
        for p in percentiles where p < 100 { top = max(top, -log10(1 - p / 100)) }
        return min(7, max(2, Int(top.rounded(.up))))
    }

    /// The tick labels: 0 %, 90 %, 99 %, 99.9 %, …
    static func label(decade: Int) -> String {
        guard decade > 0 else { return "0%" }
        guard decade > 1 else { return "90%" }
        guard decade > 2 else { return "99%" }
        return "99." + String(repeating: "9", count: decade - 2) + "%"
    }

    static func pow10(_ x: Double) -> Double { pow(10, x) }

    static func log10(_ x: Double) -> Double {
        #if canImport(Darwin)
        Darwin.log10(x)
        #elseif canImport(Musl)
        Musl.log10(x)
        #else
        Glibc.log10(x)
        #endif
    }
}
