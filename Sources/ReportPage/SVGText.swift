/// Text and numbers for SVG and HTML, without Foundation (the engine's rule; the page is
/// written by code that also runs in tests without it). The command line's SI figures are the
/// page's (``si(_:)``), so a rate reads the same in both.
public enum SVGText {
    /// `s` with the five XML special characters escaped (attribute values and text).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `v` with `digits` decimals, no exponent (coordinates, ratios).
    public static func fixed(_ v: Double, _ digits: Int = 2) -> String {
        guard v.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e15 else { return String(Int(v.rounded())) }
        let n = Int(scaled)
        let s = Int(scale)
        let whole = String(n / s)
        let sign = v < 0 && n != 0 ? "-" : ""
        guard digits > 0 else { return sign + whole }
        let frac = String(n % s)
        return sign + whole + "." + String(repeating: "0", count: digits - frac.count) + frac
    }

    /// 3 significant figures with k/M/G: 950, 12.5 k, 1.84 M (axis labels, bar values).
    public static func si(_ v: Double) -> String {
        let a = abs(v)
        func sig(_ x: Double) -> String {
            x >= 100 ? fixed(x, 0) : x >= 10 ? trim(fixed(x, 1)) : trim(fixed(x, 2))
        }
        if a >= 1e9 { return sig(v / 1e9) + " G" }
        if a >= 1e6 { return sig(v / 1e6) + " M" }
        if a >= 1e3 { return sig(v / 1e3) + " k" }
        if a > 0 && a < 1 {
            // Three significant figures below 1 (0.0107 cores, not 0.01).
            var digits = 2
            var x = a
            while x < 1 && digits < 8 {
                x *= 10
                digits += 1
            }
            return trim(fixed(v, digits))
        }
        return sig(v)
    }

    /// "1.50" → "1.5", "2.00" → "2".
    static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }

    /// The smallest of 1, 2, 5 × 10^k at or above `v` (an axis's top).
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var decade = 1.0
        while decade * 10 <= v { decade *= 10 }
        while decade > v { decade /= 10 }
        for m in [1.0, 2, 5, 10] where m * decade >= v { return m * decade }
        return 10 * decade
    }
}
