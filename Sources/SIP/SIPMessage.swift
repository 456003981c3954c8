/// The first line of a SIP message (RFC 3261 §7.1, §7.2).
public enum SIPStartLine: Hashable, Sendable {
    case request(method: SIPMethod, uri: String)
    case response(status: Int, reason: String)
}

/// One header field as received, the name in its canonical spelling (``SIPHeaderName``). List
/// headers (Via, Contact, Route, Record-Route) hold one entry per field after parsing.
public struct SIPHeader: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A SIP message (RFC 3261 §7): start line, header fields in order, body.
///
/// SIP is the IM server's control plane, a few messages per session, so the message owns its
/// values as strings; what §8.1.1 requires of a request (and §8.2.6 of a response) is checked
/// when it is parsed, and the fields every transaction needs are parsed once into
/// ``callID``, ``cseq``, ``from``, ``to`` and ``vias``.
public struct SIPMessage: Sendable {
    public var startLine: SIPStartLine
    public var headers: [SIPHeader]
    public var body: [UInt8]

    public init(_ startLine: SIPStartLine, headers: [SIPHeader] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    // MARK: Start line

    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    /// The request's method; for a response, the method of its CSeq (§8.1.1.5).
    public var method: SIPMethod {
        if case .request(let m, _) = startLine { return m }
        return (try? cseq.method) ?? .other("")
    }

    public var requestURI: String? {
        if case .request(_, let uri) = startLine { return uri }
        return nil
    }

    public var statusCode: Int? {
        if case .response(let s, _) = startLine { return s }
        return nil
    }

    // MARK: Headers

    /// The first value of header `name` (canonical spelling), nil if absent.
    public func value(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Every value of header `name`, in order.
    public func values(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }

    /// Replaces every field named `name` with one field of `value` (at the first one's place),
    /// or appends it.
    public mutating func set(_ name: String, _ value: String) {
        if let i = headers.firstIndex(where: { $0.name == name }) {
            headers[i].value = value
            headers.removeAll { $0.name == name && $0.value != value }
            if !headers.contains(where: { $0.name == name }) { headers.insert(SIPHeader(name, value), at: i) }
        } else {
            headers.append(SIPHeader(name, value))
        }
    }

    public mutating func remove(_ name: String) { headers.removeAll { $0.name == name } }

    public mutating func add(_ name: String, _ value: String) { headers.append(SIPHeader(name, value)) }

    public var callID: String {
        get throws(SIPParseError) {
            guard let v = value("Call-ID"), !v.isEmpty else { throw .make(.missingHeader, "missing Call-ID header") }
            return v
        }
    }

    public var cseq: SIPCSeq {
        get throws(SIPParseError) {
            guard let v = value("CSeq") else { throw .make(.missingHeader, "missing CSeq header") }
            return try SIPCSeq(parsing: v)
        }
    }

    public var from: SIPNameAddress {
        get throws(SIPParseError) {
            guard let v = value("From") else { throw .make(.missingHeader, "missing From header") }
            return try SIPNameAddress(parsing: v, header: "From")
        }
    }

    public var to: SIPNameAddress {
        get throws(SIPParseError) {
            guard let v = value("To") else { throw .make(.missingHeader, "missing To header") }
            return try SIPNameAddress(parsing: v, header: "To")
        }
    }

    /// The Via entries, topmost first (§8.1.1.7, §18.2.2).
    /// The topmost Via alone (RFC 3261 §17.1.3, §17.2.3: the one a transaction is matched on
    /// and a response goes back by): the others are not parsed.
    public var topVia: SIPVia? {
        get throws(SIPParseError) {
            guard let v = value("Via") else { return nil }
            return try SIPVia(parsing: v)
        }
    }

    public var vias: [SIPVia] {
        get throws(SIPParseError) {
            var result: [SIPVia] = []
            for v in values("Via") { result.append(try SIPVia(parsing: v)) }
            return result
        }
    }

    /// The first Contact's name-addr, nil if none.
    public var contact: SIPNameAddress? {
        get throws(SIPParseError) {
            guard let v = value("Contact") else { return nil }
            if v.trimmingSpaces == "*" { return nil }
            return try SIPNameAddress(parsing: v, header: "Contact")
        }
    }

    public var contentType: String? { value("Content-Type") }

    /// Expires header in seconds, nil if absent (§20.19).
    public var expires: Int? {
        get throws(SIPParseError) {
            guard let v = value("Expires") else { return nil }
            guard let n = Int(v.trimmingSpaces), n >= 0 else {
                throw .make(.badHeaderValue, "Expires header is not a number of seconds: '\(v)'")
            }
            return n
        }
    }

    /// Checks what §8.1.1 requires of a request (To, From, CSeq whose method matches,
    /// Call-ID, Via with a branch; Max-Forwards when present a number) and §8.2.6 of a response.
    public func validate() throws(SIPParseError) {
        _ = try callID
        let seq = try cseq
        _ = try from
        _ = try to
        // Every Via entry parses (§8.1.1.7), none kept: a handler reads the top one again.
        var sawVia = false
        for h in headers where h.name == "Via" {
            _ = try SIPVia(parsing: h.value)
            sawVia = true
        }
        guard sawVia else { throw .make(.missingHeader, "missing Via header") }
        if case .request(let m, _) = startLine {
            if seq.method != m {
                throw .make(.cseqMethodMismatch, "CSeq method \(seq.method) does not match request method \(m)")
            }
            if let mf = value("Max-Forwards") {
                guard let n = Int(mf.trimmingSpaces), (0...255).contains(n) else {
                    throw .make(.badHeaderValue, "Max-Forwards is not a number from 0 to 255: '\(mf)'")
                }
            }
        }
        if let l = value("Content-Length") {
            guard let n = Int(l.trimmingSpaces), n >= 0 else {
                throw .make(.badHeaderValue, "Content-Length is not a number: '\(l)'")
            }
            if n != body.count {
                throw .make(.badContentLength, "Content-Length \(n) but the body has \(body.count) bytes")
            }
        }
    }
}

extension Substring {
    /// The slice without leading and trailing spaces and tabs (no copy).
    var trimmingSpaces: Substring {
        let u = utf8
        var s = u.startIndex
        var e = u.endIndex
        while s < e, u[s] == 0x20 || u[s] == 0x09 { s = u.index(after: s) }
        while e > s {
            let p = u.index(before: e)
            guard u[p] == 0x20 || u[p] == 0x09 else { break }
            e = p
        }
        return self[s..<e]
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation).
    @usableFromInline
    var trimmingSpaces: String { String(self[...].trimmingSpaces) }
}
