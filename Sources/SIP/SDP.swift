/// Why an SDP body offers no MSRP session we can take.
public struct SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A line is not `type=value` (RFC 8866 §5): answered 400.
        case malformed
        /// No `m=message PORT TCP/MSRP` line with a non-zero port: answered 488 (RFC 3261
        /// §21.4.26, the offer is not acceptable).
        case noMSRPMedia
        /// The MSRP media line has no `a=path` (RFC 4975 §8.1): answered 488.
        case missingPath
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The SIP status an INVITE with this body is answered with.
    public var sipStatus: Int { code == .malformed ? 400 : 488 }

    public var description: String { reason }
}

/// The MSRP media of an SDP offer or answer (RFC 4975 §8): `m=message PORT TCP/MSRP *` with
/// `a=accept-types` and `a=path` (the endpoint's MSRP URIs, relays first, RFC 4976 §5).
public struct MSRPMediaDescription: Hashable, Sendable {
    public var port: Int
    /// TCP/TLS/MSRP (RFC 4975 §8.1) rather than TCP/MSRP.
    public var secure: Bool
    public var acceptTypes: [String]
    /// The path's URIs, in order: the last is the endpoint's own.
    public var path: [String]

    public init(port: Int, secure: Bool = false, acceptTypes: [String], path: [String]) {
        self.port = port
        self.secure = secure
        self.acceptTypes = acceptTypes
        self.path = path
    }

    /// The first MSRP media of `sdp` (RFC 8866 line grammar, lines ended by CRLF or LF).
    public init(parsing sdp: [UInt8]) throws(SDPError) {
        // Lines and fields found in the bytes (every delimiter is ASCII); only the values kept
        // become Strings. A String's Character split was a twentieth of a server's set-up.
        let result: Result<MSRPMediaDescription, SDPError> = sdp.withUnsafeBytes { b in
            do throws(SDPError) { return .success(try Self.parse(b)) } catch { return .failure(error) }
        }
        self = try result.get()
    }

    private static func parse(_ b: UnsafeRawBufferPointer) throws(SDPError) -> MSRPMediaDescription {
        var found: MSRPMediaDescription? = nil
        var inMSRP = false
        var sawMessage = false
        var s = 0
        while s < b.count {
            var e = s
            while e < b.count, b[e] != 0x0A { e += 1 }
            let next = e + 1
            if e > s, b[e - 1] == 0x0D { e -= 1 }
            defer { s = next }
            if e == s { continue }
            let type = b[s] | 0x20
            guard e - s >= 2, b[s + 1] == UInt8(ascii: "="), type >= 0x61, type <= 0x7A else {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
                throw SDPError(.malformed, "SDP line '\(text.prefix(60))' is not type=value")
            }
            let value = SIPValueBytes(b, s + 2, e)
            switch b[s] {
            case UInt8(ascii: "m"):
                if found != nil && inMSRP {
                    inMSRP = false
                    break
                }
                let f = fields(value, limit: 3)
                inMSRP = false
                guard f.count >= 3, f[0].equals("message") else { continue }
                sawMessage = true
                let secure = f[2].equals("TCP/TLS/MSRP")
                guard secure || f[2].equals("TCP/MSRP"), let port = Int(f[1].string), (1...65535).contains(port),
                    found == nil
                else { continue }
                found = MSRPMediaDescription(port: port, secure: secure, acceptTypes: [], path: [])
                inMSRP = true
            case UInt8(ascii: "a") where inMSRP:
                if value.hasPrefix("path:") {
                    found!.path = fields(value.suffix(from: value.start + 5), limit: .max).map(\.string)
                } else if value.hasPrefix("accept-types:") {
                    found!.acceptTypes = fields(value.suffix(from: value.start + 13), limit: .max).map(\.string)
                }
            default:
                continue
            }
        }
        guard let found else {
            throw SDPError(
                .noMSRPMedia,
                sawMessage
                    ? "the m=message line is not TCP/MSRP with a port" : "the offer has no m=message TCP/MSRP media"
            )
        }
        guard !found.path.isEmpty else { throw SDPError(.missingPath, "the MSRP media has no a=path attribute") }
        return found
    }

    /// The space-separated fields of `v` (runs of spaces are one separator), at most `limit`.
    private static func fields(_ v: SIPValueBytes, limit: Int) -> [SIPValueBytes] {
        var result: [SIPValueBytes] = []
        var i = v.start
        while i < v.end, result.count < limit {
            while i < v.end, v[i] == 0x20 { i += 1 }
            let start = i
            while i < v.end, v[i] != 0x20 { i += 1 }
            if i > start { result.append(SIPValueBytes(v.base, start, i)) }
        }
        return result
    }

    /// An SDP body offering or answering this media from `address` (IPv4 or IPv6 text).
    public func sdp(address: String, sessionVersion: UInt64 = 1) -> [UInt8] {
        let ip = address.utf8.contains(UInt8(ascii: ":")) ? "IP6" : "IP4"
        let version = String(sessionVersion)
        var out: [UInt8] = []
        out.reserveCapacity(160 + 2 * address.utf8.count + path.reduce(0) { $0 + $1.utf8.count + 1 })
        func add(_ parts: String...) { for p in parts { out.append(contentsOf: p.utf8) } }
        add("v=0\r\no=- ", version, " ", version, " IN ", ip, " ", address, "\r\ns=-\r\nc=IN ", ip, " ", address)
        add(
            "\r\nt=0 0\r\nm=message ",
            String(port),
            secure ? " TCP/TLS/MSRP *\r\n" : " TCP/MSRP *\r\n",
            "a=accept-types:"
        )
        for (k, t) in acceptTypes.enumerated() { add(k == 0 ? "" : " ", t) }
        add("\r\na=path:")
        for (k, p) in path.enumerated() { add(k == 0 ? "" : " ", p) }
        add("\r\n")
        return out
    }
}
