/// Why bytes are not a SIP message (RFC 3261 §7, §25): a code to compare, the reason to put
/// in the 400 response's reason phrase (§21.4.1: the phrase may say what was wrong), and where.
public struct SIPParseError: Error, Hashable, CustomStringConvertible, Sendable {
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The start line is neither `Method SP Request-URI SP SIP-Version` nor
        /// `SIP-Version SP Status-Code SP Reason-Phrase` (§7.1, §7.2).
        case badStartLine
        /// A version other than SIP/2.0 (§7.1): answered 505 rather than 400.
        case unsupportedVersion
        /// A header line without a colon, or with an empty or non-token name (§7.3.1).
        case badHeader
        /// A header the message must carry is missing (§8.1.1: To, From, CSeq, Call-ID,
        /// Max-Forwards, Via).
        case missingHeader
        /// A header's value does not follow its grammar (CSeq, Content-Length, Via, From/To…).
        case badHeaderValue
        /// The CSeq method differs from the request's method (§8.1.1.5).
        case cseqMethodMismatch
        /// The body is shorter than Content-Length (a datagram), or bytes follow it.
        case badContentLength
        /// The message, a line, or the header count is over the limits.
        case tooLarge
        /// The stream ended in the middle of a message.
        case truncated
    }

    public var code: Code
    public var reason: String
    /// Byte offset in the message (or the stream) where the fault was found.
    public var offset: Int

    public init(code: Code, reason: String, offset: Int = 0) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    /// The response status a server answers a request with this fault: 505 for the version,
    /// 513 (Message Too Large, §21.5.14) for size, otherwise 400.
    public var statusCode: Int {
        switch code {
        case .unsupportedVersion: return 505
        case .tooLarge: return 513
        default: return 400
        }
    }

    public var description: String { "\(reason) (at byte \(offset))" }

    public static func == (a: Self, b: Self) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    @inline(never)
    static func make(_ code: Code, _ reason: String, at offset: Int = 0) -> SIPParseError {
        SIPParseError(code: code, reason: reason, offset: offset)
    }
}

/// Bounds on what the parser accepts, so that no peer can make it hold unbounded memory.
public struct SIPParserLimits: Sendable, Hashable {
    /// The whole message: start line, headers and body (a UDP datagram is at most 65 507).
    public var maxMessageBytes: Int
    public var maxHeaderCount: Int
    public var maxLineBytes: Int

    public init(maxMessageBytes: Int = 65_535, maxHeaderCount: Int = 128, maxLineBytes: Int = 8192) {
        self.maxMessageBytes = maxMessageBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxLineBytes = maxLineBytes
    }

    public static let `default` = SIPParserLimits()
}
