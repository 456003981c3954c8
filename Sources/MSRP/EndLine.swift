/// The end-line of RFC 4975 §9, `"-------" transact-id continuation-flag CRLF`, preceded by the
/// CRLF that ends the data.
///
/// There is no length header in MSRP: a body ends only where CRLF, seven dashes, *this frame's*
/// transaction id, a flag and CRLF follow one another. Any other run of dashes (another frame's
/// end-line, a prefix of this one) is data.
@usableFromInline
enum EndLine {
    /// `"\n-------"` read as one little-endian word: the seven dashes and the LF before them.
    @usableFromInline static let lfDashes: UInt64 = 0x2D2D_2D2D_2D2D_2D0A

    /// Bytes from the CR before the dashes to the final LF: CRLF + 7 + tid + flag + CRLF.
    @inlinable @inline(__always)
    static func length(tidLength: Int) -> Int { tidLength + 12 }

    @usableFromInline
    enum SearchResult {
        /// The CRLF before the end-line starts at `at`.
        case found(at: Int, flag: ContinuationFlag)
        /// No end-line starts before `next`; search again from there when more bytes arrive.
        case notFound(next: Int)
        /// CRLF, dashes, this tid and CRLF, but the byte at `at` is not a flag.
        case badFlag(at: Int)
    }

    /// Searches `[from, to)` of `base` for CRLF + the end-line of `tid`. Linear: each candidate
    /// CR is examined once, and the caller resumes from `next`.
    @inlinable
    static func search(
        _ base: UnsafeRawPointer,
        from: Int,
        to: Int,
        tid: UnsafeRawPointer,
        tidLength: Int
    ) -> SearchResult {
        let lastCandidate = to - length(tidLength: tidLength)
        var i = from
        while i <= lastCandidate {
            guard let c = ASCII.find(ASCII.cr, in: base, from: i, to: lastCandidate + 1) else {
                return .notFound(next: lastCandidate + 1)
            }
            if base.loadUnaligned(fromByteOffset: c + 1, as: UInt64.self) == lfDashes,
                memcmp(base + c + 9, tid, tidLength) == 0,
                base.load(fromByteOffset: c + 10 + tidLength, as: UInt8.self) == ASCII.cr,
                base.load(fromByteOffset: c + 11 + tidLength, as: UInt8.self) == ASCII.lf
            {
                let f = base.load(fromByteOffset: c + 9 + tidLength, as: UInt8.self)
                guard let flag = ContinuationFlag(rawValue: f) else { return .badFlag(at: c + 9 + tidLength) }
                return .found(at: c, flag: flag)
            }
            i = c + 1
        }
        return .notFound(next: max(i, from))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
