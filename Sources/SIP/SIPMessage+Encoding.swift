extension SIPMessage {
    /// The message on the wire: start line, headers in order with Content-Length set to the
    /// body's size (one field, last), the empty line, the body (RFC 3261 §7).
    public var encoded: [UInt8] {
        // Appended as bytes into one array sized up front: building a String by interpolation
        // and copying it out cost a server more than the rest of answering a request.
        var size = 64 + body.count
        for h in headers { size += h.name.utf8.count + h.value.utf8.count + 4 }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        switch startLine {
        case .request(let m, let uri):
            out.append(contentsOf: m.description.utf8)
            out.append(0x20)
            out.append(contentsOf: uri.utf8)
            out.append(contentsOf: " SIP/2.0\r\n".utf8)
        case .response(let status, let reason):
            out.append(contentsOf: "SIP/2.0 ".utf8)
            out.append(contentsOf: String(status).utf8)
            out.append(0x20)
            out.append(contentsOf: reason.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        for h in headers where h.name != "Content-Length" {
            out.append(contentsOf: h.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: h.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: ".utf8)
        out.append(contentsOf: String(body.count).utf8)
        out.append(contentsOf: "\r\n\r\n".utf8)
        out.append(contentsOf: body)
        return out
    }

    /// A response to `request` (§8.2.6.2): its Via fields, From, To (with `toTag` added when
    /// the request's To has none), Call-ID and CSeq copied; no body.
    public static func response(
        to request: SIPMessage,
        status: Int,
        reason: String,
        toTag: String? = nil
    ) -> SIPMessage {
        var r = SIPMessage(.response(status: status, reason: reason))
        for h in request.headers where h.name == "Via" { r.headers.append(h) }
        if let f = request.value("From") { r.add("From", f) }
        if var to = request.value("To") {
            if let toTag, (try? request.to)?.tag == nil, status > 100 { to += ";tag=\(toTag)" }
            r.add("To", to)
        }
        if let c = request.value("Call-ID") { r.add("Call-ID", c) }
        if let c = request.value("CSeq") { r.add("CSeq", c) }
        return r
    }

    /// The reason phrase RFC 3261 §21 gives the status codes an IM server sends.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Trying"
        case 180: return "Ringing"
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 415: return "Unsupported Media Type"
        case 480: return "Temporarily Unavailable"
        case 481: return "Call/Transaction Does Not Exist"
        case 483: return "Too Many Hops"
        case 486: return "Busy Here"
        case 487: return "Request Terminated"
        case 488: return "Not Acceptable Here"
        case 500: return "Server Internal Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "Version Not Supported"
        case 513: return "Message Too Large"
        default: return "Unknown"
        }
    }
}
