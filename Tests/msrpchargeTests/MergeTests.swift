import ArgumentParser
import Foundation
import Histogram
import LoadEngine
import RunReport
import Testing

@testable import MSRPChargeCommands
import Workload

/// `--partition I/N` and `msrpcharge merge`: N partitions make exactly the traffic of the one
/// run, and their reports, through JSON and back, merge into that run's counts and into the
/// very percentiles of their histograms merged in memory.
@Suite("partitions and merge")
struct MergeTests {
    /// The run: 600 sessions, a fixed amount of traffic (so counts do not depend on timing),
    /// every message charged (CH-1 interims depend on traffic only), chunked and aborted.
    static func model(workers: Int, partition: Partition = .whole) -> WorkloadModel {
        var m = WorkloadModel()
        m.sessions = 600
        m.totalChunks = 30_000
        m.workers = workers
        m.seed = 5
        m.messageSizes = try! MessageSizeDistribution(parsing: "1-3000")
        m.multiChunkShare = 0.3
        m.abortedShare = 0.05
        m.charging.mode = .offline
        m.charging.defaultInterimInterval = 0
        m.enabler.interimInterval = nil
        m.templateBytes = 4 << 20
        m.partition = partition
        return m
    }

    /// Through the file form: encoded as `bench --json` writes it, decoded as `merge` reads it.
    static func roundTrip(_ r: BenchReport) throws -> BenchReport {
        try JSONDecoder().decode(BenchReport.self, from: JSONEncoder().encode(r))
    }

    @Test func partitionsMergeIntoTheOneRunLosingNothing() throws {
        let whole = BenchReport(try LoadRun.run(Self.model(workers: 6)))
        let runs = try (0..<3).map {
            try LoadRun.run(Self.model(workers: 2, partition: Partition(index: $0, count: 3)))
        }
        let parts = try runs.map { try Self.roundTrip(BenchReport($0)) }
        #expect(parts.map(\.workload.partition) == ["0/3", "1/3", "2/3"])
        #expect(parts.map { $0.setUp.sessions } == [200, 200, 200])
        let merged = try BenchReport.merged(parts, names: ["p0", "p1", "p2"])

        // The one run's counts.
        #expect(merged.throughput.chunks == whole.throughput.chunks)
        #expect(merged.throughput.messages == whole.throughput.messages)
        #expect(merged.throughput.abortedMessages == whole.throughput.abortedMessages)
        #expect(merged.throughput.bodyBytes == whole.throughput.bodyBytes)
        #expect(merged.throughput.wireBytes == whole.throughput.wireBytes)
        #expect(merged.charging.requests == whole.charging.requests)
        #expect(merged.charging.requests["ch1-interim"] == merged.throughput.messages)
        #expect(merged.charging.ledgerOfflineBytes == whole.charging.ledgerOfflineBytes)
        #expect(merged.responses.ok200 == whole.responses.ok200)
        #expect(merged.modelCheck.generated == whole.modelCheck.generated && merged.modelCheck.ok)
        #expect(merged.conservation.ok && merged.conservation.sessionsChecked == 600)
        #expect(merged.setUp.sessions == 600 && merged.workload.partition == nil)
        #expect(merged.workload.workers == 2, "workers per partition, as each was run")

        // Every percentile of every histogram is that of the partitions' histograms merged
        // in memory (the V2 encoding and the JSON lose nothing).
        var inMemory = runs[0].latency
        for r in runs.dropFirst() { inMemory.add(r.latency) }
        for (name, h) in inMemory.named {
            let l = try #require(merged.latency.first { $0.name == name })
            #expect(l.count == h.totalCount, "\(name)")
            let want = BenchReport.summary(name, h)
            #expect(l.p50 == want.p50 && l.p90 == want.p90 && l.p99 == want.p99, "\(name)")
            #expect(l.p999 == want.p999 && l.p9999 == want.p9999 && l.max == want.max, "\(name)")
            #expect(l.mean == want.mean && l.distribution == want.distribution, "\(name)")
        }
        // Second by second: the counts add up to the run's.
        #expect(merged.intervals.reduce(0) { $0 + ($1.chunks ?? 0) } <= merged.throughput.chunks)
    }

    @Test func overlappingMissingAndForeignReportsAreRefused() throws {
        let runs = try (0..<2).map { i in
            try Self.roundTrip(
                BenchReport(try LoadRun.run(Self.model(workers: 1, partition: Partition(index: i, count: 2))))
            )
        }
        func refusal(_ reports: [BenchReport], _ names: [String]) -> String {
            do {
                _ = try BenchReport.merged(reports, names: names)
                return "merged"
            } catch {
                return error.description
            }
        }
        #expect(
            refusal([runs[0], runs[0]], ["a.json", "b.json"])
                == "overlapping partitions: 0/2 is in both a.json and b.json"
        )
        let third = try Self.roundTrip(
            BenchReport(try LoadRun.run(Self.model(workers: 1, partition: Partition(index: 0, count: 3))))
        )
        #expect(refusal([runs[0], third], ["a.json", "c.json"]).contains("a.json is a partition of 2, c.json of 3"))
        let whole = try Self.roundTrip(BenchReport(try LoadRun.run(Self.model(workers: 2))))
        #expect(refusal([whole, runs[1]], ["w.json", "b.json"]).contains("w.json is a whole run"))
        var other = runs[1]
        other.workload.seed = 6
        #expect(
            refusal([runs[0], other], ["a.json", "b.json"]).contains(
                "b.json is another workload than a.json: seed 5 against 6"
            )
        )
        var old = runs[1]
        old.latency[0].histogram = nil
        #expect(refusal([runs[0], old], ["a.json", "b.json"]).contains("b.json has no chunk histogram"))
        // Missing: checked on the partitions alone.
        #expect(throws: MergeError.self) {
            try PartitionCover.check(
                [Partition(index: 0, count: 3), Partition(index: 2, count: 3)],
                names: ["a", "c"]
            )
        }
    }

    @Test func thePartitionComesFromTheOptionOrFromAnIndexedJob() throws {
        #expect(try Partition(parsing: "2/5") == Partition(index: 2, count: 5))
        #expect(throws: WorkloadError.self) { try Partition(parsing: "5/5") }
        #expect(throws: WorkloadError.self) { try Partition(parsing: "a/b") }
        #expect(try Partition(count: 4, environment: ["JOB_COMPLETION_INDEX": "3"]) == Partition(index: 3, count: 4))
        #expect {
            try Partition(count: 4, environment: [:])
        } throws: { error in
            "\(error)".contains("needs JOB_COMPLETION_INDEX")
        }
        // Ranges: contiguous, together every session once.
        let parts = (0..<7).map { Partition(index: $0, count: 7).range(of: 100) }
        #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == 100)
        #expect(zip(parts, parts.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(Set(parts.map(\.count)) == [14, 15])
        // The command: --partition-count takes the index from the environment it runs in.
        let options = try WorkloadOptions.parse(["--partition-count", "3"])
        #expect(
            try options.partitionChosen(environment: ["JOB_COMPLETION_INDEX": "1"]) == Partition(index: 1, count: 3)
        )
        let both = try WorkloadOptions.parse(["--partition", "1/2", "--partition-count", "3"])
        #expect(throws: WorkloadError.self) { try both.partitionChosen(environment: [:]) }
    }
}
