/// A SIP request method (RFC 3261 §7.1, §27.4), with the ones an IM server handles named.
public enum SIPMethod: Hashable, Sendable, CustomStringConvertible {
    case invite, ack, bye, cancel, register, options, message, info, update, prack, subscribe, notify, refer
    /// Any other token: answered 501 (§8.2.1) or 405.
    case other(String)

    public init(_ token: String) {
        switch token {
        case "INVITE": self = .invite
        case "ACK": self = .ack
        case "BYE": self = .bye
        case "CANCEL": self = .cancel
        case "REGISTER": self = .register
        case "OPTIONS": self = .options
        case "MESSAGE": self = .message
        case "INFO": self = .info
        case "UPDATE": self = .update
        case "PRACK": self = .prack
        case "SUBSCRIBE": self = .subscribe
        case "NOTIFY": self = .notify
        case "REFER": self = .refer
        default: self = .other(token)
        }
    }

    public var description: String {
        switch self {
        case .invite: return "INVITE"
        case .ack: return "ACK"
        case .bye: return "BYE"
        case .cancel: return "CANCEL"
        case .register: return "REGISTER"
        case .options: return "OPTIONS"
        case .message: return "MESSAGE"
        case .info: return "INFO"
        case .update: return "UPDATE"
        case .prack: return "PRACK"
        case .subscribe: return "SUBSCRIBE"
        case .notify: return "NOTIFY"
        case .refer: return "REFER"
        case .other(let s): return s
        }
    }
}
