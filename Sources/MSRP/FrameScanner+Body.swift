extension FrameScanner {
    /// Finds the end of the data: CRLF + `-------<tid><flag>` CRLF (RFC 4975 §9, content-stuff and
    /// end-line). Resumes from `pos`; never looks past the body limit plus one end-line.
    @inlinable
    mutating func scanBody(
        _ base: UnsafeRawPointer,
        _ available: Int,
        _ limits: MSRPParserLimits,
        _ frameOffset: Int
    ) throws(MSRPParseError) -> Bool {
        if pos < bodyStart { pos = bodyStart }
        let tidLength = Int(layout.tid.count)
        let lastAllowed = bodyStart + limits.maxBodyBytes
        let to = min(available, lastAllowed + EndLine.length(tidLength: tidLength))
        switch EndLine.search(base, from: pos, to: to, tid: base + Int(layout.tid.start), tidLength: tidLength) {
        case .found(let c, let flag):
            complete(at: c, flag: flag)
            return true
        case .badFlag(let at):
            throw .make(
                .invalidContinuationFlag,
                frameOffset + at,
                "end-line flag must be $, + or #, found '\(MSRPParseError.excerpt(base + at, 1))'"
            )
        case .notFound(let next):
            pos = next
            try checkBodyLimit(limits, frameOffset)
            return false
        }
    }

    /// Records a complete frame whose data ends at relative offset `c` (the CR before the end-line).
    @inlinable
    mutating func complete(at c: Int, flag: ContinuationFlag) {
        layout.body = FieldRange(start: bodyStart, count: c - bodyStart)
        layout.flag = flag
        layout.length = c + EndLine.length(tidLength: Int(layout.tid.count))
        phase = .done
    }

    /// No end-line can start past `bodyStart + maxBodyBytes`.
    @inlinable
    func checkBodyLimit(_ limits: MSRPParserLimits, _ frameOffset: Int) throws(MSRPParseError) {
        if pos > bodyStart + limits.maxBodyBytes {
            throw .make(
                .bodyTooLarge,
                frameOffset + bodyStart + limits.maxBodyBytes,
                "body exceeds \(limits.maxBodyBytes) bytes"
            )
        }
    }
}
