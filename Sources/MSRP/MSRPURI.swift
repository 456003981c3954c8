/// An MSRP URI (RFC 4975 §6, §9), as views into the bytes it was parsed from:
///
///     MSRP-URI = msrp-scheme "://" authority ["/" session-id] ";" transport *( ";" URI-parameter)
///
/// `authority` is RFC 3986 §3.2's `[ userinfo "@" ] host [ ":" port ]`.
public struct MSRPURI: CustomStringConvertible {
    /// The whole URI.
    public let raw: MSRPBytes
    /// `msrps` (TLS) or `msrp`.
    public let isSecure: Bool
    /// userinfo@host:port.
    public let authority: MSRPBytes
    /// The host (an IP literal keeps its brackets).
    public let host: MSRPBytes
    /// The port, if one is given.
    public let port: Int?
    /// The session-id: what identifies the MSRP session at that endpoint. Empty if absent.
    public let sessionID: MSRPBytes
    /// The transport, `tcp` in RFC 4975.
    public let transport: MSRPBytes

    public var description: String { raw.string }

    /// Parses one URI spanning exactly `buffer`.
    public init(parsing buffer: UnsafeRawBufferPointer) throws(MSRPURIProblem) {
        guard let base = buffer.baseAddress else { throw MSRPURIProblem.scheme }
        let v = try Self.validate(base, buffer.count)
        raw = MSRPBytes(buffer)
        isSecure = v.secure
        authority = MSRPBytes(base: base, v.authority)
        host = MSRPBytes(base: base, v.host)
        port = v.port
        sessionID = MSRPBytes(base: base, v.sessionID)
        transport = MSRPBytes(base: base, v.transport)
    }

    /// Where the parts of a valid URI are, relative to its first byte.
    @usableFromInline
    struct Parts {
        @usableFromInline var secure = false
        @usableFromInline var authority = FieldRange.absent
        @usableFromInline var host = FieldRange.absent
        @usableFromInline var port: Int? = nil
        @usableFromInline var sessionID = FieldRange(start: 0, count: 0)
        @usableFromInline var transport = FieldRange.absent
        @usableFromInline init() {}
    }

    /// Checks the grammar and returns where the parts are. One pass, no allocation.
    @inlinable
    static func validate(_ p: UnsafeRawPointer, _ n: Int) throws(MSRPURIProblem) -> Parts {
        var parts = Parts()
        @inline(__always) func at(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
        // msrp-scheme "://"
        var i: Int
        if n >= 7, ASCII.equalsCaseInsensitive(p, 7, "msrp://") {
            i = 7
        } else if n >= 8, ASCII.equalsCaseInsensitive(p, 8, "msrps://") {
            i = 8
            parts.secure = true
        } else {
            throw .scheme
        }
        // authority = [ userinfo "@" ] host [ ":" port ]
        let authorityStart = i
        var end = i
        while end < n, at(end) != ASCII.slash, at(end) != ASCII.semicolon { end += 1 }
        guard end > authorityStart else { throw .host }
        var hostStart = authorityStart
        if let at = ASCII.find(0x40, in: p, from: authorityStart, to: end) {
            for j in authorityStart..<at {
                let b = p.load(fromByteOffset: j, as: UInt8.self)
                guard ASCII.inClass(b, ASCII.userinfoCharMask) else { throw .userinfo }
            }
            hostStart = at + 1
        }
        var hostEnd = end
        if hostStart < end, at(hostStart) == 0x5B {  // "[" IP-literal "]"
            guard let close = ASCII.find(0x5D, in: p, from: hostStart, to: end), close > hostStart + 1 else {
                throw .host
            }
            for j in (hostStart + 1)..<close {
                let b = at(j)
                guard ASCII.inClass(b, ASCII.ipLiteralCharMask) else { throw .host }
            }
            hostEnd = close + 1
        } else {
            var j = hostStart
            while j < end, at(j) != ASCII.colon {
                let b = at(j)
                guard ASCII.inClass(b, ASCII.hostCharMask) else { throw .host }
                j += 1
            }
            hostEnd = j
        }
        guard hostEnd > hostStart else { throw .host }
        if hostEnd < end {
            guard at(hostEnd) == ASCII.colon, let port = ASCII.parseDecimal(p + hostEnd + 1, end - hostEnd - 1),
                port <= 65535
            else { throw .port }
            parts.port = port
        }
        parts.authority = FieldRange(start: authorityStart, count: end - authorityStart)
        parts.host = FieldRange(start: hostStart, count: hostEnd - hostStart)
        i = end
        // ["/" session-id], session-id = 1*( unreserved / "+" / "=" / "/" )
        if i < n, at(i) == ASCII.slash {
            let s = i + 1
            var j = s
            while j < n, at(j) != ASCII.semicolon {
                let b = at(j)
                guard ASCII.inClass(b, ASCII.sessionIDCharMask) else { throw .sessionID }
                j += 1
            }
            guard j > s else { throw .sessionID }
            parts.sessionID = FieldRange(start: s, count: j - s)
            i = j
        } else {
            parts.sessionID = FieldRange(start: i, count: 0)
        }
        // ";" transport, transport = 1*ALPHANUM
        guard i < n, at(i) == ASCII.semicolon else { throw .transport }
        i += 1
        let t = i
        while i < n, ASCII.isAlphaNum(at(i)) { i += 1 }
        guard i > t else { throw .transport }
        parts.transport = FieldRange(start: t, count: i - t)
        // *( ";" URI-parameter ), URI-parameter = token ["=" token]
        while i < n {
            guard at(i) == ASCII.semicolon else { throw .parameter }
            i += 1
            let k = i
            while i < n, ASCII.isTokenChar(at(i)) { i += 1 }
            guard i > k else { throw .parameter }
            if i < n, at(i) == 0x3D {
                i += 1
                let v = i
                while i < n, ASCII.isTokenChar(at(i)) { i += 1 }
                guard i > v else { throw .parameter }
            }
        }
        return parts
    }
}

/// What is wrong with an MSRP URI.
public enum MSRPURIProblem: Error, Sendable, Hashable {
    case scheme, userinfo, host, port, sessionID, transport, parameter

    public var reason: String {
        switch self {
        case .scheme: return "MSRP URI must start with msrp:// or msrps://"
        case .userinfo: return "MSRP URI has an invalid character in its userinfo"
        case .host: return "MSRP URI has a missing or invalid host"
        case .port: return "MSRP URI port must be a number up to 65535"
        case .sessionID: return "MSRP URI session-id must be 1 or more unreserved, +, = or / characters"
        case .transport: return "MSRP URI must have ;transport after the authority and session-id"
        case .parameter: return "MSRP URI parameter must be ;token or ;token=token"
        }
    }
}

extension MSRPURI {
    /// Host and port of the first URI of a path (`msrp://HOST[:PORT]/…`, URIs separated by
    /// spaces): where a connection for it goes (RFC 4975 §6; port 2855 when none is given).
    /// Nil when the first URI is not an MSRP URI.
    public static func firstHop(of path: [UInt8]) -> (host: String, port: Int)? {
        path.withUnsafeBytes { p -> (host: String, port: Int)? in
            let n = p.firstIndex(of: 0x20) ?? p.count
            guard let uri = try? MSRPURI(parsing: UnsafeRawBufferPointer(rebasing: p[0..<n])) else { return nil }
            return (uri.host.string, uri.port ?? 2855)
        }
    }
}

/// A To-Path or From-Path value: one or more MSRP URIs separated by single spaces (RFC 4975 §9),
/// validated when the frame was parsed.
public struct MSRPPath: CustomStringConvertible {
    /// The whole header value.
    public let raw: MSRPBytes

    /// Only the parser makes paths: `uris` relies on the value having been validated.
    @inlinable
    init(raw: MSRPBytes) { self.raw = raw }

    /// The URIs, in order. Parsing them again cannot fail: the frame parser validated them.
    public var uris: [MSRPURI] {
        var result: [MSRPURI] = []
        guard let base = raw.buffer.baseAddress else { return result }
        var s = 0
        let n = raw.count
        while s < n {
            let e = ASCII.find(ASCII.space, in: base, from: s, to: n) ?? n
            if e > s, let uri = try? MSRPURI(parsing: UnsafeRawBufferPointer(start: base + s, count: e - s)) {
                result.append(uri)
            }
            s = e + 1
        }
        return result
    }

    /// The URIs as strings.
    public var strings: [String] { uris.map(\.description) }
    public var description: String { raw.string }
}
