/// The `Byte-Range` header (RFC 4975 §7.1.1 and §9): `range-start "-" range-end "/" total`,
/// where the end and the total may be `*` (unknown). An empty body is `1-0/0`.
public struct ByteRange: Hashable, Sendable {
    /// First byte of this chunk in the message, counting from 1.
    public var start: Int
    /// Last byte of this chunk, or nil for `*`.
    public var end: Int?
    /// Size of the whole message, or nil for `*`.
    public var total: Int?

    public init(start: Int, end: Int?, total: Int?) {
        self.start = start
        self.end = end
        self.total = total
    }

    /// Parses the header value. Rules (RFC 4975 §9 and §7.1.1): numbers of at most 18 digits,
    /// start at least 1, the end not before `start - 1` (`start - 1` is an empty chunk), the end not
    /// beyond the total. Returns the reason on failure.
    @inlinable
    static func parse(_ p: UnsafeRawPointer, _ count: Int) -> Result<ByteRange, ByteRangeProblem> {
        // One pass: start "-", end or "*", "/", total or "*", then the value's end.
        var i = 0
        guard let start = ASCII.scanDecimal(p, &i, count), i < count,
            p.load(fromByteOffset: i, as: UInt8.self) == ASCII.dash
        else { return .failure(.shape) }
        i &+= 1
        let end = starOrNumber(p, &i, count)
        guard end.valid, i < count, p.load(fromByteOffset: i, as: UInt8.self) == ASCII.slash else {
            return .failure(.shape)
        }
        i &+= 1
        let total = starOrNumber(p, &i, count)
        guard total.valid, i == count else { return .failure(.shape) }
        guard start >= 1 else { return .failure(.startZero) }
        if let end = end.value {
            guard end >= start - 1 else { return .failure(.endBeforeStart) }
            if let total = total.value, end > total { return .failure(.endBeyondTotal) }
        }
        return .success(ByteRange(start: start, end: end.value, total: total.value))
    }

    /// `*` (value nil) or a decimal; `valid` is false when there is neither.
    @inlinable @inline(__always)
    static func starOrNumber(_ p: UnsafeRawPointer, _ i: inout Int, _ count: Int) -> (valid: Bool, value: Int?) {
        if i < count, p.load(fromByteOffset: i, as: UInt8.self) == 0x2A {
            i &+= 1
            return (true, nil)
        }
        guard let v = ASCII.scanDecimal(p, &i, count) else { return (false, nil) }
        return (true, v)
    }

    /// Number of body bytes the range announces, when the end is known.
    public var announcedLength: Int? { end.map { $0 - start + 1 } }
}

@usableFromInline
enum ByteRangeProblem: Error {
    case shape, startZero, endBeforeStart, endBeyondTotal

    @usableFromInline var reason: String {
        switch self {
        case .shape: return "Byte-Range must be start-end/total with numbers or *"
        case .startZero: return "Byte-Range start must be at least 1"
        case .endBeforeStart: return "Byte-Range end is before its start"
        case .endBeyondTotal: return "Byte-Range end is beyond its total"
        }
    }
}

extension ByteRange: CustomStringConvertible {
    public var description: String {
        "\(start)-\(end.map(String.init) ?? "*")/\(total.map(String.init) ?? "*")"
    }
}
