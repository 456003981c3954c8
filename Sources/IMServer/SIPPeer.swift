import NIOCore

/// Where a SIP message came from and where its answer goes: a UDP source address (responses
/// go back to it, as `rport` asks, RFC 3581) or the TCP connection it arrived on (§18.2.2).
enum SIPPeer: @unchecked Sendable {
    case udp(SocketAddress)
    case tcp(Channel)

    var transport: String {
        switch self {
        case .udp: return "UDP"
        case .tcp: return "TCP"
        }
    }

    var isReliable: Bool {
        if case .tcp = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .udp(let a): return "udp \(a)"
        case .tcp(let c): return "tcp \(c.remoteAddress.map { "\($0)" } ?? "?")"
        }
    }
}

/// A name for a Diameter Result-Code in a SIP Reason header (RFC 3326) when charging refuses
/// or ends a session.
enum ResultCodeName {
    static func name(_ code: UInt32) -> String {
        switch code {
        case 4010: return "DIAMETER_END_USER_SERVICE_DENIED"
        case 4011: return "DIAMETER_CREDIT_CONTROL_NOT_APPLICABLE"
        case 4012: return "DIAMETER_CREDIT_LIMIT_REACHED"
        case 3002: return "DIAMETER_UNABLE_TO_DELIVER"
        case 3004: return "DIAMETER_TOO_BUSY"
        case 5012: return "DIAMETER_UNABLE_TO_COMPLY"
        case 5030: return "DIAMETER_USER_UNKNOWN"
        default: return "DIAMETER_RESULT_\(code)"
        }
    }

    /// `SIP;cause=403;text="4012 DIAMETER_CREDIT_LIMIT_REACHED"`.
    static func reason(_ code: UInt32) -> String { "SIP;cause=403;text=\"\(code) \(name(code))\"" }
}
