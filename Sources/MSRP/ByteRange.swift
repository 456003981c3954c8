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
        guard let dash = ASCII.find(ASCII.dash, in: p, from: 0, to: count),
            let slash = ASCII.find(ASCII.slash, in: p, from: dash + 1, to: count)
        else { return .failure(.shape) }
        guard let start = ASCII.parseDecimal(p, dash) else { return .failure(.shape) }
        let endCount = slash - dash - 1
        let end: Int?
        if endCount == 1 && p.load(fromByteOffset: dash + 1, as: UInt8.self) == 0x2A {
            end = nil
        } else {
            guard let e = ASCII.parseDecimal(p + dash + 1, endCount) else { return .failure(.shape) }
            end = e
        }
        let totalCount = count - slash - 1
        let total: Int?
        if totalCount == 1 && p.load(fromByteOffset: slash + 1, as: UInt8.self) == 0x2A {
            total = nil
        } else {
            guard let t = ASCII.parseDecimal(p + slash + 1, totalCount) else { return .failure(.shape) }
            total = t
        }
        guard start >= 1 else { return .failure(.startZero) }
        if let end {
            guard end >= start - 1 else { return .failure(.endBeforeStart) }
            if let total, end > total { return .failure(.endBeyondTotal) }
        }
        return .success(ByteRange(start: start, end: end, total: total))
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
