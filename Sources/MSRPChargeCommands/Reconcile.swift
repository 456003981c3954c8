import ArgumentParser
import Foundation
import LoadEngine
import LoadGenerator
import RunReport
import Workload

/// `msrpcharge reconcile BENCH.json LEDGER…`: per session, do the enablers' records hold
/// exactly the usage the bench accepted?
public struct Reconcile: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Check, session by session, that the enablers charged exactly the usage a bench accepted.",
        discussion: """
            BENCH.json is a bench report written with --json and --json-sessions. Each LEDGER is an \
            enabler's --journal (one line per record) or its --ledger JSON (per-session \
            totals, added as they are). A record in several journals counts once when every \
            copy but one came with the T flag (a retransmission after a failover, which the \
            billing domain de-duplicates); a record twice in one journal, or in two without the \
            T flag, is a double charge and fails, naming the session and record number. CH-1 \
            messages on Rf count completed and aborted messages together. Exit status 1 when a \
            session differs or a record was charged twice.
            Example: msrpcharge reconcile bench.json enabler-a.journal enabler-b.journal
            """
    )

    @Argument(
        help: "The bench report (--json with --json-sessions), or a load report (load --json with --json-sessions)."
    )
    var bench: String

    @Option(help: "With a load report: the charging mode the server ran with (offline, online or both).")
    var mode: String?

    @Option(help: "With a load report: the server's CH-2 unit (bytes or messages).")
    var unit = "bytes"

    @Argument(help: "Enabler journals (--journal) or ledgers (--ledger).")
    var ledgers: [String]

    public init() {}

    public func run() throws {
        guard let data = FileManager.default.contents(atPath: bench) else { throw CLIError("cannot read '\(bench)'") }
        let sessions: [SessionUsage]
        let chargingMode: String
        let chargingUnit: String
        if let report = try? JSONDecoder().decode(BenchReport.self, from: data) {
            guard let s = report.sessions else {
                throw CLIError("the bench report has no sessions: run bench with --json and --json-sessions")
            }
            sessions = s
            chargingMode = mode ?? report.workload.chargingMode
            chargingUnit = report.workload.chargingUnit ?? "bytes"
        } else if let load = try? JSONDecoder().decode(SavedLoadReport.self, from: data) {
            guard let s = load.sessionUsage else {
                throw CLIError("the load report has no sessions: run load with --json and --json-sessions")
            }
            guard let mode, ["offline", "online", "both"].contains(mode) else {
                throw CLIError("a load report does not say how the server charged: give --mode offline, online or both")
            }
            sessions = s
            chargingMode = mode
            chargingUnit = unit
        } else {
            throw CLIError("'\(bench)' is neither a bench report nor a load report")
        }
        var sources: [Reconciliation.Source] = []
        for path in ledgers {
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read '\(path)'") }
            if data.first == UInt8(ascii: "{") {
                do {
                    sources.append(.ledger(try JSONDecoder().decode(EnablerLedgerFile.self, from: data)))
                } catch {
                    throw CLIError("'\(path)' is not an enabler ledger: \(error)")
                }
            } else {
                sources.append(.journal(path, String(decoding: data, as: UTF8.self)))
            }
        }
        let result: Reconciliation.Result
        do throws(ReconciliationError) {
            result = try Reconciliation.run(sessions, mode: chargingMode, unit: chargingUnit, sources)
        } catch {
            throw CLIError("reconcile: \(error)")
        }
        print(result.summary)
        for line in result.differences.prefix(20) { print("  " + line) }
        if result.differences.count > 20 { print("  … \(result.differences.count - 20) more") }
        if !result.ok { throw ExitCode(1) }
    }
}
