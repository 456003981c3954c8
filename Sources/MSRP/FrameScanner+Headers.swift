#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

#if _endian(big)
#error("The header, id and line-end checks compare bytes as little-endian words")
#endif

/// The headers RFC 4975 §9 defines. A line is recognised by its first bytes, name and colon
/// together, with one or two 8-byte compares: ABNF strings are case-insensitive (RFC 5234
/// §2.3), so the letters' positions are folded to lower case first (`| 0x20` on a letter
/// only, which maps exactly the two cases of that letter to one value). The constants are the
/// names in lower case, little-endian; the "Header recognition" tests derive them again from the names.
@usableFromInline
enum KnownHeader: UInt8, Sendable {
    case toPath, fromPath, messageID, byteRange, contentType, successReport, failureReport, status, other

    /// Which known header the line of `n` bytes at `p` is. `p[n]` and `p[n + 1]` are the
    /// line's CRLF, so the 8-byte load at `p` stays in the line's bytes when `n >= 6`.
    @inlinable @inline(__always)
    static func identify(line p: UnsafeRawPointer, _ n: Int) -> KnownHeader {
        guard n >= 7 else { return .other }
        let w = p.loadUnaligned(as: UInt64.self)
        switch UInt8(truncatingIfNeeded: w) | 0x20 {
        case 0x74:  // t
            return w | 0x0020_2020_2000_2020 == 0x3A68_7461_702D_6F74 ? .toPath : .other  // "to-path:"
        case 0x66:  // f
            if matches(
                p,
                n,
                w,
                10,
                0x7461_702D_6D6F_7266,
                0x2020_2000_2020_2020,
                0x3A68_7461_702D_6D6F,
                0x0020_2020_2000_2020
            ) {
                return .fromPath  // "from-path:"
            }
            if matches(
                p,
                n,
                w,
                15,
                0x2D65_7275_6C69_6166,
                0x0020_2020_2020_2020,
                0x3A74_726F_7065_722D,
                0x0020_2020_2020_2000
            ) {
                return .failureReport  // "failure-report:"
            }
            return .other
        case 0x6D:  // m
            return matches(
                p,
                n,
                w,
                11,
                0x2D65_6761_7373_656D,
                0x0020_2020_2020_2020,
                0x3A64_692D_6567_6173,
                0x0020_2000_2020_2020
            )
                ? .messageID : .other  // "message-id:"
        case 0x62:  // b
            return matches(
                p,
                n,
                w,
                11,
                0x6E61_722D_6574_7962,
                0x2020_2000_2020_2020,
                0x3A65_676E_6172_2D65,
                0x0020_2020_2020_0020
            )
                ? .byteRange : .other  // "byte-range:"
        case 0x63:  // c
            return matches(
                p,
                n,
                w,
                13,
                0x2D74_6E65_746E_6F63,
                0x0020_2020_2020_2020,
                0x3A65_7079_742D_746E,
                0x0020_2020_2000_2020
            )
                ? .contentType : .other  // "content-type:"
        case 0x73:  // s
            if matches(
                p,
                n,
                w,
                15,
                0x2D73_7365_6363_7573,
                0x0020_2020_2020_2020,
                0x3A74_726F_7065_722D,
                0x0020_2020_2020_2000
            ) {
                return .successReport  // "success-report:"
            }
            // "status:" is 7 bytes: the eighth is not compared.
            return (w | 0x0000_2020_2020_2020) & 0x00FF_FFFF_FFFF_FFFF == 0x003A_7375_7461_7473 ? .status : .other
        default:
            return .other
        }
    }

    /// The first 8 and the last 8 of the `length` bytes (name and colon) at `p`.
    @inlinable @inline(__always)
    static func matches(
        _ p: UnsafeRawPointer,
        _ n: Int,
        _ w: UInt64,
        _ length: Int,
        _ word0: UInt64,
        _ fold0: UInt64,
        _ word1: UInt64,
        _ fold1: UInt64
    ) -> Bool {
        n >= length && w | fold0 == word0
            && p.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self) | fold1 == word1
    }

    /// Bytes of the name, before the colon.
    @inlinable var nameLength: Int {
        switch self {
        case .toPath: return 7
        case .fromPath: return 9
        case .messageID, .byteRange: return 10
        case .contentType: return 12
        case .successReport, .failureReport: return 14
        case .status: return 6
        case .other: return 0
        }
    }

    @usableFromInline var name: String {
        switch self {
        case .toPath: return "To-Path"
        case .fromPath: return "From-Path"
        case .messageID: return "Message-ID"
        case .byteRange: return "Byte-Range"
        case .contentType: return "Content-Type"
        case .successReport: return "Success-Report"
        case .failureReport: return "Failure-Report"
        case .status: return "Status"
        case .other: return "extension header"
        }
    }
}

extension FrameScanner {
    /// `header-name ":" SP value`. To-Path must be the first header and From-Path the second
    /// (RFC 4975 §6); each known header at most once.
    @inlinable
    mutating func parseHeader(_ base: UnsafeRawPointer, _ s: Int, _ e: Int, _ frameOffset: Int) throws(MSRPParseError) {
        let header = KnownHeader.identify(line: base + s, e - s)
        let colon: Int
        if header != .other {
            colon = s + header.nameLength
        } else {
            guard let c = ASCII.find(ASCII.colon, in: base, from: s, to: e), c > s else {
                throw .make(
                    .headerWithoutColon,
                    frameOffset + s,
                    "header line has no name and colon: '\(MSRPParseError.excerpt(base + s, e - s))'"
                )
            }
            // header-name is a token (RFC 4975 §9, hname = ALPHA *token-char)
            for j in s..<c where !ASCII.isTokenChar(base.load(fromByteOffset: j, as: UInt8.self)) {
                throw .make(
                    .headerWithoutColon,
                    frameOffset + s,
                    "header line has no 'name:' (a name is token characters): '\(MSRPParseError.excerpt(base + s, e - s))'"
                )
            }
            colon = c
        }
        var v = colon + 1
        while v < e,
            base.load(fromByteOffset: v, as: UInt8.self) == ASCII.space
                || base.load(fromByteOffset: v, as: UInt8.self) == ASCII.tab
        { v += 1 }
        var ve = e
        while ve > v,
            base.load(fromByteOffset: ve - 1, as: UInt8.self) == ASCII.space
                || base.load(fromByteOffset: ve - 1, as: UInt8.self) == ASCII.tab
        { ve -= 1 }
        if headerCount == 1, header != .toPath {
            throw .make(
                .missingToPath,
                frameOffset + s,
                "first header must be To-Path, found '\(MSRPParseError.excerpt(base + s, colon - s))'"
            )
        }
        if headerCount == 2, header != .fromPath {
            throw .make(
                .missingFromPath,
                frameOffset + s,
                "second header must be From-Path, found '\(MSRPParseError.excerpt(base + s, colon - s))'"
            )
        }
        if header != .other {
            let bit: UInt16 = 1 << header.rawValue
            if seen & bit != 0 {
                throw .make(.duplicateHeader, frameOffset + s, "\(header.name) appears more than once")
            }
            seen |= bit
        }
        let value = FieldRange(start: v, count: ve - v)
        switch header {
        case .toPath:
            layout.toPath = value
            layout.toSessionID = try validatePath(base, v, ve, frameOffset, "To-Path", &toPathCache)
        case .fromPath:
            layout.fromPath = value
            _ = try validatePath(base, v, ve, frameOffset, "From-Path", &fromPathCache)
        case .messageID:
            guard TransactionID.isValid(base + v, ve - v) else {
                throw .make(
                    .invalidMessageID,
                    frameOffset + v,
                    "Message-ID must be an ident of 4 to 32 characters, found '\(MSRPParseError.excerpt(base + v, ve - v))'"
                )
            }
            layout.messageID = value
        case .byteRange:
            switch ByteRange.parse(base + v, ve - v) {
            case .success(let r):
                layout.rangeStart = r.start
                layout.rangeEnd = r.end ?? -1
                layout.rangeTotal = r.total ?? -1
            case .failure(let problem):
                throw .make(
                    .invalidByteRange,
                    frameOffset + v,
                    "\(problem.reason): '\(MSRPParseError.excerpt(base + v, ve - v))'"
                )
            }
        case .contentType:
            guard ve > v, ASCII.find(ASCII.slash, in: base, from: v, to: ve) != nil else {
                throw .make(.invalidHeaderValue, frameOffset + v, "Content-Type must be type/subtype")
            }
            layout.contentType = value
        case .successReport:
            if ASCII.equalsCaseInsensitive(base + v, ve - v, "yes") {
                layout.successReport = 1
            } else if ASCII.equalsCaseInsensitive(base + v, ve - v, "no") {
                layout.successReport = 2
            } else {
                throw .make(
                    .invalidHeaderValue,
                    frameOffset + v,
                    "Success-Report must be yes or no, found '\(MSRPParseError.excerpt(base + v, ve - v))'"
                )
            }
        case .failureReport:
            if ASCII.equalsCaseInsensitive(base + v, ve - v, "yes") {
                layout.failureReport = 1 + FailureReport.yes.rawValue
            } else if ASCII.equalsCaseInsensitive(base + v, ve - v, "no") {
                layout.failureReport = 1 + FailureReport.no.rawValue
            } else if ASCII.equalsCaseInsensitive(base + v, ve - v, "partial") {
                layout.failureReport = 1 + FailureReport.partial.rawValue
            } else {
                throw .make(
                    .invalidHeaderValue,
                    frameOffset + v,
                    "Failure-Report must be yes, no or partial, found '\(MSRPParseError.excerpt(base + v, ve - v))'"
                )
            }
        case .status:
            // Status = namespace SP status-code [SP text-reason], both 3 digits.
            let n = ve - v
            guard n >= 7, ASCII.parseDecimal(base + v, 3) != nil,
                base.load(fromByteOffset: v + 3, as: UInt8.self) == ASCII.space,
                ASCII.parseDecimal(base + v + 4, 3) != nil,
                n == 7 || base.load(fromByteOffset: v + 7, as: UInt8.self) == ASCII.space
            else {
                throw .make(
                    .invalidHeaderValue,
                    frameOffset + v,
                    "Status must be 'namespace code [reason]' with 3-digit numbers, found '\(MSRPParseError.excerpt(base + v, n))'"
                )
            }
            layout.status = value
        case .other:
            break
        }
    }

    /// Validates `MSRP-URI *( SP MSRP-URI )` and returns the first URI's session-id.
    @inlinable
    func validatePath(
        _ base: UnsafeRawPointer,
        _ v: Int,
        _ ve: Int,
        _ frameOffset: Int,
        _ name: StaticString,
        _ cache: inout ValidatedPath
    ) throws(MSRPParseError) -> FieldRange {
        guard ve > v else { throw .make(.malformedURI, frameOffset + v, "\(name) is empty") }
        if let session = cache.lookup(base + v, ve - v) {
            return FieldRange(start: v + Int(session.start), count: Int(session.count))
        }
        let first = try validateURIs(base, v, ve, frameOffset, name)
        cache.store(base + v, ve - v, session: FieldRange(start: Int(first.start) - v, count: Int(first.count)))
        return first
    }

    @inlinable
    func validateURIs(
        _ base: UnsafeRawPointer,
        _ v: Int,
        _ ve: Int,
        _ frameOffset: Int,
        _ name: StaticString
    ) throws(MSRPParseError) -> FieldRange {
        var first = FieldRange.absent
        var s = v
        while true {
            let e = ASCII.find(ASCII.space, in: base, from: s, to: ve) ?? ve
            do {
                let parts = try MSRPURI.validate(base + s, e - s)
                if !first.isPresent {
                    first = FieldRange(start: s + Int(parts.sessionID.start), count: Int(parts.sessionID.count))
                }
            } catch {
                throw .make(
                    .malformedURI,
                    frameOffset + s,
                    "\(name): \(error.reason): '\(MSRPParseError.excerpt(base + s, e - s))'"
                )
            }
            if e == ve { return first }
            s = e + 1
        }
    }
}

/// A path value that passed validation, and where its first session-id is (relative to the
/// value), held inline: a connection's path rarely changes, so the next frame's value is
/// compared with it and not validated again. Inline rather than in an array, so that the
/// millions of connections of a large server pay no allocation (and no pointer to chase) for
/// it; values longer than ``capacity`` are not cached (validated each time).
@usableFromInline
struct ValidatedPath {
    /// Bytes cached at most: a URI with a host name of 20 characters, a port and a session-id
    /// of 16 fits (64 bytes, so that two caches and the scanner's state stay in a few cache
    /// lines).
    @usableFromInline static let capacity = 64
    @usableFromInline var words = InlineArray<8, UInt64>(repeating: 0)
    /// Bytes cached; 0 when nothing is.
    @usableFromInline var count: UInt8 = 0
    @usableFromInline var session = FieldRange.absent

    @inlinable init() {}

    @inlinable
    mutating func lookup(_ p: UnsafeRawPointer, _ n: Int) -> FieldRange? {
        guard n == Int(count), n > 0 else { return nil }
        let session = self.session
        return withUnsafeBytes(of: &words) { memcmp($0.baseAddress!, p, n) == 0 } ? session : nil
    }

    @inlinable
    mutating func store(_ p: UnsafeRawPointer, _ n: Int, session: FieldRange) {
        guard n <= Self.capacity else {
            count = 0
            return
        }
        withUnsafeMutableBytes(of: &words) { $0.baseAddress!.copyMemory(from: p, byteCount: n) }
        count = UInt8(n)
        self.session = session
    }
}
