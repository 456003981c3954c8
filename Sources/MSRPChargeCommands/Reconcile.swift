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
                    sources.append(.ledger(try JSONDecoder().decode(LedgerFile.File.self, from: data)))
                } catch {
                    throw CLIError("'\(path)' is not an enabler ledger: \(error)")
                }
            } else {
                sources.append(.journal(path, String(decoding: data, as: UTF8.self)))
            }
        }
        let result = try Reconciliation.run(sessions, mode: chargingMode, unit: chargingUnit, sources)
        print(result.summary)
        for line in result.differences.prefix(20) { print("  " + line) }
        if result.differences.count > 20 { print("  … \(result.differences.count - 20) more") }
        if !result.ok { throw ExitCode(1) }
    }
}

/// The comparison `reconcile` makes, apart from files.
enum Reconciliation {
    enum Source {
        case journal(String, String)
        case ledger(LedgerFile.File)
    }

    typealias Charged = JournalRecords.Charged

    struct Result {
        var ok: Bool
        /// What was compared and found, without the verdict (bench's conservation line uses it).
        var figures: String
        var differences: [String]

        var summary: String { "reconcile: \(ok ? "OK" : "FAILED"): " + figures }
    }

    static func run(_ report: BenchReport, _ sources: [Source]) throws -> Result {
        guard let sessions = report.sessions else {
            throw CLIError("the bench report has no sessions: run bench with --json and --json-sessions")
        }
        return try run(
            sessions,
            mode: report.workload.chargingMode,
            unit: report.workload.chargingUnit ?? "bytes",
            sources
        )
    }

    /// What each session's usage should have been charged, against what the sources charged.
    static func run(
        _ sessions: [SessionUsage],
        mode: String,
        unit: String,
        _ sources: [Source]
    ) throws -> Result {
        var journals = JournalRecords()
        var charged: [String: Charged] = [:]
        for source in sources {
            switch source {
            case .journal(let path, let text):
                try journals.add(path: path, text: text)
            case .ledger(let file):
                for s in file.sessions {
                    charged[s.session, default: Charged()] += Charged(
                        offlineMessages: s.offlineMessages,
                        offlineBytes: s.offlineBytes,
                        onlineUnits: s.onlineUnits
                    )
                }
            }
        }
        let offline = mode == "offline" || mode == "both"
        let online = mode == "online" || mode == "both"
        let messagesUnit = unit == "messages"
        for (i, name) in journals.sessionNames.enumerated() { charged[name, default: Charged()] += journals.charged[i] }
        var differences = journals.problems
        var accepted = Charged()
        for s in sessions {
            var want = Charged()
            if offline {
                want.offlineMessages = s.messages + s.abortedMessages
                want.offlineBytes = s.bytes
            }
            if online { want.onlineUnits = messagesUnit ? s.messages + s.abortedMessages : s.bytes }
            accepted += want
            let got = charged.removeValue(forKey: s.session) ?? Charged()
            if got != want {
                differences.append(
                    "session \(s.session): charged CH-1 \(got.offlineMessages) messages / \(got.offlineBytes) bytes, CH-2 \(got.onlineUnits) units; accepted CH-1 \(want.offlineMessages) / \(want.offlineBytes), CH-2 \(want.onlineUnits)"
                )
            }
        }
        for (session, c) in charged.sorted(by: { $0.key < $1.key }) where c != Charged() {
            differences.append("session \(session) was charged but the report has no such session")
        }
        let ok = differences.isEmpty
        let figures =
            "\(sessions.count) sessions, accepted CH-1 \(accepted.offlineMessages) messages / \(accepted.offlineBytes) bytes, CH-2 \(accepted.onlineUnits) units; "
            + "\(journals.count) journal records (\(journals.repeated) seen again, \(journals.repeated - journals.doubleCharges) of them retransmissions counted once, \(journals.doubleCharges) double charges); \(differences.count) differences"
        return Result(ok: ok, figures: figures, differences: differences)
    }
}
