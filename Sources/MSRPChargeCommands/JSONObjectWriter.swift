/// Builds one JSON object (RFC 8259) with keys in the order they are added. Enough for report
/// lines; no Foundation.
struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { text += "," }
        first = false
        Self.appendString(k, to: &text)
        text += ":"
    }

    mutating func raw(_ k: String, _ json: String) {
        key(k)
        text += json
    }

    mutating func field(_ k: String, _ v: Int) { raw(k, String(v)) }
    mutating func field(_ k: String, _ v: Double) { raw(k, v.isFinite ? String(v) : "null") }
    mutating func field(_ k: String, _ v: Bool) { raw(k, v ? "true" : "false") }

    mutating func field(_ k: String, _ v: String?) {
        key(k)
        if let v { Self.appendString(v, to: &text) } else { text += "null" }
    }

    mutating func field(_ k: String, _ v: [String]) {
        key(k)
        text += "["
        for (i, s) in v.enumerated() {
            if i > 0 { text += "," }
            Self.appendString(s, to: &text)
        }
        text += "]"
    }

    func finish() -> String { text + "}" }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
