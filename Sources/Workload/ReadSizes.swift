import MSRP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How many bytes one read of a connection takes (`--read-size`). A socket delivers what has
/// arrived, cut wherever TCP segments and the reader's buffer cut it: within a header, within
/// a body, across several queued messages. The parser's partial-frame path (its tail) runs on
/// every such cut.
public enum ReadSizes: Sendable, Equatable, CustomStringConvertible {
    /// Every read takes this many bytes (or what is there).
    case fixed(Int)
    /// Uniform over `lower...upper`.
    case uniform(Int, Int)
    /// Exponential with this mean (at least 1 byte): many small reads, a few large ones.
    case exponential(mean: Int)
    /// One whole message per read, never more: every read starts at a message's first byte
    /// (the engine's behaviour before reads were cut, kept for comparison).
    case message

    /// The largest read a connection is given at once (a server's read buffer).
    public static let largest = 1 << 20

    /// Parses `N`, `LO-HI`, `exp:MEAN` (bytes) or `message`.
    public init(parsing text: String) throws(WorkloadError) {
        func int(_ s: Substring) throws(WorkloadError) -> Int {
            guard let v = Int(s), v >= 1, v <= Self.largest else {
                throw WorkloadError(
                    "--read-size: '\(s)' in '\(text)' is not a whole number of bytes from 1 to \(Self.largest)"
                )
            }
            return v
        }
        if text == "message" {
            self = .message
        } else if text.hasPrefix("exp:") {
            self = .exponential(mean: try int(text.dropFirst(4)))
        } else if let dash = text.firstIndex(of: "-") {
            let lo = try int(text[..<dash])
            let hi = try int(text[text.index(after: dash)...])
            guard lo <= hi else {
                throw WorkloadError("--read-size range '\(text)' is inverted: \(lo) is more than \(hi)")
            }
            self = .uniform(lo, hi)
        } else {
            self = .fixed(try int(text[...]))
        }
    }

    public var description: String {
        switch self {
        case .fixed(let n): "\(n)"
        case .uniform(let lo, let hi): "\(lo)-\(hi)"
        case .exponential(let mean): "exp:\(mean)"
        case .message: "message"
        }
    }

    /// The most bytes one read may take (0 for ``message``: the message's length).
    public var largestRead: Int {
        switch self {
        case .fixed(let n): n
        case .uniform(_, let hi): hi
        case .exponential: Self.largest
        case .message: 0
        }
    }

    public func validate() throws(WorkloadError) {
        switch self {
        case .fixed(let n):
            guard n >= 1, n <= Self.largest else {
                throw WorkloadError("--read-size must be from 1 to \(Self.largest) bytes, got \(n)")
            }
        case .uniform(let lo, let hi):
            guard lo >= 1, lo <= hi, hi <= Self.largest else {
                throw WorkloadError(
                    "--read-size range must lie in 1-\(Self.largest) and not be inverted, got \(lo)-\(hi)"
                )
            }
        case .exponential(let mean):
            guard mean >= 1, mean <= Self.largest else {
                throw WorkloadError("--read-size mean must be from 1 to \(Self.largest) bytes, got \(mean)")
            }
        case .message:
            break
        }
    }

    /// A read's size for the random bits `bits` (`Int.max` for ``message``: the caller stops
    /// at the message's end).
    /// Inlinable: the engine draws one per read, on its timed path.
    @inlinable @inline(__always)
    public func sample(_ bits: UInt64) -> Int {
        switch self {
        case .fixed(let n):
            return n
        case .uniform(let lo, let hi):
            return lo + Int(((bits >> 32) &* UInt64(hi - lo + 1)) >> 32)
        case .exponential(let mean):
            let u = Double(bits >> 11) * 0x1p-53
            return min(Self.largest, 1 + Int(-Double(mean) * log(1 - u)))
        case .message:
            return Int.max
        }
    }
}
