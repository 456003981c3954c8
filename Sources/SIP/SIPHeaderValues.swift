/// CSeq: `1*DIGIT LWS Method` (RFC 3261 §20.16): the sequence number is below 2**31.
public struct SIPCSeq: Hashable, Sendable {
    public var number: UInt32
    public var method: SIPMethod

    public init(_ number: UInt32, _ method: SIPMethod) {
        self.number = number
        self.method = method
    }

    public init(parsing text: String) throws(SIPParseError) {
        // `number LWS method`, found on the UTF-8 view without an array of parts.
        let t = text[...].trimmingSpaces
        let u = t.utf8
        let gap = u.firstIndex { $0 == 0x20 || $0 == 0x09 } ?? u.endIndex
        let rest = t[gap...].trimmingSpaces
        guard let n = UInt32(t[..<gap]), n < 1 << 31, SIPToken.isToken(rest) else {
            throw .make(.badHeaderValue, "CSeq is not 'number method': '\(text)'")
        }
        number = n
        method = SIPMethod(String(rest))
    }

    public var description: String { "\(number) \(method)" }
}

/// Header parameters (`;name=value` or `;name`), in order (§7.3.1, §25.1 generic-param).
public struct SIPParameters: Hashable, Sendable {
    public var items: [(name: String, value: String?)]

    public init() { items = [] }

    /// The value of the parameter `name` (given in lower case; parameter names are compared
    /// without case, §7.3.1).
    public subscript(name: String) -> String? {
        items.first { SIPToken.equalsLowercased($0.name, name) }.flatMap { $0.value }
    }

    public func contains(_ name: String) -> Bool { items.contains { SIPToken.equalsLowercased($0.name, name) } }

    public mutating func set(_ name: String, _ value: String?) {
        if let i = items.firstIndex(where: { SIPToken.equalsLowercased($0.name, name) }) {
            items[i].value = value
        } else {
            items.append((name, value))
        }
    }

    /// Parses `;a=b;c` (the text after the thing the parameters follow; whatever comes
    /// before the first `;` is not looked at).
    init(parsing v: SIPValueBytes, header: String) throws(SIPParseError) {
        items = []
        guard var start = v.first(UInt8(ascii: ";")) else { return }
        start += 1
        while true {
            let rest = v.suffix(from: start)
            let end = rest.first(UInt8(ascii: ";")) ?? v.end
            let p = SIPValueBytes(v.base, start, end).trimmed
            guard !p.isEmpty else { throw .make(.badHeaderValue, "\(header) has an empty parameter") }
            if let eq = p.first(UInt8(ascii: "=")) {
                let name = p.prefix(upTo: eq).trimmed
                guard name.isToken else {
                    throw .make(.badHeaderValue, "\(header) parameter name '\(name.string)' is not a token")
                }
                items.append((name.string, p.suffix(after: eq).trimmed.string))
            } else {
                guard p.isToken else {
                    throw .make(.badHeaderValue, "\(header) parameter '\(p.string)' is not a token")
                }
                items.append((p.string, nil))
            }
            guard end < v.end else { break }
            start = end + 1
        }
    }

    public var encoded: String {
        var s = ""
        for (n, v) in items { s += v.map { ";\(n)=\($0)" } ?? ";\(n)" }
        return s
    }

    public static func == (a: Self, b: Self) -> Bool { a.encoded == b.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }
}

/// The token rule of RFC 3261 §25.1.
enum SIPToken {
    /// Whether `s` equals `lowercased` (all lower case) ignoring ASCII case: a parameter or
    /// scheme compared without building a lowercased copy.
    static func equalsLowercased<S: StringProtocol>(_ s: S, _ lowercased: String) -> Bool {
        equalsLowercased(s.utf8, lowercased.utf8)
    }

    /// The same on bytes: header names, schemes and Via protocols as they arrived.
    static func equalsLowercased<A: Collection, B: Collection>(_ a: A, _ lowercased: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == lowercased.count else { return false }
        for (x, y) in zip(a, lowercased) where x != y && !(x >= 0x41 && x <= 0x5A && x | 0x20 == y) { return false }
        return true
    }

    static func isToken(_ s: Substring) -> Bool { isToken(s.utf8) }

    static func isToken<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard !bytes.isEmpty else { return false }
        for b in bytes where !isTokenByte(b) { return false }
        return true
    }

    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}

/// A SIP or SIPS URI (RFC 3261 §19.1): `sip:user@host:port;params`. Headers (`?…`) are kept
/// in ``raw`` only.
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var user: String?
    public var host: String
    public var port: Int?
    public var parameters: SIPParameters

    public init(scheme: String = "sip", user: String?, host: String, port: Int? = nil) {
        self.scheme = scheme
        self.user = user
        self.host = host
        self.port = port
        parameters = SIPParameters()
    }

    public init(parsing text: String) throws(SIPParseError) {
        self = try SIPValueBytes.with(text) { (b) throws(SIPParseError) in try SIPURI(parsing: b) }
    }

    /// The URI in `text`, parsed in place (a name-addr's `<…>` needs no copy first).
    init(parsing text: SIPValueBytes) throws(SIPParseError) {
        let t = text.trimmed
        guard let colon = t.first(UInt8(ascii: ":")) else {
            throw .make(.badHeaderValue, "'\(t.string)' is not a SIP URI")
        }
        let s = t.prefix(upTo: colon)
        if s.equalsLowercased("sip") {
            scheme = "sip"
        } else if s.equalsLowercased("sips") {
            scheme = "sips"
        } else {
            throw .make(.badHeaderValue, "'\(t.string)' is not a sip: or sips: URI")
        }
        var rest = t.suffix(after: colon)
        if let q = rest.first(UInt8(ascii: "?")) { rest = rest.prefix(upTo: q) }
        if let at = rest.last(UInt8(ascii: "@")) {
            let u = rest.prefix(upTo: at)
            // user-info may carry a password after ':' (§19.1.1); only the user is kept
            user = u.prefix(upTo: u.first(UInt8(ascii: ":")) ?? u.end).string
            rest = rest.suffix(after: at)
        } else {
            user = nil
        }
        let semi = rest.first(UInt8(ascii: ";")) ?? rest.end
        (host, port) = try Self.hostPort(rest.prefix(upTo: semi), in: t)
        parameters = try SIPParameters(parsing: rest.suffix(from: semi), header: "URI")
    }

    /// `host[:port]`, IPv6 references in brackets.
    static func hostPort(_ hp: SIPValueBytes, in text: SIPValueBytes) throws(SIPParseError) -> (String, Int?) {
        var host = hp
        var port: Int? = nil
        if !hp.isEmpty, hp[hp.start] == UInt8(ascii: "[") {
            guard let close = hp.first(UInt8(ascii: "]")) else {
                throw .make(.badHeaderValue, "'\(text.string)' has an unclosed IPv6 reference")
            }
            host = SIPValueBytes(hp.base, hp.start, close + 1)
            let after = hp.suffix(after: close)
            if !after.isEmpty, after[after.start] == UInt8(ascii: ":") {
                guard let p = after.suffix(after: after.start).decimal, (1...65535).contains(p) else {
                    throw .make(.badHeaderValue, "'\(text.string)' has a bad port")
                }
                port = p
            }
        } else if let c = hp.last(UInt8(ascii: ":")) {
            host = hp.prefix(upTo: c)
            guard let p = hp.suffix(after: c).decimal, (1...65535).contains(p) else {
                throw .make(.badHeaderValue, "'\(text.string)' has a bad port")
            }
            port = p
        }
        guard !host.isEmpty,
            host.first(0x20) == nil, host.first(0x3C) == nil, host.first(0x3E) == nil, host.first(0x40) == nil
        else {
            throw .make(.badHeaderValue, "'\(text.string)' has no valid host")
        }
        return (host.string, port)
    }

    /// The address-of-record this URI names: `user@host` (no port, no parameters), as a
    /// registrar keys its bindings (§10.3: the To header's URI, canonicalised).
    public var addressOfRecord: String { user.map { "\($0)@\(host.lowercased())" } ?? host.lowercased() }

    public var description: String {
        var s = scheme + ":"
        if let user { s += user + "@" }
        s += host
        if let port { s += ":\(port)" }
        return s + parameters.encoded
    }
}

/// A name-addr or addr-spec with header parameters: the value of From, To and Contact (RFC
/// 3261 §20.10, §20.20, §20.39). Without angle brackets, parameters after the URI belong to
/// the header, not to the URI (§20.10).
public struct SIPNameAddress: Hashable, Sendable, CustomStringConvertible {
    public var displayName: String?
    public var uri: SIPURI
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    public init(parsing text: String, header: String) throws(SIPParseError) {
        self = try SIPValueBytes.with(text) { (b) throws(SIPParseError) in
            try SIPNameAddress(parsing: b, header: header)
        }
    }

    init(parsing text: SIPValueBytes, header: String) throws(SIPParseError) {
        let t = text.trimmed
        if let open = t.first(UInt8(ascii: "<")) {
            guard let close = t.suffix(from: open).first(UInt8(ascii: ">")) else {
                throw .make(.badHeaderValue, "\(header) has '<' without '>': '\(t.string)'")
            }
            let name = t.prefix(upTo: open).trimmed
            displayName = name.isEmpty ? nil : name.string
            do throws(SIPParseError) {
                uri = try SIPURI(parsing: SIPValueBytes(t.base, open + 1, close))
            } catch {
                throw .make(.badHeaderValue, "\(header): \(error.reason)")
            }
            parameters = try SIPParameters(parsing: t.suffix(after: close), header: header)
        } else {
            displayName = nil
            let semi = t.first(UInt8(ascii: ";")) ?? t.end
            do throws(SIPParseError) {
                uri = try SIPURI(parsing: t.prefix(upTo: semi))
            } catch {
                throw .make(.badHeaderValue, "\(header): \(error.reason)")
            }
            parameters = try SIPParameters(parsing: t.suffix(from: semi), header: header)
        }
    }

    /// The tag parameter (§19.3): the dialog's identifier on this side.
    public var tag: String? {
        get { parameters["tag"] }
        set { parameters.set("tag", newValue) }
    }

    public var description: String {
        (displayName.map { $0 + " " } ?? "") + "<\(uri)>" + parameters.encoded
    }
}

/// One Via entry (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=z9hG4bK…`.
public struct SIPVia: Hashable, Sendable, CustomStringConvertible {
    public var transport: String
    public var host: String
    public var port: Int?
    public var parameters: SIPParameters

    public init(transport: String, host: String, port: Int?, branch: String) {
        self.transport = transport
        self.host = host
        self.port = port
        parameters = SIPParameters()
        parameters.set("branch", branch)
    }

    public init(parsing text: String) throws(SIPParseError) {
        self = try SIPValueBytes.with(text) { (b) throws(SIPParseError) in try SIPVia(parsing: b) }
    }

    /// `SIP/2.0/TRANSPORT LWS host[:port]` and the parameters.
    init(parsing text: SIPValueBytes) throws(SIPParseError) {
        let t = text.trimmed
        let semi = t.first(UInt8(ascii: ";")) ?? t.end
        let head = t.prefix(upTo: semi).trimmed
        let gap = head.firstSpace() ?? head.end
        let proto = head.prefix(upTo: gap)
        let sentBy = head.suffix(from: gap).trimmed
        guard !proto.isEmpty, !sentBy.isEmpty, sentBy.firstSpace() == nil else {
            throw .make(.badHeaderValue, "Via is not 'SIP/2.0/TRANSPORT host': '\(t.string)'")
        }
        guard let s1 = proto.first(UInt8(ascii: "/")),
            let s2 = proto.suffix(after: s1).first(UInt8(ascii: "/")),
            proto.prefix(upTo: s1).equalsLowercased("sip"), SIPValueBytes(proto.base, s1 + 1, s2).equals("2.0"),
            proto.suffix(after: s2).isToken
        else {
            throw .make(.badHeaderValue, "Via protocol is not SIP/2.0/TRANSPORT: '\(proto.string)'")
        }
        let name = proto.suffix(after: s2)
        if name.equals("UDP") {
            transport = "UDP"
        } else if name.equals("TCP") {
            transport = "TCP"
        } else {
            transport = name.string.uppercased()
        }
        (host, port) = try SIPURI.hostPort(sentBy, in: t)
        parameters = try SIPParameters(parsing: t.suffix(from: semi), header: "Via")
    }

    /// The branch parameter: the transaction's identifier (§17.2.3, magic cookie z9hG4bK).
    public var branch: String? { parameters["branch"] }

    public var description: String {
        "SIP/2.0/\(transport) \(host)" + (port.map { ":\($0)" } ?? "") + parameters.encoded
    }
}
