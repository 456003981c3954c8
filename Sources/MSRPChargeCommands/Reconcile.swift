import ArgumentParser
import Foundation
import LoadEngine

/// `msrpcharge reconcile BENCH.json LEDGER…`: per session, do the enablers' records hold
/// exactly the usage the bench accepted?
public struct Reconcile: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Check, session by session, that the enablers charged exactly the usage a bench accepted.",
        discussion: """
            BENCH.json is a bench report written with --json and --json-sessions. Each LEDGER is an \
            enabler's --journal (one line per record: records seen in several journals, a \
            retransmission after a failover, count once) or its --ledger JSON (per-session \
            totals, added as they are). CH-1 messages on Rf count completed and aborted \
            messages together. Exit status 1 when a session differs.
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
        let sessions: [BenchReport.SessionUsage]
        let chargingMode: String
        let chargingUnit: String
        if let report = try? JSONDecoder().decode(BenchReport.self, from: data) {
            guard let s = report.sessions else {
                throw CLIError("the bench report has no sessions: run bench with --json and --json-sessions")
            }
            sessions = s
            chargingMode = mode ?? report.workload.chargingMode
            chargingUnit = report.workload.chargingUnit ?? "bytes"
        } else if let load = try? JSONDecoder().decode(LoadReportText.JSON.self, from: data) {
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

    struct Charged: Equatable {
        var offlineMessages: UInt64 = 0
        var offlineBytes: UInt64 = 0
        var onlineUnits: UInt64 = 0
    }

    struct Result {
        var ok: Bool
        var summary: String
        var differences: [String]
    }

    struct RecordKey: Hashable {
        var offline: Bool
        var session: Substring
        var number: UInt32
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
        _ sessions: [BenchReport.SessionUsage],
        mode: String,
        unit: String,
        _ sources: [Source]
    ) throws -> Result {
        var charged: [String: Charged] = [:]
        var records: [RecordKey: (UInt64, UInt64)] = [:]
        var repeated = 0
        var conflicts: [String] = []
        for source in sources {
            switch source {
            case .journal(let path, let text):
                for (i, line) in text.split(separator: "\n").enumerated() {
                    let f = line.split(separator: " ")
                    guard f.count >= 4, f[0] == "O" || f[0] == "C", let number = UInt32(f[2]), let a = UInt64(f[3]),
                        f[0] == "C" || (f.count == 5 && UInt64(f[4]) != nil)
                    else {
                        throw CLIError("\(path):\(i + 1): not a journal line: '\(line)'")
                    }
                    let offline = f[0] == "O"
                    let b = offline ? UInt64(f[4])! : 0
                    let key = RecordKey(offline: offline, session: f[1], number: number)
                    if let seen = records[key] {
                        repeated += 1
                        if seen != (a, b) {
                            conflicts.append(
                                "\(path):\(i + 1): record \(number) of \(f[1]) differs from an earlier journal's"
                            )
                        }
                        continue
                    }
                    records[key] = (a, b)
                    var c = charged[String(f[1]), default: Charged()]
                    if offline {
                        c.offlineMessages &+= a
                        c.offlineBytes &+= b
                    } else {
                        c.onlineUnits &+= a
                    }
                    charged[String(f[1])] = c
                }
            case .ledger(let file):
                for s in file.sessions {
                    var c = charged[s.session, default: Charged()]
                    c.offlineMessages &+= s.offlineMessages
                    c.offlineBytes &+= s.offlineBytes
                    c.onlineUnits &+= s.onlineUnits
                    charged[s.session] = c
                }
            }
        }
        let offline = mode == "offline" || mode == "both"
        let online = mode == "online" || mode == "both"
        let messagesUnit = unit == "messages"
        var differences = conflicts
        var accepted = Charged()
        for s in sessions {
            var want = Charged()
            if offline {
                want.offlineMessages = s.messages + s.abortedMessages
                want.offlineBytes = s.bytes
            }
            if online { want.onlineUnits = messagesUnit ? s.messages + s.abortedMessages : s.bytes }
            accepted.offlineMessages += want.offlineMessages
            accepted.offlineBytes += want.offlineBytes
            accepted.onlineUnits += want.onlineUnits
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
        let summary =
            "reconcile: \(ok ? "OK" : "FAILED"): \(sessions.count) sessions, accepted CH-1 \(accepted.offlineMessages) messages / \(accepted.offlineBytes) bytes, CH-2 \(accepted.onlineUnits) units; "
            + "\(records.count) journal records (\(repeated) seen in more than one journal, counted once); \(differences.count) differences"
        return Result(ok: ok, summary: summary, differences: differences)
    }
}
