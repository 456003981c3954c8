import ArgumentParser
import Charging
import DiameterNIO
import Foundation
import LoadEngine
import Logging
import RunReport
import ServiceLifecycle
import Workload

/// `msrpcharge enabler`: the Charging Enabler as a Diameter server (an OFCS for ACR on Rf, an
/// OCS for CCR on Ro) with the embedded enabler's model, until SIGINT or SIGTERM.
public struct Enabler: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run the Charging Enabler as a Diameter server (ACR on Rf, CCR on Ro) until SIGINT or SIGTERM.",
        discussion: """
            Answers CER, DWR and DPR, and every ACR and CCR with the embedded enabler's model \
            (latency, grants, denials, requests never answered), keeping a ledger per MSRP \
            session (named by the Session-Id's last part), duplicates dropped. Malformed \
            requests get the Result-Code and Failed-AVP of RFC 6733 §7.
            Example: msrpcharge enabler --listen 127.0.0.1:3868 --enabler-latency 0 --ledger ledger.json
            """
    )

    @Option(help: "Address and port to listen on, HOST:PORT (port 0 picks one; the port is printed).")
    var listen = "127.0.0.1:3868"

    @OptionGroup(title: "Diameter identity")
    var diameterIdentity: DiameterIdentityOptions

    @OptionGroup(title: "Charging Enabler model")
    var model: EnablerModelOptions

    @Flag(
        help:
            "Send no Acct-Interim-Interval unless --enabler-interim-interval is given: clients keep their own interval (by default the enabler sends 10 s)."
    )
    var noInterimInterval = false

    @Option(help: "Seed of the model's choices.")
    var seed: UInt64 = 1

    @Option(help: "CH-2 units: bytes (CC-Total-Octets) or messages (CC-Service-Specific-Units).")
    var unit = ChargingUnit.bytes

    @Option(help: "Share of ACRs and CCRs answered DIAMETER_TOO_BUSY (3004), not charged: clients send them again.")
    var busyShare = 0.0

    @Option(help: "Share of ACRs answered DIAMETER_OUT_OF_SPACE (4002, a transient failure), not charged: clients send them again after Tx.")
    var transientShare = 0.0

    @Flag(
        name: .customLong("require-3gpp"),
        help:
            "Refuse what an operator's OCS/OFCS refuses (TS 32.299, RFC 4006 §9.1): another Service-Context-Id than 32260@3gpp.org (5004), no Subscription-Id (5030 in a CCR, 5005 in an ACR), an MSCC without Rating-Group (5031), no Service-Information with IMS-Information (5005); each with Failed-AVP."
    )
    var require3gpp = false

    @Flag(
        help:
            "Answer CCAs with what an operator's OCS adds: CC-Session-Failover and Cost-Information (RFC 4006, M bit) and a 3GPP Low-Balance-Indication (V and M bits)."
    )
    var operatorAvps = false

    @Option(help: "Event loop threads.")
    var threads = 1

    @Option(help: "Sessions the ledger is sized for (it grows past them).")
    var expectedSessions = 100_000

    @Option(help: "Write the ledger (per session and totals) as JSON to this file on exit.")
    var ledger: String?

    @Option(
        help:
            "Journal every record charged to this file before its answer leaves (one line each): survives the process being killed; msrpcharge reconcile reads it."
    )
    var journal: String?

    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics): requests by command, answers by Result-Code.")
    var metrics: String?

    public init() {}

    func endpoint() throws -> (String, Int) {
        guard let e = DiameterChargingClient.Endpoint(url: listen) else {
            throw ValidationError("--listen must be HOST:PORT, got '\(listen)'")
        }
        return (e.host, e.port)
    }

    public func validate() throws {
        _ = try endpoint()
        if let metrics { _ = try Serve.hostPort("--metrics", metrics) }
        _ = try diameterIdentity.identity(role: "enabler")
        guard (0...1).contains(busyShare) else {
            throw ValidationError("--busy-share must be from 0 to 1, got \(busyShare)")
        }
        guard (0...1).contains(transientShare) else {
            throw ValidationError("--transient-share must be from 0 to 1, got \(transientShare)")
        }
        guard threads > 0 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        do throws(WorkloadError) {
            _ = try model.configuration(seed: seed, defaultInterimInterval: nil)
        } catch {
            throw ValidationError(error.description)
        }
    }

    public func run() async throws {
        let (host, port) = try endpoint()
        let interim: Int64? = noInterimInterval ? nil : 10 * ChargingConfiguration.second
        let configuration = try model.configuration(seed: seed, defaultInterimInterval: interim)
        let enabler = EmbeddedChargingEnabler(configuration, expectedSessions: expectedSessions)
        let server = DiameterEnablerServer(
            enabler: enabler,
            identity: try diameterIdentity.identity(role: "enabler"),
            unitsAreMessages: unit == .messages,
            journal: try journal.map { path throws(LedgerJournalError) in try LedgerJournal(path: path) },
            busyShare: busyShare,
            transientShare: transientShare,
            require3GPP: require3gpp,
            operatorAVPs: operatorAvps,
            threads: threads
        )
        let bound = try server.start(host: host, port: port)
        let exporter = try RunMetrics.start(
            metrics,
            labels: [("command", "enabler"), ("listen", "\(host):\(bound)")],
            announce: { FileHandle.standardError.write(Data(("msrpcharge enabler: " + $0 + "\n").utf8)) }
        )
        if let exporter {
            exporter.refresh.withLockedValue {
                $0 = { [weak exporter] in
                    guard let exporter else { return }
                    let c = server.counters
                    exporter.set("msrpcharge_enabler_requests_total", [("command", "ACR")], c.accountingRequests)
                    exporter.set("msrpcharge_enabler_requests_total", [("command", "CCR")], c.creditControlRequests)
                    exporter.set("msrpcharge_enabler_requests_total", [("command", "DWR")], c.watchdogRequests)
                    for (code, n) in c.answersByResultCode {
                        exporter.set("msrpcharge_enabler_answers_total", [("result_code", String(code))], n)
                    }
                    for (code, n) in c.errorsByResultCode {
                        exporter.set("msrpcharge_enabler_refused_total", [("result_code", String(code))], n)
                    }
                    exporter.set("msrpcharge_enabler_connections_total", [], UInt64(c.connections))
                }
            }
        }
        defer { exporter?.hold(0) { _ in } }
        // swift-service-lifecycle runs until SIGINT or SIGTERM, then the enabler leaves
        // gracefully: DPR to every peer, the ledger written.
        let group = ServiceGroup(
            services: [WaitForShutdown(announce: "msrpcharge enabler: listening on \(host):\(bound)")],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: Logger(label: "msrpcharge.enabler")
        )
        try await group.run()
        server.stop()
        let c = server.counters
        let answers = c.answersByResultCode.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
        let errors = c.errorsByResultCode.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }
        print(
            "msrpcharge enabler: \(c.connections) connections, \(c.accountingRequests) ACR, \(c.creditControlRequests) CCR, "
                + "\(c.watchdogRequests) DWR, \(c.disconnectRequests) DPR; answers \(answers.joined(separator: ", ")); "
                + "refused \(errors.isEmpty ? "none" : errors.joined(separator: ", ")); unanswered \(c.unanswered)"
        )
        let t = enabler.ledger.totals
        print(
            "msrpcharge enabler: ledger \(t.sessions) sessions, CH-1 \(t.offline.messages) messages / \(t.offline.bytes) bytes, "
                + "CH-2 \(t.onlineUnits) units, \(t.duplicates) duplicates dropped"
        )
        if let ledger {
            try LedgerFile.write(enabler.ledger, counters: c, to: ledger)
            print("msrpcharge enabler: ledger written to \(ledger)")
        }
    }
}

/// The service of a server that runs on its own event loops: it prints `announce` (the line a
/// script waits for: addresses bound) once the signals are trapped, so that a SIGINT sent as
/// soon as the line is read stops the server gracefully, then waits for that shutdown.
struct WaitForShutdown: Service {
    var announce: String? = nil

    func run() async throws {
        if let announce { FileHandle.standardOutput.write(Data((announce + "\n").utf8)) }
        try? await gracefulShutdown()
    }
}

/// Writes an enabler's ledger (``EnablerLedgerFile``) as JSON.
enum LedgerFile {
    static func write(_ ledger: ChargingLedger, counters c: DiameterServerCounters, to path: String) throws {
        try write(
            ledger,
            requests: (c.accountingRequests, c.creditControlRequests),
            answers: Dictionary(uniqueKeysWithValues: c.answersByResultCode.map { (String($0.key), $0.value) }),
            refused: Dictionary(uniqueKeysWithValues: c.errorsByResultCode.map { (String($0.key), $0.value) }),
            to: path
        )
    }

    static func write(
        _ ledger: ChargingLedger,
        requests: (UInt64, UInt64),
        answers: [String: UInt64] = [:],
        refused: [String: UInt64] = [:],
        to path: String
    ) throws {
        let file = EnablerLedgerFile(ledger, requests: requests, answers: answers, refused: refused)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(file)) else {
            throw CLIError("cannot write --ledger '\(path)'")
        }
    }
}
