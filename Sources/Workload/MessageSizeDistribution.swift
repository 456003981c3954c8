/// How big the messages of the generated traffic are (body bytes of the whole message).
public enum MessageSizeDistribution: Sendable, Equatable, CustomStringConvertible {
    /// Every message has this many bytes.
    case fixed(Int)
    /// Uniform over `lower...upper`.
    case uniform(Int, Int)
    /// One of the sizes, drawn with probability proportional to its weight.
    case weighted([WeightedSize])

    public struct WeightedSize: Sendable, Equatable {
        public var size: Int
        public var weight: Double
        public init(size: Int, weight: Double) {
            self.size = size
            self.weight = weight
        }
    }

    /// Parses `100` (fixed), `50-500` (uniform), or `100:7,4096:1` (sizes with weights).
    public init(parsing text: String) throws(WorkloadError) {
        func int(_ s: Substring) throws(WorkloadError) -> Int {
            guard let v = Int(s.trimmingSpaces), v >= 1 else {
                throw WorkloadError("message size '\(s)' in '\(text)' is not a whole number of bytes of at least 1")
            }
            return v
        }
        if text.contains(":") {
            var list: [WeightedSize] = []
            for item in text.split(separator: ",") {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let w = Double(parts[1].trimmingSpaces), w > 0, w.isFinite else {
                    throw WorkloadError("'\(item)' in '\(text)' is not SIZE:WEIGHT with a positive weight")
                }
                list.append(WeightedSize(size: try int(parts[0]), weight: w))
            }
            guard !list.isEmpty else { throw WorkloadError("no sizes in '\(text)'") }
            self = .weighted(list)
        } else if let dash = text.firstIndex(of: "-") {
            let lo = try int(text[..<dash])
            let hi = try int(text[text.index(after: dash)...])
            guard lo <= hi else {
                throw WorkloadError("size range '\(text)' is inverted: \(lo) is more than \(hi)")
            }
            self = .uniform(lo, hi)
        } else {
            self = .fixed(try int(text[...]))
        }
    }

    /// The size for a uniform draw `u` in [0, 1).
    public func sample(_ u: Double) -> Int {
        switch self {
        case .fixed(let n):
            return n
        case .uniform(let lo, let hi):
            return lo + min(hi - lo, Int(u * Double(hi - lo + 1)))
        case .weighted(let list):
            let total = list.reduce(0) { $0 + $1.weight }
            var x = u * total
            for item in list {
                if x < item.weight { return item.size }
                x -= item.weight
            }
            return list[list.count - 1].size
        }
    }

    /// The mean message size.
    public var mean: Double {
        switch self {
        case .fixed(let n): return Double(n)
        case .uniform(let lo, let hi): return (Double(lo) + Double(hi)) / 2
        case .weighted(let list):
            let total = list.reduce(0) { $0 + $1.weight }
            return list.reduce(0) { $0 + Double($1.size) * $1.weight } / total
        }
    }

    /// The largest size it can draw.
    public var largest: Int {
        switch self {
        case .fixed(let n): return n
        case .uniform(_, let hi): return hi
        case .weighted(let list): return list.map(\.size).max() ?? 0
        }
    }

    public var description: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .uniform(let lo, let hi): return "\(lo)-\(hi)"
        case .weighted(let list): return list.map { "\($0.size):\(formatNumber($0.weight))" }.joined(separator: ",")
        }
    }
}

/// A number as a user would write it back: `3` for a whole number, `0.25` otherwise.
public func formatNumber(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

/// A workload or command-line value that cannot be used, with the offending value in the text.
public struct WorkloadError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
