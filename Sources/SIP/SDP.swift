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
        var found: MSRPMediaDescription? = nil
        var inMSRP = false
        var sawMessage = false
        let text = String(decoding: sdp, as: UTF8.self)
        for raw in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty { continue }
            guard line.utf8.count >= 2, line.utf8.dropFirst().first == UInt8(ascii: "="),
                let type = line.first, type.isASCII, type.isLetter
            else {
                throw SDPError(.malformed, "SDP line '\(line.prefix(60))' is not type=value")
            }
            let value = line.dropFirst(2)
            switch type {
            case "m":
                if found != nil && inMSRP {
                    inMSRP = false
                    break
                }
                let f = value.split(separator: " ")
                inMSRP = false
                guard f.count >= 3, f[0] == "message" else { continue }
                sawMessage = true
                guard f[2] == "TCP/MSRP" || f[2] == "TCP/TLS/MSRP", let port = Int(f[1]), (1...65535).contains(port),
                    found == nil
                else { continue }
                found = MSRPMediaDescription(port: port, secure: f[2] == "TCP/TLS/MSRP", acceptTypes: [], path: [])
                inMSRP = true
            case "a" where inMSRP:
                if value.hasPrefix("path:") {
                    found!.path = value.dropFirst(5).split(separator: " ").map(String.init)
                } else if value.hasPrefix("accept-types:") {
                    found!.acceptTypes = value.dropFirst(13).split(separator: " ").map(String.init)
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
        self = found
    }

    /// An SDP body offering or answering this media from `address` (IPv4 or IPv6 text).
    public func sdp(address: String, sessionVersion: UInt64 = 1) -> [UInt8] {
        let ip = address.contains(":") ? "IP6" : "IP4"
        var s = "v=0\r\n"
        s += "o=- \(sessionVersion) \(sessionVersion) IN \(ip) \(address)\r\n"
        s += "s=-\r\n"
        s += "c=IN \(ip) \(address)\r\n"
        s += "t=0 0\r\n"
        s += "m=message \(port) \(secure ? "TCP/TLS/MSRP" : "TCP/MSRP") *\r\n"
        s += "a=accept-types:\(acceptTypes.joined(separator: " "))\r\n"
        s += "a=path:\(path.joined(separator: " "))\r\n"
        return Array(s.utf8)
    }
}
