#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The resumable state machine that finds one frame in a contiguous region of bytes.
///
/// All positions are relative to the frame's first byte, so the state stays valid when the
/// parser moves a partial frame into its tail buffer. `pos` only moves forward: every byte of
/// the header section is looked at once, and the body search resumes where it stopped, so the
/// work per byte is linear however the stream is split.
@usableFromInline
struct FrameScanner {
    @usableFromInline
    enum Phase: UInt8 { case startLine, headers, body, done }

    @usableFromInline var phase = Phase.startLine
    /// Next byte not yet examined (header phases: start of the next line; body: next candidate).
    @usableFromInline var pos = 0
    @usableFromInline var headerCount = 0
    @usableFromInline var seen: UInt16 = 0
    @usableFromInline var bodyStart = 0
    @usableFromInline var layout = FrameLayout()
    /// The last To-Path and From-Path values that passed validation. Every chunk of a session
    /// carries the same paths, so a byte-identical value (one memcmp) reuses the earlier result.
    @usableFromInline var toPathCache = ValidatedPath()
    @usableFromInline var fromPathCache = ValidatedPath()

    @inlinable init() {}

    /// Ready for the next frame; keeps the path caches.
    @inlinable
    mutating func reset() {
        phase = .startLine
        pos = 0
        headerCount = 0
        seen = 0
        bodyStart = 0
        layout = FrameLayout()
    }

    /// Scans `available` bytes at `base` (the frame's first byte). Returns true when the frame is
    /// complete (`layout.length` is then its size), false when more bytes are needed.
    @inlinable
    mutating func scan(
        _ base: UnsafeRawPointer,
        _ available: Int,
        _ limits: MSRPParserLimits,
        _ frameOffset: Int
    ) throws(MSRPParseError) -> Bool {
        if phase != .body {
            try scanHeaderSection(base, available, limits, frameOffset)
            if phase != .body { return phase == .done }
        }
        return try scanBody(base, available, limits, frameOffset)
    }

    // MARK: header section

    @inlinable
    mutating func scanHeaderSection(
        _ base: UnsafeRawPointer,
        _ available: Int,
        _ limits: MSRPParserLimits,
        _ frameOffset: Int
    ) throws(MSRPParseError) {
        // Reject garbage as soon as its first bytes arrive, whatever the split.
        if phase == .startLine, pos == 0, !Self.mayStartFrame(base, available) {
            throw .make(
                .invalidStartLine,
                frameOffset,
                "frame must start with 'MSRP ', found '\(MSRPParseError.excerpt(base, min(available, 16)))'"
            )
        }
        let limitEnd = min(available, limits.maxHeaderBytes)
        var lines = LineFeedFinder(base, end: limitEnd)
        while true {
            guard let lf = lines.next(from: pos) else {
                if available >= limits.maxHeaderBytes {
                    throw .make(
                        .headerSectionTooLarge,
                        frameOffset + limits.maxHeaderBytes,
                        "header section exceeds \(limits.maxHeaderBytes) bytes"
                    )
                }
                return
            }
            let lineStart = pos
            guard lf > lineStart, base.load(fromByteOffset: lf - 1, as: UInt8.self) == ASCII.cr else {
                throw .make(.lineNotCRLF, frameOffset + lineStart, "line must end with CRLF, found a bare LF")
            }
            let lineEnd = lf - 1
            pos = lf + 1
            if phase == .startLine {
                try parseStartLine(base, lineStart, lineEnd, frameOffset)
                phase = .headers
                continue
            }
            if lineEnd == lineStart {
                // Blank line: the content follows (RFC 4975 §9, content-stuff).
                try requirePaths(frameOffset + lineStart)
                if layout.isResponse {
                    throw .make(.bodyInResponse, frameOffset + lineStart, "a response must not carry a body")
                }
                bodyStart = pos
                phase = .body
                return
            }
            if try isEndLine(base, lineStart, lineEnd, frameOffset) {
                try requirePaths(frameOffset + lineStart)
                layout.length = pos
                phase = .done
                return
            }
            headerCount += 1
            if headerCount > limits.maxHeaderCount {
                throw .make(.tooManyHeaders, frameOffset + lineStart, "more than \(limits.maxHeaderCount) header lines")
            }
            try parseHeader(base, lineStart, lineEnd, frameOffset)
        }
    }

    /// The first bytes of a frame are, or may become, `MSRP `. With 5 bytes or more (nearly
    /// always) that is two compares, not a call to memcmp.
    @inlinable @inline(__always)
    static func mayStartFrame(_ base: UnsafeRawPointer, _ available: Int) -> Bool {
        if available >= 5 {
            return base.loadUnaligned(as: UInt32.self) == 0x5052_534D  // "MSRP", little-endian
                && base.load(fromByteOffset: 4, as: UInt8.self) == ASCII.space
        }
        return memcmp(base, ("MSRP " as StaticString).utf8Start, available) == 0
    }

    /// Inlined: a call of this non-mutating method from the mutating scan copied the whole
    /// scanner (200 bytes) on every frame.
    @inlinable @inline(__always)
    func requirePaths(_ offset: Int) throws(MSRPParseError) {
        if !layout.toPath.isPresent { throw .make(.missingToPath, offset, "To-Path header is missing") }
        if !layout.fromPath.isPresent { throw .make(.missingFromPath, offset, "From-Path header is missing") }
    }

    /// A bodyless frame's end-line: `-------<tid><flag>` as a whole line.
    @inlinable
    mutating func isEndLine(
        _ base: UnsafeRawPointer,
        _ s: Int,
        _ e: Int,
        _ frameOffset: Int
    ) throws(MSRPParseError) -> Bool {
        let tidLength = Int(layout.tid.count)
        guard e - s == 8 + tidLength, base.load(fromByteOffset: s, as: UInt8.self) == ASCII.dash,
            ASCII.equals(base + s, 7, "-------"),
            memcmp(base + s + 7, base + Int(layout.tid.start), tidLength) == 0
        else { return false }
        let f = base.load(fromByteOffset: e - 1, as: UInt8.self)
        guard let flag = ContinuationFlag(rawValue: f) else {
            throw .make(
                .invalidContinuationFlag,
                frameOffset + e - 1,
                "end-line flag must be $, + or #, found '\(MSRPParseError.excerpt(base + e - 1, 1))'"
            )
        }
        layout.flag = flag
        return true
    }

    /// `req-start = "MSRP" SP transact-id SP method CRLF`,
    /// `resp-start = "MSRP" SP transact-id SP status-code [SP comment] CRLF` (RFC 4975 §9).
    @inlinable
    mutating func parseStartLine(
        _ base: UnsafeRawPointer,
        _ s: Int,
        _ e: Int,
        _ frameOffset: Int
    ) throws(MSRPParseError) {
        guard e - s >= 5, ASCII.equals(base + s, 5, "MSRP ") else {
            throw .make(.invalidStartLine, frameOffset + s, "start line must begin with 'MSRP '")
        }
        let t = s + 5
        let tl = TransactionID.scan(base + t, e - t)
        let afterTid = t + tl
        if afterTid < e, base.load(fromByteOffset: afterTid, as: UInt8.self) != ASCII.space {
            throw .make(
                .invalidTransactionID,
                frameOffset + afterTid,
                "transaction id has an invalid character '\(MSRPParseError.excerpt(base + afterTid, 1))'"
            )
        }
        guard tl >= TransactionID.minimumLength, tl <= TransactionID.maximumLength else {
            throw .make(
                .invalidTransactionID,
                frameOffset + t,
                "transaction id must be 4 to 32 characters, found \(tl)"
            )
        }
        guard ASCII.isAlphaNum(base.load(fromByteOffset: t, as: UInt8.self)) else {
            throw .make(.invalidTransactionID, frameOffset + t, "transaction id must start with a letter or digit")
        }
        guard afterTid < e else {
            throw .make(.invalidStartLine, frameOffset + afterTid, "start line has no method or status code")
        }
        layout.tid = FieldRange(start: t, count: tl)
        let m = afterTid + 1
        let n = e - m
        if n >= 3, ASCII.isDigit(base.load(fromByteOffset: m, as: UInt8.self)) {
            guard let code = ASCII.parseDecimal(base + m, 3),
                n == 3 || base.load(fromByteOffset: m + 3, as: UInt8.self) == ASCII.space
            else {
                throw .make(.invalidStartLine, frameOffset + m, "status code must be 3 digits")
            }
            layout.isResponse = true
            layout.statusCode = Int16(code)
            layout.methodOrComment = n > 4 ? FieldRange(start: m + 4, count: n - 4) : .absent
            return
        }
        guard n > 0 else { throw .make(.invalidStartLine, frameOffset + m, "method is empty") }
        for j in m..<e where !ASCII.isUpperAlpha(base.load(fromByteOffset: j, as: UInt8.self)) {
            throw .make(
                .invalidStartLine,
                frameOffset + j,
                "method must be upper-case letters, found '\(MSRPParseError.excerpt(base + m, n))'"
            )
        }
        layout.methodOrComment = FieldRange(start: m, count: n)
        if ASCII.equals(base + m, n, "SEND") {
            layout.method = .send
        } else if ASCII.equals(base + m, n, "REPORT") {
            layout.method = .report
        } else {
            layout.method = .other
        }
    }
}
