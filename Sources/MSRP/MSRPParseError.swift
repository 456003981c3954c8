/// Why a byte stream is not a valid sequence of MSRP frames (RFC 4975 §9), and where.
///
/// One struct with a code, in the manner of swift-certificates' `CertificateError`: tests
/// compare codes, users read ``description``. The factory methods are `@inline(never)` so that
/// building an error never bloats the parser's hot path.
public struct MSRPParseError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What went wrong. Hashable and compared by tests.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The start line is not `MSRP <tid> <method>` or `MSRP <tid> <3-digit status> [comment]`.
        case invalidStartLine
        /// The transaction id is not an `ident` of 4 to 32 characters (RFC 4975 §9).
        case invalidTransactionID
        /// A line of the header section does not end in CRLF.
        case lineNotCRLF
        /// A header line has no colon.
        case headerWithoutColon
        /// To-Path is not the first header, or is missing (RFC 4975 §6: To-Path then From-Path).
        case missingToPath
        /// From-Path is not the second header, or is missing.
        case missingFromPath
        /// A header that may appear once appears twice.
        case duplicateHeader
        /// An MSRP URI in To-Path or From-Path is malformed (RFC 4975 §6, §9).
        case malformedURI
        /// Byte-Range is not `start-end/total` of numbers (or `*`), or its end is before its start.
        case invalidByteRange
        /// Message-ID is not an `ident`.
        case invalidMessageID
        /// Success-Report, Failure-Report or Status has a value outside RFC 4975 §9.
        case invalidHeaderValue
        /// The end-line's continuation flag is not `$`, `+` or `#`.
        case invalidContinuationFlag
        /// A response (which has no body, RFC 4975 §9) carries one.
        case bodyInResponse
        /// The header section is larger than the configured limit.
        case headerSectionTooLarge
        /// More header lines than the configured limit.
        case tooManyHeaders
        /// The body is larger than the configured limit (an MSRP 413, RFC 4975 §7.1.1).
        case bodyTooLarge
        /// The stream ended in the middle of a frame.
        case truncatedFrame
    }

    /// The kind of error.
    public var code: Code
    /// Absolute byte offset in the stream of the offending element (line, value, byte).
    public var offset: Int
    /// The specific reason, for people.
    public var reason: String

    public init(code: Code, offset: Int, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    /// The MSRP status a receiver answers with (RFC 4975 §7.3): 413 for a body that is too
    /// large, 400 for everything else.
    public var msrpStatusCode: Int { code == .bodyTooLarge ? 413 : 400 }

    public var description: String { "\(reason) (at byte \(offset))" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.offset == rhs.offset }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(offset)
    }
}

extension MSRPParseError {
    @usableFromInline @inline(never)
    static func make(_ code: Code, _ offset: Int, _ reason: String) -> MSRPParseError {
        MSRPParseError(code: code, offset: offset, reason: reason)
    }

    /// A printable rendering of up to 40 bytes, for error messages.
    @usableFromInline @inline(never)
    static func excerpt(_ p: UnsafeRawPointer, _ count: Int) -> String {
        let n = min(max(count, 0), 40)
        var s = ""
        for i in 0..<n {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            switch b {
            case 0x0D: s += "\\r"
            case 0x0A: s += "\\n"
            case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = String(b, radix: 16, uppercase: true)
                s += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return count > n ? s + "…" : s
    }
}
