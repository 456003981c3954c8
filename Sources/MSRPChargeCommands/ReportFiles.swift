import ArgumentParser
import Foundation
import Histogram
import LoadEngine
import LoadGenerator
import RunReport

/// The files a report is also written as, the same for `bench`, `load` and `merge`.
enum ReportFiles {
    /// `value` as pretty JSON with sorted keys, to `path` ('-': standard output).
    static func writeJSON(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(value)
        if path == "-" {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else if !FileManager.default.createFile(atPath: path, contents: data) {
            throw CLIError("cannot write '\(path)'")
        }
    }

    /// `text` to the file `path`, which an option (`--interval-csv`) named.
    static func write(_ text: String, to path: String, option: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw CLIError("cannot write \(option) '\(path)'")
        }
    }

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

/// A report read back from its JSON: `bench --json` or `load --json` (or `merge --json` of
/// either), told apart by their fields. `report` and `merge` read them the same way.
enum SavedReport {
    case bench(BenchReport)
    case load(SavedLoadReport)

    /// Reads `path`; every error names `command` and the file.
    static func read(_ path: String, for command: String) throws -> SavedReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("\(command): cannot read '\(path)'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIError("\(command): '\(path)' is not a JSON object")
        }
        let decoder = JSONDecoder()
        do {
            if object["kind"] as? String == "load" || object["chunksSent"] != nil {
                return .load(try decoder.decode(SavedLoadReport.self, from: data))
            }
            if object["throughput"] != nil { return .bench(try decoder.decode(BenchReport.self, from: data)) }
        } catch {
            throw CLIError("\(command): '\(path)' is not a report msrpcharge can read: \(error)")
        }
        throw CLIError(
            "\(command): '\(path)' is neither a bench report (--json of bench) nor a load report (--json of load)"
        )
    }
}
