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

    /// Parses `;a=b;c` (the text after the thing the parameters follow).
    init(parsing text: Substring, header: String) throws(SIPParseError) {
        items = []
        // Byte by byte on the UTF-8 view: the delimiters are ASCII, and a String's own
        // (Character) search breaks graphemes at every step. Everything after the first ';'.
        let u = text.utf8
        guard var start = u.firstIndex(of: UInt8(ascii: ";")) else { return }
        start = u.index(after: start)
        while true {
            let end = text[start...].utf8.firstIndex(of: UInt8(ascii: ";")) ?? u.endIndex
            let p = text[start..<end].trimmingSpaces
            guard !p.isEmpty else { throw .make(.badHeaderValue, "\(header) has an empty parameter") }
            if let eq = p.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = p[..<eq].trimmingSpaces
                guard SIPToken.isToken(name) else {
                    throw .make(.badHeaderValue, "\(header) parameter name '\(name)' is not a token")
                }
                items.append((String(name), String(p[p.utf8.index(after: eq)...].trimmingSpaces)))
            } else {
                guard SIPToken.isToken(p) else {
                    throw .make(.badHeaderValue, "\(header) parameter '\(p)' is not a token")
                }
                items.append((String(p), nil))
            }
            guard end < u.endIndex else { break }
            start = u.index(after: end)
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
        let a = s.utf8
        let b = lowercased.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y && !(x >= 0x41 && x <= 0x5A && x | 0x20 == y) { return false }
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

    public init(parsing text: String) throws(SIPParseError) { try self.init(parsing: text[...]) }

    /// The URI in `text`, parsed in place (a name-addr's `<…>` needs no copy first).
    init(parsing text: Substring) throws(SIPParseError) {
        let t = text.trimmingSpaces
        // Delimiters found on the UTF-8 view (ASCII), not by Character.
        guard let colon = t.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw .make(.badHeaderValue, "'\(t)' is not a SIP URI")
        }
        if SIPToken.equalsLowercased(t[..<colon], "sip") {
            scheme = "sip"
        } else if SIPToken.equalsLowercased(t[..<colon], "sips") {
            scheme = "sips"
        } else {
            throw .make(.badHeaderValue, "'\(t)' is not a sip: or sips: URI")
        }
        var rest = t[t.utf8.index(after: colon)...]
        if let q = rest.utf8.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<q] }
        if let at = rest.utf8.lastIndex(of: UInt8(ascii: "@")) {
            let u = rest[..<at]
            // user-info may carry a password after ':' (§19.1.1); only the user is kept
            user = String(u[..<(u.utf8.firstIndex(of: UInt8(ascii: ":")) ?? u.endIndex)])
            rest = rest[rest.utf8.index(after: at)...]
        } else {
            user = nil
        }
        let semi = rest.utf8.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
        let hostport = rest[..<semi]
        (host, port) = try Self.hostPort(hostport, in: t)
        parameters = try SIPParameters(parsing: rest[semi...], header: "URI")
    }

    /// `host[:port]`, IPv6 references in brackets.
    static func hostPort(_ hp: Substring, in text: Substring) throws(SIPParseError) -> (String, Int?) {
        var host = hp
        var port: Int? = nil
        if hp.utf8.first == UInt8(ascii: "[") {
            guard let close = hp.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                throw .make(.badHeaderValue, "'\(text)' has an unclosed IPv6 reference")
            }
            host = hp[...close]
            let after = hp[hp.utf8.index(after: close)...]
            if after.utf8.first == UInt8(ascii: ":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw .make(.badHeaderValue, "'\(text)' has a bad port")
                }
                port = p
            }
        } else if let c = hp.utf8.lastIndex(of: UInt8(ascii: ":")) {
            host = hp[..<c]
            guard let p = Int(hp[hp.utf8.index(after: c)...]), (1...65535).contains(p) else {
                throw .make(.badHeaderValue, "'\(text)' has a bad port")
            }
            port = p
        }
        guard !host.isEmpty, !host.utf8.contains(where: { $0 == 0x20 || $0 == 0x3C || $0 == 0x3E || $0 == 0x40 }) else {
            throw .make(.badHeaderValue, "'\(text)' has no valid host")
        }
        return (String(host), port)
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
        let t = text[...].trimmingSpaces
        if let open = t.utf8.firstIndex(of: UInt8(ascii: "<")) {
            guard let close = t[open...].utf8.firstIndex(of: UInt8(ascii: ">")) else {
                throw .make(.badHeaderValue, "\(header) has '<' without '>': '\(t)'")
            }
            let name = t[..<open].trimmingSpaces
            displayName = name.isEmpty ? nil : String(name)
            do throws(SIPParseError) {
                uri = try SIPURI(parsing: t[t.utf8.index(after: open)..<close])
            } catch {
                throw .make(.badHeaderValue, "\(header): \(error.reason)")
            }
            parameters = try SIPParameters(parsing: t[t.utf8.index(after: close)...], header: header)
        } else {
            displayName = nil
            let semi = t.utf8.firstIndex(of: UInt8(ascii: ";")) ?? t.endIndex
            do throws(SIPParseError) {
                uri = try SIPURI(parsing: t[..<semi])
            } catch {
                throw .make(.badHeaderValue, "\(header): \(error.reason)")
            }
            parameters = try SIPParameters(parsing: t[semi...], header: header)
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
        let t = text[...].trimmingSpaces
        let u = t.utf8
        let semi = u.firstIndex(of: UInt8(ascii: ";")) ?? u.endIndex
        // `SIP/2.0/TRANSPORT LWS host[:port]`, found on the UTF-8 view without arrays of parts.
        let head = t[..<semi].trimmingSpaces
        let gap = head.utf8.firstIndex { $0 == 0x20 || $0 == 0x09 } ?? head.endIndex
        let proto = head[..<gap]
        let sentBy = head[gap...].trimmingSpaces
        guard !proto.isEmpty, !sentBy.isEmpty, !sentBy.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 }) else {
            throw .make(.badHeaderValue, "Via is not 'SIP/2.0/TRANSPORT host': '\(t)'")
        }
        let p = proto.utf8
        guard let s1 = p.firstIndex(of: UInt8(ascii: "/")),
            let s2 = proto[p.index(after: s1)...].utf8.firstIndex(of: UInt8(ascii: "/")),
            SIPToken.equalsLowercased(proto[..<s1], "sip"), proto[p.index(after: s1)..<s2] == "2.0",
            SIPToken.isToken(proto[p.index(after: s2)...])
        else {
            throw .make(.badHeaderValue, "Via protocol is not SIP/2.0/TRANSPORT: '\(proto)'")
        }
        let name = proto[p.index(after: s2)...]
        transport = name.utf8.contains { $0 >= 0x61 && $0 <= 0x7A } ? name.uppercased() : String(name)
        (host, port) = try SIPURI.hostPort(sentBy, in: t)
        parameters = try SIPParameters(parsing: t[semi...], header: "Via")
    }

    /// The branch parameter: the transaction's identifier (§17.2.3, magic cookie z9hG4bK).
    public var branch: String? { parameters["branch"] }

    public var description: String {
        "SIP/2.0/\(transport) \(host)" + (port.map { ":\($0)" } ?? "") + parameters.encoded
    }
}
