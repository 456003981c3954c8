/// Where a field lies, relative to the first byte of its frame. `count < 0` means absent.
/// Relative offsets (not pointers) let a half-parsed frame survive being moved into the
/// parser's tail buffer between reads.
public struct FieldRange: Sendable, Hashable {
    @usableFromInline var start: Int32
    @usableFromInline var count: Int32

    @inlinable init(start: Int, count: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.count = Int32(truncatingIfNeeded: count)
    }

    @usableFromInline static let absent = FieldRange(start: 0, count: -1)
    @inlinable var isPresent: Bool { count >= 0 }
}

/// The request method (RFC 4975 §9, `method`).
public enum MSRPMethod: Sendable, Hashable {
    case send
    case report
    /// Any other method token (1*UPALPHA); the frame's ``MSRPFrame/methodName`` has its name.
    case other
}

/// `Failure-Report` (RFC 4975 §7.1.2): whether and when the receiver sends a response.
public enum FailureReport: UInt8, Sendable, Hashable, BitwiseCopyable {
    /// The default: a response for every chunk.
    case yes
    /// No response at all; the charging trigger must fire when the chunk is accepted.
    case no
    /// Only error responses.
    case partial
}

/// Everything the scanner records about a frame, as offsets. Internal to the parser.
@usableFromInline
struct FrameLayout: Sendable {
    @usableFromInline var isResponse = false
    @usableFromInline var method = MSRPMethod.other
    @usableFromInline var flag = ContinuationFlag.end
    @usableFromInline var successReport: UInt8 = 0  // 0 absent, 1 yes, 2 no
    @usableFromInline var failureReport: UInt8 = 0  // 0 absent, 1 + FailureReport.rawValue
    @usableFromInline var statusCode: Int16 = 0
    @usableFromInline var tid = FieldRange.absent
    @usableFromInline var methodOrComment = FieldRange.absent
    @usableFromInline var toPath = FieldRange.absent
    @usableFromInline var toSessionID = FieldRange.absent
    @usableFromInline var fromPath = FieldRange.absent
    @usableFromInline var messageID = FieldRange.absent
    @usableFromInline var contentType = FieldRange.absent
    @usableFromInline var status = FieldRange.absent
    @usableFromInline var body = FieldRange.absent
    @usableFromInline var rangeStart = -1  // -1: no Byte-Range header
    @usableFromInline var rangeEnd = -1  // -1: "*"
    @usableFromInline var rangeTotal = -1  // -1: "*"
    @usableFromInline var length = 0

    @inlinable init() {}
}

/// One MSRP request or response (RFC 4975 §7, §9), as views into the buffer it was parsed from.
///
/// Nothing is copied: every field is a pointer and a length into the caller's read buffer (or
/// into the parser's tail buffer, for a frame that spanned reads). A frame is therefore valid
/// only inside the callback that received it. Copy out (``MSRPBytes/array``, ``MSRPBytes/string``)
/// what must outlive it.
public struct MSRPFrame {
    /// Address of the frame's first byte (the `M` of `MSRP`).
    public let base: UnsafeRawPointer
    /// Absolute offset of the frame's first byte in the stream.
    public let streamOffset: Int
    @usableFromInline let layout: FrameLayout

    @inlinable
    init(base: UnsafeRawPointer, streamOffset: Int, layout: FrameLayout) {
        self.base = base
        self.streamOffset = streamOffset
        self.layout = layout
    }

    @inlinable func view(_ r: FieldRange) -> MSRPBytes { MSRPBytes(base: base, r) }
    @inlinable func optionalView(_ r: FieldRange) -> MSRPBytes? { r.isPresent ? MSRPBytes(base: base, r) : nil }

    /// The whole frame, start line to end-line inclusive.
    @inlinable public var bytes: MSRPBytes { MSRPBytes(UnsafeRawBufferPointer(start: base, count: layout.length)) }
    /// Length of the whole frame in bytes.
    @inlinable public var length: Int { layout.length }
    /// A response (`MSRP <tid> <status>`) rather than a request.
    @inlinable public var isResponse: Bool { layout.isResponse }
    /// The transaction id (RFC 4975 §7.1).
    @inlinable public var transactionID: MSRPBytes { view(layout.tid) }
    /// The method of a request; `.other` for responses.
    @inlinable public var method: MSRPMethod { layout.method }
    /// The method token of a request; nil for responses.
    @inlinable public var methodName: MSRPBytes? { layout.isResponse ? nil : view(layout.methodOrComment) }
    /// The status code of a response; nil for requests.
    @inlinable public var statusCode: Int? { layout.isResponse ? Int(layout.statusCode) : nil }
    /// The comment after a response's status code; nil if none or for requests.
    @inlinable public var comment: MSRPBytes? { layout.isResponse ? optionalView(layout.methodOrComment) : nil }
    /// To-Path (always present: the parser rejects frames without it).
    @inlinable public var toPath: MSRPPath { MSRPPath(raw: view(layout.toPath)) }
    /// From-Path (always present).
    @inlinable public var fromPath: MSRPPath { MSRPPath(raw: view(layout.fromPath)) }
    /// The session-id of the first To-Path URI: the session at the receiving endpoint
    /// (RFC 4975 §6). Empty if that URI has none.
    @inlinable public var toSessionID: MSRPBytes { view(layout.toSessionID) }
    /// Message-ID, if present.
    @inlinable public var messageID: MSRPBytes? { optionalView(layout.messageID) }
    /// Byte-Range, if present.
    @inlinable public var byteRange: ByteRange? {
        guard layout.rangeStart >= 0 else { return nil }
        return ByteRange(
            start: layout.rangeStart,
            end: layout.rangeEnd < 0 ? nil : layout.rangeEnd,
            total: layout.rangeTotal < 0 ? nil : layout.rangeTotal
        )
    }
    /// Content-Type, if present.
    @inlinable public var contentType: MSRPBytes? { optionalView(layout.contentType) }
    /// Success-Report (RFC 4975 §7.1.2): nil if absent (which means `no`).
    @inlinable public var successReport: Bool? { layout.successReport == 0 ? nil : layout.successReport == 1 }
    /// Failure-Report: nil if absent (which means `yes`).
    @inlinable public var failureReport: FailureReport? {
        layout.failureReport == 0 ? nil : FailureReport(rawValue: layout.failureReport - 1)
    }
    /// Whether the receiver of this request answers with a 200 OK: Failure-Report absent or `yes`
    /// (RFC 4975 §7.1.2). With `no` or `partial` only errors, or nothing, are sent.
    @inlinable public var wantsSuccessResponse: Bool { layout.failureReport <= 1 }
    /// The Status header of a REPORT (`namespace SP status-code [SP text-reason]`), if present.
    @inlinable public var status: MSRPBytes? { optionalView(layout.status) }
    /// The body (the data between the blank line and the CRLF before the end-line). Empty for
    /// frames without one.
    @inlinable public var body: MSRPBytes {
        layout.body.isPresent ? view(layout.body) : MSRPBytes(UnsafeRawBufferPointer(start: base, count: 0))
    }
    /// True if the frame had a content section (a blank line after the headers).
    @inlinable public var hasBody: Bool { layout.body.isPresent }
    /// The end-line's continuation flag.
    @inlinable public var flag: ContinuationFlag { layout.flag }
}
