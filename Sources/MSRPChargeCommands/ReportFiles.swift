import ArgumentParser
import Foundation
import Histogram

/// The files a report is also written as, the same for `bench`, `load` and `merge`.
enum ReportFiles {
    /// HdrHistogram percentile distributions (`.hgrm`, microseconds), one file per histogram
    /// of nanoseconds, as wrk2 users feed them to HdrHistogram's plotter.
    static func writeHgrm(_ histograms: [(String, Histogram<UInt64>)], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create --hgrm directory '\(directory)': \(error.localizedDescription)")
        }
        for (name, h) in histograms {
            var text = ""
            h.outputPercentileDistribution(to: &text, outputValueUnitScalingRatio: 1000)
            let path = directory + "/" + name + ".hgrm"
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw CLIError("cannot write '\(path)'")
            }
        }
    }
}

/// `--metrics` and `--metrics-hold`, the same on `bench` and `load`.
struct MetricsOptions: ParsableArguments {
    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics) while the run goes, labelled by partition.")
    var metrics: String?

    @Option(help: "Seconds /metrics keeps answering after the run, so that the last scrape sees the final figures.")
    var metricsHold = 15.0

    func validate() throws {
        if let metrics { _ = try Serve.hostPort("--metrics", metrics) }
        guard metricsHold >= 0, metricsHold.isFinite else {
            throw ValidationError("--metrics-hold must be a number of seconds from 0, got \(metricsHold)")
        }
    }
}
