/// Header names as the parser stores them: the canonical spelling of RFC 3261 §20 for the
/// headers it knows, with the compact forms of §7.3.3 expanded, so lookups need no case folding.
public enum SIPHeaderName {
    /// The canonical name for `name` as it appeared on the wire (any case, compact or not).
    public static func canonical(_ name: String) -> String {
        var n = name
        return n.withUTF8 { canonical(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The names this parser knows, lower case, beside their canonical spelling (§20).
    static let known: [(lower: [UInt8], canonical: String)] = [
        "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards",
        "Expires", "Route", "Record-Route", "Allow", "Server", "User-Agent", "Content-Encoding", "Subject",
        "Supported", "Require", "Accept", "Reason", "MIME-Version", "Content-Disposition",
    ].map { (Array($0.lowercased().utf8), $0) }

    /// The canonical name for the bytes of a name as it appeared on the wire: a known name
    /// comes back as a constant, matched without case and without a copy.
    static func canonical(bytes name: UnsafeRawBufferPointer) -> String {
        if name.count == 1 {
            switch name[0] | 0x20 {
            case UInt8(ascii: "i"): return "Call-ID"
            case UInt8(ascii: "m"): return "Contact"
            case UInt8(ascii: "e"): return "Content-Encoding"
            case UInt8(ascii: "l"): return "Content-Length"
            case UInt8(ascii: "c"): return "Content-Type"
            case UInt8(ascii: "f"): return "From"
            case UInt8(ascii: "s"): return "Subject"
            case UInt8(ascii: "k"): return "Supported"
            case UInt8(ascii: "t"): return "To"
            case UInt8(ascii: "v"): return "Via"
            case UInt8(ascii: "o"): return "Event"
            case UInt8(ascii: "r"): return "Refer-To"
            case UInt8(ascii: "u"): return "Allow-Events"
            default: break
            }
        }
        for (lower, canonical) in known where SIPToken.equalsLowercased(name, lower) { return canonical }
        return String(decoding: name, as: UTF8.self)
    }

    /// Headers whose value may hold several comma-separated entries (§7.3.1): Via, Contact,
    /// Route and Record-Route are split into one entry each.
    static func isList(_ canonical: String) -> Bool {
        canonical == "Via" || canonical == "Contact" || canonical == "Route" || canonical == "Record-Route"
    }
}
