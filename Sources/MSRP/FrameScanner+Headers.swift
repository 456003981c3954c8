import CPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The headers RFC 4975 §9 defines, recognised by length and first letter before one
/// case-insensitive comparison (ABNF strings are case-insensitive, RFC 5234 §2.3).
@usableFromInline
enum KnownHeader: UInt8 {
    case toPath, fromPath, messageID, byteRange, contentType, successReport, failureReport, status, other

    @inlinable @inline(__always)
    static func identify(_ p: UnsafeRawPointer, _ n: Int) -> KnownHeader {
        let first = p.load(as: UInt8.self) | 0x20
        switch n {
        case 7 where first == 0x74: return ASCII.equalsCaseInsensitive(p, n, "To-Path") ? .toPath : .other
        case 9 where first == 0x66: return ASCII.equalsCaseInsensitive(p, n, "From-Path") ? .fromPath : .other
        case 10 where first == 0x6D: return ASCII.equalsCaseInsensitive(p, n, "Message-ID") ? .messageID : .other
        case 10 where first == 0x62: return ASCII.equalsCaseInsensitive(p, n, "Byte-Range") ? .byteRange : .other
        case 12 where first == 0x63: return ASCII.equalsCaseInsensitive(p, n, "Content-Type") ? .contentType : .other
        case 14 where first == 0x73:
            return ASCII.equalsCaseInsensitive(p, n, "Success-Report") ? .successReport : .other
        case 14 where first == 0x66:
            return ASCII.equalsCaseInsensitive(p, n, "Failure-Report") ? .failureReport : .other
        case 6 where first == 0x73: return ASCII.equalsCaseInsensitive(p, n, "Status") ? .status : .other
        default: return .other
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
        guard let colon = ASCII.find(ASCII.colon, in: base, from: s, to: e), colon > s else {
            throw .make(.headerWithoutColon, frameOffset + s,
                        "header line has no name and colon: '\(MSRPParseError.excerpt(base + s, e - s))'")
        }
        var v = colon + 1
        while v < e, base.load(fromByteOffset: v, as: UInt8.self) == ASCII.space
            || base.load(fromByteOffset: v, as: UInt8.self) == ASCII.tab
        { v += 1 }
        var ve = e
        while ve > v, base.load(fromByteOffset: ve - 1, as: UInt8.self) == ASCII.space
            || base.load(fromByteOffset: ve - 1, as: UInt8.self) == ASCII.tab
        { ve -= 1 }
        let header = KnownHeader.identify(base + s, colon - s)
        if header == .other {
            // header-name is a token (RFC 4975 §9, hname = ALPHA *token-char)
            for j in s..<colon where !ASCII.isTokenChar(base.load(fromByteOffset: j, as: UInt8.self)) {
                throw .make(.headerWithoutColon, frameOffset + s,
                            "header line has no 'name:' (a name is token characters): '\(MSRPParseError.excerpt(base + s, e - s))'")
            }
        }
        if headerCount == 1, header != .toPath {
            throw .make(.missingToPath, frameOffset + s,
                        "first header must be To-Path, found '\(MSRPParseError.excerpt(base + s, colon - s))'")
        }
        if headerCount == 2, header != .fromPath {
            throw .make(.missingFromPath, frameOffset + s,
                        "second header must be From-Path, found '\(MSRPParseError.excerpt(base + s, colon - s))'")
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
                throw .make(.invalidMessageID, frameOffset + v,
                            "Message-ID must be an ident of 4 to 32 characters, found '\(MSRPParseError.excerpt(base + v, ve - v))'")
            }
            layout.messageID = value
        case .byteRange:
            switch ByteRange.parse(base + v, ve - v) {
            case .success(let r):
                layout.rangeStart = r.start
                layout.rangeEnd = r.end ?? -1
                layout.rangeTotal = r.total ?? -1
            case .failure(let problem):
                throw .make(.invalidByteRange, frameOffset + v,
                            "\(problem.reason): '\(MSRPParseError.excerpt(base + v, ve - v))'")
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
                throw .make(.invalidHeaderValue, frameOffset + v,
                            "Success-Report must be yes or no, found '\(MSRPParseError.excerpt(base + v, ve - v))'")
            }
        case .failureReport:
            if ASCII.equalsCaseInsensitive(base + v, ve - v, "yes") {
                layout.failureReport = 1 + FailureReport.yes.rawValue
            } else if ASCII.equalsCaseInsensitive(base + v, ve - v, "no") {
                layout.failureReport = 1 + FailureReport.no.rawValue
            } else if ASCII.equalsCaseInsensitive(base + v, ve - v, "partial") {
                layout.failureReport = 1 + FailureReport.partial.rawValue
            } else {
                throw .make(.invalidHeaderValue, frameOffset + v,
                            "Failure-Report must be yes, no or partial, found '\(MSRPParseError.excerpt(base + v, ve - v))'")
            }
        case .status:
            // Status = namespace SP status-code [SP text-reason], both 3 digits.
            let n = ve - v
            guard n >= 7, ASCII.parseDecimal(base + v, 3) != nil,
                base.load(fromByteOffset: v + 3, as: UInt8.self) == ASCII.space,
                ASCII.parseDecimal(base + v + 4, 3) != nil,
                n == 7 || base.load(fromByteOffset: v + 7, as: UInt8.self) == ASCII.space
            else {
                throw .make(.invalidHeaderValue, frameOffset + v,
                            "Status must be 'namespace code [reason]' with 3-digit numbers, found '\(MSRPParseError.excerpt(base + v, n))'")
            }
            layout.status = value
        case .other:
            break
        }
    }

    /// Validates `MSRP-URI *( SP MSRP-URI )` and returns the first URI's session-id.
    @inlinable
    func validatePath(
        _ base: UnsafeRawPointer, _ v: Int, _ ve: Int, _ frameOffset: Int, _ name: StaticString,
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
        _ base: UnsafeRawPointer, _ v: Int, _ ve: Int, _ frameOffset: Int, _ name: StaticString
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
                throw .make(.malformedURI, frameOffset + s,
                            "\(name): \(error.reason): '\(MSRPParseError.excerpt(base + s, e - s))'")
            }
            if e == ve { return first }
            s = e + 1
        }
    }
}

/// A path value that passed validation, and where its first session-id is (relative to the
/// value). Bounded: values over 512 bytes are not cached.
@usableFromInline
struct ValidatedPath {
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var session = FieldRange.absent
    /// Where `bytes` keeps its elements, for ``prefetch()`` (a hint only: prefetching an
    /// address that is no longer valid does no harm).
    @usableFromInline var hint: UnsafeRawPointer? = nil

    @inlinable init() {}

    @inlinable
    func lookup(_ p: UnsafeRawPointer, _ n: Int) -> FieldRange? {
        guard n == bytes.count, n > 0 else { return nil }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, p, n) == 0 } ? session : nil
    }

    /// Asks the CPU to load the cached bytes (their own heap buffer), so that a parser of a
    /// connection that is about to be read does not wait for them.
    @inlinable @inline(__always)
    func prefetch() {
        // Through the copy of the address: reading it from the array would touch the buffer.
        // The array's header (its count, 16 bytes in) sits 32 bytes before the elements.
        guard let hint else { return }
        msrpcharge_prefetch_write(hint - 16)
        msrpcharge_prefetch_write(hint + 47)
    }

    @inlinable
    mutating func store(_ p: UnsafeRawPointer, _ n: Int, session: FieldRange) {
        bytes.removeAll(keepingCapacity: true)
        guard n <= 512 else { return }
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        self.session = session
        hint = bytes.withUnsafeBytes { $0.baseAddress }
    }
}
