/// Header names as the parser stores them: the canonical spelling of RFC 3261 §20 for the
/// headers it knows, with the compact forms of §7.3.3 expanded, so lookups need no case folding.
public enum SIPHeaderName {
    /// The canonical name for `name` as it appeared on the wire (any case, compact or not).
    public static func canonical(_ name: String) -> String {
        // Most senders spell the common headers canonically already: no lowercased copy then.
        switch name {
        case "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards",
            "Expires", "Route", "Record-Route", "Allow", "Server", "User-Agent":
            return name
        default: break
        }
        let lower = name.lowercased()
        if lower.utf8.count == 1 {
            switch lower {
            case "i": return "Call-ID"
            case "m": return "Contact"
            case "e": return "Content-Encoding"
            case "l": return "Content-Length"
            case "c": return "Content-Type"
            case "f": return "From"
            case "s": return "Subject"
            case "k": return "Supported"
            case "t": return "To"
            case "v": return "Via"
            case "o": return "Event"
            case "r": return "Refer-To"
            case "u": return "Allow-Events"
            default: return name
            }
        }
        switch lower {
        case "call-id": return "Call-ID"
        case "contact": return "Contact"
        case "content-length": return "Content-Length"
        case "content-type": return "Content-Type"
        case "content-encoding": return "Content-Encoding"
        case "from": return "From"
        case "to": return "To"
        case "via": return "Via"
        case "cseq": return "CSeq"
        case "max-forwards": return "Max-Forwards"
        case "expires": return "Expires"
        case "route": return "Route"
        case "record-route": return "Record-Route"
        case "subject": return "Subject"
        case "supported": return "Supported"
        case "require": return "Require"
        case "allow": return "Allow"
        case "accept": return "Accept"
        case "user-agent": return "User-Agent"
        case "server": return "Server"
        case "reason": return "Reason"
        case "mime-version": return "MIME-Version"
        case "content-disposition": return "Content-Disposition"
        default: return name
        }
    }

    /// Headers whose value may hold several comma-separated entries (§7.3.1): Via, Contact,
    /// Route and Record-Route are split into one entry each.
    static func isList(_ canonical: String) -> Bool {
        canonical == "Via" || canonical == "Contact" || canonical == "Route" || canonical == "Record-Route"
    }
}
