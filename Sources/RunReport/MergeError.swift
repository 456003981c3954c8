import Histogram
import HistogramCodec
import Workload

/// Why reports cannot be merged.
public struct MergeError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Which partitions a set of reports covers, checked: the same count, no index twice, none
/// missing, and a whole run never beside another.
public enum PartitionCover {
    /// `partitions[i]` is report `names[i]`'s (nil: the whole run).
    public static func check(_ partitions: [Partition?], names: [String]) throws(MergeError) {
        guard partitions.count >= 2 else {
            throw MergeError("merge needs at least two reports, got \(partitions.count)")
        }
        if let whole = partitions.firstIndex(where: { $0 == nil }) {
            throw MergeError(
                "\(names[whole]) is a whole run (no --partition): it overlaps every other report; merge partitions of one run"
            )
        }
        let parts = partitions.map { $0! }
        let n = parts[0].count
        if let other = parts.firstIndex(where: { $0.count != n }) {
            throw MergeError(
                "\(names[0]) is a partition of \(n), \(names[other]) of \(parts[other].count): not the same run"
            )
        }
        var seen: [Int: String] = [:]
        for (p, name) in zip(parts, names) {
            if let first = seen[p.index] {
                throw MergeError("overlapping partitions: \(p) is in both \(first) and \(name)")
            }
            seen[p.index] = name
        }
        let missing = (0..<n).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw MergeError(
                "partition\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(n)" }.joined(separator: ", ")) missing: the merged report would not be the run's"
            )
        }
    }
}

extension MergeError {
    /// A report's histogram decoded for merging; refused, naming the report and the figure,
    /// when the report has none (written by an older msrpcharge) or it does not decode.
    public static func histogram(
        _ e: EncodedHistogram?,
        _ what: String,
        _ name: String
    ) throws(MergeError) -> Histogram<UInt64> {
        guard let e else {
            throw MergeError(
                "\(name) has no \(what) histogram (written by an older msrpcharge?): merging needs every one"
            )
        }
        do throws(HistogramDecodingError) { return try e.histogram() } catch {
            throw MergeError("\(name): \(what): \(error)")
        }
    }
}
