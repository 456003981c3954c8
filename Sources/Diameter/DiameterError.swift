/// The AVP a Diameter error is about, as the answer's Failed-AVP (RFC 6733 §7.5) reports it:
/// either an AVP of the message (its offset and encoded length there) or, for a missing AVP,
/// only its code, answered with a zero value of the AVP's minimum size (§7.5).
public struct DiameterFailedAVP: Hashable, Sendable, BitwiseCopyable {
    public var code: UInt32
    public var vendorID: UInt32
    /// Offset of the AVP's header in the message, or nil for an AVP that is missing.
    public var offset: Int?
    /// Header plus data, without padding (the AVP Length field) when ``offset`` is set.
    public var length: Int

    @inlinable
    public init(code: UInt32, vendorID: UInt32 = 0, offset: Int?, length: Int) {
        self.code = code
        self.vendorID = vendorID
        self.offset = offset
        self.length = length
    }
}

/// Why a Diameter message was refused: the Result-Code a server answers with, the AVP at
/// fault (Failed-AVP) and a reason for people.
///
/// One struct with a code, as ``MSRPParseError`` and swift-certificates' `CertificateError`;
/// the factories are `@inline(never)` so that building an error stays off the hot path.
public struct DiameterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The Result-Codes of RFC 6733 §7.1 the codec detects.
    public enum Code: UInt32, Hashable, Sendable, CaseIterable {
        /// DIAMETER_COMMAND_UNSUPPORTED (§7.1.3).
        case commandUnsupported = 3001
        /// DIAMETER_TOO_BUSY (§7.1.3): a server shedding load.
        case tooBusy = 3004
        /// DIAMETER_OUT_OF_SPACE (§7.1.4): a transient failure; the request may be taken later.
        case outOfSpace = 4002
        /// DIAMETER_APPLICATION_UNSUPPORTED (§7.1.3).
        case applicationUnsupported = 3007
        /// DIAMETER_INVALID_HDR_BITS (§7.1.3): reserved bits, or E or T set where they cannot be.
        case invalidHeaderBits = 3008
        /// DIAMETER_INVALID_AVP_BITS (§7.1.3): an AVP's reserved flag bits set.
        case invalidAVPBits = 3009
        /// DIAMETER_AVP_UNSUPPORTED (§7.1.5): an AVP with the M bit that the receiver does not know.
        case avpUnsupported = 5001
        /// DIAMETER_INVALID_AVP_VALUE (§7.1.5).
        case invalidAVPValue = 5004
        /// DIAMETER_MISSING_AVP (§7.1.5).
        case missingAVP = 5005
        /// DIAMETER_AVP_OCCURS_TOO_MANY_TIMES (§7.1.5).
        case avpOccursTooManyTimes = 5009
        /// DIAMETER_NO_COMMON_APPLICATION (§7.1.5): capabilities exchange found nothing shared.
        case noCommonApplication = 5010
        /// DIAMETER_UNSUPPORTED_VERSION (§7.1.5).
        case unsupportedVersion = 5011
        /// DIAMETER_UNABLE_TO_COMPLY (§7.1.5): used when a configured limit (message size, AVP
        /// count, grouped nesting depth) is exceeded.
        case unableToComply = 5012
        /// DIAMETER_INVALID_AVP_LENGTH (§7.1.5).
        case invalidAVPLength = 5014
        /// DIAMETER_INVALID_MESSAGE_LENGTH (§7.1.5).
        case invalidMessageLength = 5015
        /// DIAMETER_USER_UNKNOWN (RFC 4006 §9.1): the user named (Subscription-Id) is not one
        /// the OCS knows, or none is named.
        case userUnknown = 5030
        /// DIAMETER_RATING_FAILED (RFC 4006 §9.1): the service cannot be rated (no Rating-Group
        /// or Service-Identifier it knows).
        case ratingFailed = 5031
    }

    public var code: Code
    public var failedAVP: DiameterFailedAVP?
    public var reason: String

    public init(code: Code, failedAVP: DiameterFailedAVP? = nil, reason: String) {
        self.code = code
        self.failedAVP = failedAVP
        self.reason = reason
    }

    /// The Result-Code AVP value for the answer.
    @inlinable public var resultCode: UInt32 { code.rawValue }

    /// Protocol errors (3xxx) are answered with the E bit set and only the base AVPs
    /// (RFC 6733 §7.1.3, §7.2); permanent failures (5xxx) in the command's normal answer.
    @inlinable public var isProtocolError: Bool { code.rawValue / 1000 == 3 }

    public var description: String {
        var s = "Diameter \(code.rawValue) (\(code)): \(reason)"
        if let f = failedAVP {
            s += "; Failed-AVP code \(f.code)"
            if let o = f.offset { s += " at byte \(o)" }
        }
        return s
    }

    public static func == (a: DiameterError, b: DiameterError) -> Bool {
        a.code == b.code && a.failedAVP == b.failedAVP
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(failedAVP)
    }

    @usableFromInline @inline(never)
    static func make(_ code: Code, _ avp: DiameterFailedAVP?, _ reason: String) -> DiameterError {
        DiameterError(code: code, failedAVP: avp, reason: reason)
    }
}

/// Limits a decoder enforces before it trusts a message's lengths (RFC 6733 leaves them to the
/// implementation): exceeding one is DIAMETER_UNABLE_TO_COMPLY, never unbounded work.
public struct DiameterLimits: Hashable, Sendable {
    /// Largest message accepted, header included.
    public var maximumMessageSize = 64 * 1024
    /// Most AVPs in one message, grouped members counted.
    public var maximumAVPCount = 512
    /// Deepest nesting of grouped AVPs (a top-level grouped AVP is depth 1).
    public var maximumGroupDepth = 4

    public init() {}

    public static let `default` = DiameterLimits()
}
