/// One of N generators that make one run together (`--partition I/N`): the run is described
/// whole (its sessions, its seed, its workers per generator), and partition I takes its own
/// part of it: its own sessions, ids, AORs and random streams, so that N generators on N hosts
/// make exactly the traffic of the one big run, with no overlap, reproducibly. Their reports
/// merge into that run's (`msrpcharge merge`).
public struct Partition: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// The whole run: one generator.
    public static let whole = Partition(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `I/N`, with 0 ≤ I < N.
    public init(parsing text: String) throws(WorkloadError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw WorkloadError("--partition must be I/N (partition I of N, from 0), got '\(text)'")
        }
        guard n >= 1, n <= 10_000, i >= 0, i < n else {
            throw WorkloadError("--partition \(text): I must be from 0 to N-1 and N from 1 to 10000")
        }
        self.init(index: i, count: n)
    }

    /// A Kubernetes Indexed Job's pod: its index from `JOB_COMPLETION_INDEX` (the environment
    /// the Job gives each pod), `count` from the command line.
    public init(count: Int, environment: [String: String]) throws(WorkloadError) {
        guard let text = environment["JOB_COMPLETION_INDEX"] else {
            throw WorkloadError(
                "--partition-count \(count) needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job) or --partition I/\(count)"
            )
        }
        guard let i = Int(text) else { throw WorkloadError("JOB_COMPLETION_INDEX must be a number, got '\(text)'") }
        try self.init(parsing: "\(i)/\(count)")
    }

    public var description: String { "\(index)/\(count)" }

    public var isWhole: Bool { count == 1 }

    /// This partition's part of `0..<total`: contiguous, the parts differing by at most one.
    public func range(of total: Int) -> Range<Int> {
        let base = total / count
        let extra = total % count
        let lower = index * base + min(index, extra)
        return lower..<(lower + base + (index < extra ? 1 : 0))
    }
}
