#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Encodes MSRP frames (RFC 4975 §7, §9) into a buffer the caller provides.
///
/// Each `write…` function appends at `offset` of an `UnsafeMutableRawBufferPointer` and returns
/// the new offset, or nil if the frame does not fit (nothing useful is written then). Use the
/// matching `…Length` function to size the buffer. Nothing allocates, so the engine can encode
/// a 200 OK per chunk on its hot path. Convenience forms append to a `[UInt8]`.
public enum MSRPWriter {
    /// A cursor over the caller's buffer.
    @usableFromInline
    struct Cursor {
        @usableFromInline let base: UnsafeMutableRawPointer
        @usableFromInline let capacity: Int
        @usableFromInline var offset: Int

        @inlinable init(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int) {
            self.base = buffer.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
            self.capacity = buffer.count
            self.offset = offset
        }

        @inlinable @inline(__always)
        mutating func put(_ p: UnsafeRawPointer, _ n: Int) {
            if n > 0 { memcpy(base + offset, p, n) }
            offset += n
        }
        @inlinable @inline(__always)
        mutating func put(_ s: StaticString) { put(s.utf8Start, s.utf8CodeUnitCount) }
        @inlinable @inline(__always)
        mutating func put(_ b: UnsafeRawBufferPointer) {
            if let p = b.baseAddress { put(p, b.count) }
        }
        @inlinable @inline(__always)
        mutating func put(byte: UInt8) {
            base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            offset += 1
        }
        /// A status code: always 3 digits (the callers check 100...999), written without the
        /// digit-counting loop of `put(decimal:)`.
        @inlinable @inline(__always)
        mutating func put(statusCode v: Int) {
            base.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ v / 100), toByteOffset: offset, as: UInt8.self)
            base.storeBytes(
                of: UInt8(truncatingIfNeeded: 0x30 &+ v / 10 % 10),
                toByteOffset: offset &+ 1,
                as: UInt8.self
            )
            base.storeBytes(of: UInt8(truncatingIfNeeded: 0x30 &+ v % 10), toByteOffset: offset &+ 2, as: UInt8.self)
            offset &+= 3
        }
        @inlinable
        mutating func put(decimal v: Int) {
            precondition(v >= 0)
            var digits = 1
            var t = v
            while t >= 10 {
                t /= 10
                digits += 1
            }
            var x = v
            for k in stride(from: digits - 1, through: 0, by: -1) {
                base.storeBytes(of: UInt8(0x30 + x % 10), toByteOffset: offset + k, as: UInt8.self)
                x /= 10
            }
            offset += digits
        }
    }

    @inlinable
    static func decimalLength(_ v: Int) -> Int {
        var d = 1
        var t = v
        while t >= 10 {
            t /= 10
            d += 1
        }
        return d
    }

    // MARK: SEND

    /// The parts of one SEND chunk (RFC 4975 §7.1.1).
    public struct SendChunk {
        public var transactionID: UnsafeRawBufferPointer
        public var toPath: UnsafeRawBufferPointer
        public var fromPath: UnsafeRawBufferPointer
        public var messageID: UnsafeRawBufferPointer
        public var byteRange: ByteRange
        /// Written only when the chunk has a body (RFC 4975 §9: Content-Type precedes the data).
        public var contentType: UnsafeRawBufferPointer
        public var successReport: Bool?
        public var failureReport: FailureReport?
        public var body: UnsafeRawBufferPointer
        public var flag: ContinuationFlag

        public init(
            transactionID: UnsafeRawBufferPointer,
            toPath: UnsafeRawBufferPointer,
            fromPath: UnsafeRawBufferPointer,
            messageID: UnsafeRawBufferPointer,
            byteRange: ByteRange,
            contentType: UnsafeRawBufferPointer,
            successReport: Bool? = nil,
            failureReport: FailureReport? = nil,
            body: UnsafeRawBufferPointer,
            flag: ContinuationFlag
        ) {
            self.transactionID = transactionID
            self.toPath = toPath
            self.fromPath = fromPath
            self.messageID = messageID
            self.byteRange = byteRange
            self.contentType = contentType
            self.successReport = successReport
            self.failureReport = failureReport
            self.body = body
            self.flag = flag
        }
    }

    @inlinable
    static func byteRangeLength(_ r: ByteRange) -> Int {
        decimalLength(r.start) + 2 + (r.end.map(decimalLength) ?? 1) + (r.total.map(decimalLength) ?? 1)
    }

    @inlinable
    static func failureReportLiteral(_ f: FailureReport) -> StaticString {
        switch f {
        case .yes: return "yes"
        case .no: return "no"
        case .partial: return "partial"
        }
    }

    /// Bytes ``writeSend(_:into:at:)`` writes.
    @inlinable
    public static func sendLength(_ c: SendChunk) -> Int {
        var n = 5 + c.transactionID.count + 7  // "MSRP " tid " SEND\r\n"
        n += 9 + c.toPath.count + 2 + 11 + c.fromPath.count + 2
        n += 12 + c.messageID.count + 2
        n += 12 + byteRangeLength(c.byteRange) + 2
        if let s = c.successReport { n += 16 + (s ? 3 : 2) + 2 }
        if let f = c.failureReport { n += 16 + failureReportLiteral(f).utf8CodeUnitCount + 2 }
        if c.body.count > 0 || c.contentType.count > 0 {
            n += 14 + c.contentType.count + 2 + 2 + c.body.count + 2
        }
        return n + 7 + c.transactionID.count + 1 + 2
    }

    /// Writes a SEND chunk. With a body: headers, Content-Type, blank line, data, CRLF, end-line;
    /// without one (and no Content-Type): headers then the end-line.
    @inlinable
    public static func writeSend(_ c: SendChunk, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int? {
        guard offset >= 0, buffer.count - offset >= sendLength(c) else { return nil }
        var w = Cursor(buffer, offset)
        w.put("MSRP ")
        w.put(c.transactionID)
        w.put(" SEND\r\nTo-Path: ")
        w.put(c.toPath)
        w.put("\r\nFrom-Path: ")
        w.put(c.fromPath)
        w.put("\r\nMessage-ID: ")
        w.put(c.messageID)
        w.put("\r\nByte-Range: ")
        w.put(decimal: c.byteRange.start)
        w.put(byte: ASCII.dash)
        if let e = c.byteRange.end { w.put(decimal: e) } else { w.put(byte: 0x2A) }
        w.put(byte: ASCII.slash)
        if let t = c.byteRange.total { w.put(decimal: t) } else { w.put(byte: 0x2A) }
        w.put("\r\n")
        if let s = c.successReport {
            w.put("Success-Report: ")
            w.put(s ? "yes" : "no")
            w.put("\r\n")
        }
        if let f = c.failureReport {
            w.put("Failure-Report: ")
            w.put(failureReportLiteral(f))
            w.put("\r\n")
        }
        if c.body.count > 0 || c.contentType.count > 0 {
            w.put("Content-Type: ")
            w.put(c.contentType)
            w.put("\r\n\r\n")
            w.put(c.body)
            w.put("\r\n")
        }
        w.put("-------")
        w.put(c.transactionID)
        w.put(byte: c.flag.rawValue)
        w.put("\r\n")
        return w.offset
    }

    // MARK: responses

    /// Bytes ``writeResponse(transactionID:status:comment:toPath:fromPath:into:at:)`` writes.
    @inlinable
    public static func responseLength(
        transactionID: UnsafeRawBufferPointer,
        comment: StaticString,
        toPath: UnsafeRawBufferPointer,
        fromPath: UnsafeRawBufferPointer
    ) -> Int {
        let c = comment.utf8CodeUnitCount
        return 5 + transactionID.count + 4 + (c > 0 ? 1 + c : 0) + 2 + 9 + toPath.count + 2 + 11 + fromPath.count + 2
            + 7 + transactionID.count + 3
    }

    /// Writes a response (RFC 4975 §7.2): `MSRP <tid> <status> [comment]`, To-Path = the request's
    /// From-Path, From-Path = the URI of the endpoint that answers, no body, flag `$`.
    @inlinable
    public static func writeResponse(
        transactionID: UnsafeRawBufferPointer,
        status: Int,
        comment: StaticString,
        toPath: UnsafeRawBufferPointer,
        fromPath: UnsafeRawBufferPointer,
        into buffer: UnsafeMutableRawBufferPointer,
        at offset: Int
    ) -> Int? {
        precondition((100...999).contains(status), "MSRP status codes have 3 digits")
        let n = responseLength(transactionID: transactionID, comment: comment, toPath: toPath, fromPath: fromPath)
        guard offset >= 0, buffer.count - offset >= n else { return nil }
        var w = Cursor(buffer, offset)
        w.put("MSRP ")
        w.put(transactionID)
        w.put(byte: ASCII.space)
        w.put(statusCode: status)
        if comment.utf8CodeUnitCount > 0 {
            w.put(byte: ASCII.space)
            w.put(comment)
        }
        w.put("\r\nTo-Path: ")
        w.put(toPath)
        w.put("\r\nFrom-Path: ")
        w.put(fromPath)
        w.put("\r\n-------")
        w.put(transactionID)
        w.put("$\r\n")
        return w.offset
    }

    /// Writes the response to `request` with `status` (200, or 400/403/413/415/481/501 of RFC
    /// 4975 §7.3): To-Path is the request's From-Path, From-Path the first URI of its To-Path.
    @inlinable
    public static func writeResponse(
        to request: MSRPFrame,
        status: Int,
        comment: StaticString,
        into buffer: UnsafeMutableRawBufferPointer,
        at offset: Int
    ) -> Int? {
        let to = request.toPath.raw.buffer
        let firstURIEnd = ASCII.find(ASCII.space, in: to.baseAddress!, from: 0, to: to.count) ?? to.count
        return writeResponse(
            transactionID: request.transactionID.buffer,
            status: status,
            comment: comment,
            toPath: request.fromPath.raw.buffer,
            fromPath: UnsafeRawBufferPointer(rebasing: to[0..<firstURIEnd]),
            into: buffer,
            at: offset
        )
    }

    /// The comment RFC 4975 §7.3 gives each status it defines.
    @inlinable
    public static func comment(forStatus status: Int) -> StaticString {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 408: return "Request Timeout"
        case 413: return "Message Too Large"
        case 415: return "Unsupported Media Type"
        case 423: return "Parameter Out of Bounds"
        case 481: return "Session Does Not Exist"
        case 501: return "Not Implemented"
        case 506: return "Session Already Bound"
        default: return ""
        }
    }

    // MARK: REPORT

    /// Bytes ``writeReport(transactionID:toPath:fromPath:messageID:byteRange:status:into:at:)`` writes.
    @inlinable
    public static func reportLength(
        transactionID: UnsafeRawBufferPointer,
        toPath: UnsafeRawBufferPointer,
        fromPath: UnsafeRawBufferPointer,
        messageID: UnsafeRawBufferPointer,
        byteRange: ByteRange,
        status: Int
    ) -> Int {
        let reason = comment(forStatus: status).utf8CodeUnitCount
        return 5 + transactionID.count + 9 + 9 + toPath.count + 2 + 11 + fromPath.count + 2 + 12 + messageID.count + 2
            + 12 + byteRangeLength(byteRange) + 2 + 8 + 3 + 1 + 3 + (reason > 0 ? 1 + reason : 0) + 2
            + 7 + transactionID.count + 3
    }

    /// Writes a REPORT request (RFC 4975 §7.1.2): `Status: 000 <code> <reason>`, no body.
    @inlinable
    public static func writeReport(
        transactionID: UnsafeRawBufferPointer,
        toPath: UnsafeRawBufferPointer,
        fromPath: UnsafeRawBufferPointer,
        messageID: UnsafeRawBufferPointer,
        byteRange: ByteRange,
        status: Int,
        into buffer: UnsafeMutableRawBufferPointer,
        at offset: Int
    ) -> Int? {
        precondition((100...999).contains(status), "MSRP status codes have 3 digits")
        let n = reportLength(
            transactionID: transactionID,
            toPath: toPath,
            fromPath: fromPath,
            messageID: messageID,
            byteRange: byteRange,
            status: status
        )
        guard offset >= 0, buffer.count - offset >= n else { return nil }
        var w = Cursor(buffer, offset)
        w.put("MSRP ")
        w.put(transactionID)
        w.put(" REPORT\r\nTo-Path: ")
        w.put(toPath)
        w.put("\r\nFrom-Path: ")
        w.put(fromPath)
        w.put("\r\nMessage-ID: ")
        w.put(messageID)
        w.put("\r\nByte-Range: ")
        w.put(decimal: byteRange.start)
        w.put(byte: ASCII.dash)
        if let e = byteRange.end { w.put(decimal: e) } else { w.put(byte: 0x2A) }
        w.put(byte: ASCII.slash)
        if let t = byteRange.total { w.put(decimal: t) } else { w.put(byte: 0x2A) }
        w.put("\r\nStatus: 000 ")
        w.put(statusCode: status)
        let reason = comment(forStatus: status)
        if reason.utf8CodeUnitCount > 0 {
            w.put(byte: ASCII.space)
            w.put(reason)
        }
        w.put("\r\n-------")
        w.put(transactionID)
        w.put("$\r\n")
        return w.offset
    }
}

extension Array where Element == UInt8 {
    /// Appends `length` bytes written by `write` (an `MSRPWriter` call) to the array.
    @inlinable
    public mutating func appendMSRP(
        length: Int,
        _ write: (UnsafeMutableRawBufferPointer, Int) -> Int?
    ) {
        let start = count
        append(contentsOf: repeatElement(0, count: length))
        let end = withUnsafeMutableBytes { write($0, start) }
        precondition(end == start + length, "MSRPWriter length and write disagree")
    }
}
