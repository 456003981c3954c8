import ArgumentParser
import ChannelSupport
import Charging
import DiameterNIO
import Foundation
import IMServer
import LoadEngine
import Logging
import ServiceLifecycle
import Workload

/// `msrpcharge serve`: the IM server on the wire, SIP and MSRP over TCP (and SIP over UDP),
/// charging every chunk it carries, until SIGINT or SIGTERM.
public struct Serve: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run an IM server (SIP + MSRP) that charges every chunk it carries, until SIGINT or SIGTERM.",
        discussion: """
            A registrar and back-to-back user agent on SIP (UDP and TCP), an MSRP endpoint on \
            both legs of each session (the caller connects to the server's path, the server to \
            the recipient's). Each chunk accepted is answered 200, charged through the Charging \
            Enabler User (CH-1 interim on the last chunk's 200 OK, limited by the interim \
            interval; CH-2 at set-up) and forwarded. Worker i listens for MSRP on PORT+i. On \
            SIGINT or SIGTERM every session ends with BYE, its CH-1 stop and CH-2 termination \
            are sent and answered, and the figures are printed.
            Example: msrpcharge serve --sip 127.0.0.1:5060 --msrp 127.0.0.1:2855 --mode both --ledger ledger.json
            """
    )

    @Option(help: "SIP address, HOST:PORT (UDP and TCP; port 0 picks one, printed).")
    var sip = "127.0.0.1:5060"

    @Option(help: "MSRP address, HOST:PORT: worker i listens on PORT+i (port 0: each picks one).")
    var msrp = "127.0.0.1:2855"

    @Option(help: "Event loops, each with its own MSRP listener and charging pipeline (default: the CPUs online).")
    var workers: Int?

    @OptionGroup var charging: ChargingOptions

    @OptionGroup var enablerConnection: EnablerConnectionOptions

    @Option(help: "Seed of the embedded enabler's choices.")
    var seed: UInt64 = 1

    @Option(help: "Sessions the tables are sized for (they grow past it).")
    var expectedSessions = 100_000

    @Option(help: "Seconds an MSRP connection may stay silent in the middle of a frame before it is closed.")
    var idleTimeout = 30.0

    @Option(help: "Seconds shutdown waits for the enabler's answers to the stops (default: --tx-timeout + 1).")
    var shutdownWait: Double?

    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics).")
    var metrics: String?

    @Option(
        help:
            "On exit, write what was charged per session (the embedded enabler's ledger, or what the Diameter peers acknowledged) as JSON; also keeps each session's accepted usage for the per-session conservation check."
    )
    var ledger: String?

    public init() {}

    /// The option `name`'s `HOST:PORT` (``HostPort``), refused with its value.
    static func hostPort(_ name: String, _ text: String) throws -> (String, Int) {
        guard let hp = HostPort(text) else { throw ValidationError("\(name) must be HOST:PORT, got '\(text)'") }
        return (hp.host, hp.port)
    }

    public func validate() throws {
        _ = try Self.hostPort("--sip", sip)
        _ = try Self.hostPort("--msrp", msrp)
        if let metrics { _ = try Self.hostPort("--metrics", metrics) }
        if let workers, !(1...256).contains(workers) {
            throw ValidationError("--workers must be from 1 to 256, got \(workers)")
        }
        guard idleTimeout > 0, idleTimeout.isFinite else {
            throw ValidationError("--idle-timeout must be a positive number of seconds, got \(idleTimeout)")
        }
        do throws(WorkloadError) {
            _ = try charging.configuration()
            _ = try charging.enablerConfiguration(seed: seed)
        } catch {
            throw ValidationError(error.description)
        }
        try enablerConnection.validate(role: "imserver")
    }

    func serverConfiguration() throws -> IMServerConfiguration {
        var c = IMServerConfiguration()
        (c.sipHost, c.sipPort) = try Self.hostPort("--sip", sip)
        (c.msrpHost, c.msrpPort) = try Self.hostPort("--msrp", msrp)
        c.workers = workers ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        c.charging = try charging.configuration()
        c.expectedSessions = expectedSessions
        c.idleTimeout = Int64(idleTimeout * 1e9)
        c.keepClosedSessions = ledger != nil
        return c
    }

    public func run() async throws {
        let configuration = try serverConfiguration()
        // Each session holds two connections: say so now if the expected ones will not fit,
        // rather than when accepts start failing.
        let openFiles = FileDescriptorLimit.raise()
        if expectedSessions * 2 + FileDescriptorLimit.overhead > openFiles {
            FileHandle.standardError.write(
                Data(
                    "msrpcharge serve: this process may open \(openFiles) files (ulimit -n; the hard limit is \(FileDescriptorLimit.hard)), about \(max(0, (openFiles - FileDescriptorLimit.overhead) / 2)) sessions at once, fewer than --expected-sessions \(expectedSessions)\n"
                        .utf8
                )
            )
        }
        var logger = Logger(label: "msrpcharge.serve")
        logger.logLevel = .notice
        // swift-metrics is bootstrapped before the server makes its own metrics.
        let exporter = metrics.map { _ in ServeMetrics() }
        let wait = Int64((shutdownWait ?? (Double(configuration.charging.txTimeout) / 1e9 + 1)) * 1e9)
        if let remote = try enablerConnection.connect(
            role: "imserver",
            charging: configuration.charging,
            expectedSessions: expectedSessions,
            recordsParties: true
        ) {
            defer { remote.close() }
            var configuration = configuration
            configuration.parties = remote.parties
            let server = IMServer(configuration: configuration, client: remote.enablerClient, answerPoll: 1_000_000, logger: logger)
            let report = try await serve(server, exporter: exporter, logger: logger, wait: wait)
            try finish(report, configuration, ledger: remote.acknowledged, basis: .acknowledged)
        } else {
            let enabler = EmbeddedChargingEnabler(
                try charging.enablerConfiguration(seed: seed),
                expectedSessions: expectedSessions
            )
            let server = IMServer(configuration: configuration, client: enabler, answerPoll: nil, logger: logger)
            let report = try await serve(server, exporter: exporter, logger: logger, wait: wait)
            try finish(report, configuration, ledger: enabler.ledger, basis: .enablerLedger)
        }
    }

    func serve<Client: ChargingEnablerClient>(
        _ server: IMServer<Client>,
        exporter: ServeMetrics?,
        logger: Logger,
        wait: Int64
    ) async throws -> IMServerReport {
        let bound = try server.start()
        let c = server.configuration
        var announce =
            "msrpcharge serve: SIP on \(c.sipHost):\(bound.sipPort) (UDP, TCP), MSRP on \(c.msrpHost):\(bound.msrpPorts.map(String.init).joined(separator: ",")) (TCP), \(c.workers) workers, charging \(c.charging.mode.rawValue), set-up \(c.charging.setup.rawValue)"
        if let exporter, let metrics {
            let (host, port) = try Self.hostPort("--metrics", metrics)
            let bound = try exporter.serve(host: host, port: port, server: server)
            announce += "; metrics on http://\(host):\(bound)/metrics"
        }
        defer { exporter?.close() }
        let group = ServiceGroup(
            services: [WaitForShutdown(announce: announce)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        try await group.run()
        return server.shutdown(waitingUpTo: wait)
    }

    func finish(
        _ r: IMServerReport,
        _ c: IMServerConfiguration,
        ledger charged: ChargingLedger,
        basis: ConservationCheck.Basis
    ) throws {
        print(ServeReportText.lines(r, c).joined(separator: "\n"))
        let check = ConservationCheck.run(
            mode: c.charging.mode,
            unit: c.charging.unit,
            sessions: r.closedSessions,
            stillOpen: 0,
            ledger: charged,
            accepted: c.keepClosedSessions ? r.pipeline.accepted : r.closedSessions.reduce(.zero) { $0 + $1.accepted },
            abandoned: r.charging.abandoned,
            basis: basis
        )
        let name = check.title.lowercased()
        if c.keepClosedSessions || c.charging.mode == .off {
            print("\(name): \(check.ok ? "ok" : "FAILED"): \(check.detail)")
        } else {
            // Without --ledger no session's usage is kept: the totals, each mode that charged.
            let t = charged.totals
            let accepted = r.pipeline.accepted
            let used =
                c.charging.unit == .bytes ? accepted.bytes : accepted.messages &+ accepted.abortedMessages
            var parts: [String] = []
            var ok = true
            if c.charging.mode.offline {
                ok = ok && t.offline == accepted
                parts.append("CH-1 charged \(t.offline), accepted \(accepted)")
            }
            if c.charging.mode.online {
                ok = ok && t.onlineUnits == used
                parts.append("CH-2 used units charged \(t.onlineUnits), accepted \(used) \(c.charging.unit.rawValue)")
            }
            print(
                "\(name): \(ok ? "ok" : "FAILED"): \(parts.joined(separator: "; ")) (totals of the \(basis.rawValue); --ledger checks each session)"
            )
        }
        if let ledger {
            try LedgerFile.write(
                charged,
                requests: (
                    r.charging.sent(.offlineStart) &+ r.charging.sent(.offlineInterim) &+ r.charging.sent(.offlineStop),
                    r.charging.sent(.onlineInitial) &+ r.charging.sent(.onlineUpdate)
                        &+ r.charging.sent(.onlineTermination)
                ),
                to: ledger
            )
            print("msrpcharge serve: ledger written to \(ledger)")
        }
    }
}

/// The serve report as text.
enum ServeReportText {
    static func lines(_ r: IMServerReport, _ c: IMServerConfiguration) -> [String] {
        let p = r.pipeline
        let ch = r.charging
        let kinds = ChargingRequestKind.allCases.map { "\($0) \(ch.sent($0))" }.joined(separator: ", ")
        let sipIn = r.sipRequests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let sipOut = r.sipResponsesSent.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", "
        )
        return [
            "msrpcharge serve: stopped",
            "sessions: \(r.sessionsSetUp) set up, \(r.sessionsRefused) refused, \(r.sessionsEnded) ended (\(r.media.sessionsEndedByMedia) by their media)",
            "SIP: requests \(sipIn.isEmpty ? "none" : sipIn); responses sent \(sipOut.isEmpty ? "none" : sipOut); \(r.retransmissionsAbsorbed) retransmissions absorbed, \(r.retransmissionsSent) sent; \(r.sipMalformed) malformed",
            "MSRP: \(p.chunks) chunks (\(p.messages) messages, \(p.abortedMessages) aborted, \(p.bodyBytes) body bytes) on \(r.media.connectionsAccepted) connections in, \(r.media.connectionsOpened) out, in \(r.media.reads) reads; \(r.media.chunksForwarded) chunks and \(r.media.reportsForwarded) reports forwarded",
            "MSRP responses: 200 \(p.responses200), 403 \(p.responses403), 481 \(p.responses481) (\(r.media.foreignSessionIDs) foreign session-ids, \(r.media.wrongConnection) on the wrong connection), 501 \(p.responses501), withheld \(p.responsesWithheld); \(r.media.malformed) malformed, \(r.media.idleClosed) idle closed, \(r.media.readPauses) reads paused",
            "charging: \(kinds); \(ch.interimTriggers) last-chunk triggers, \(ch.suppressedByInterval) within the interval, \(ch.suppressedByCeiling) over the ceiling; \(ch.denials) denials, \(ch.timeouts) timeouts, \(ch.abandoned) given up",
            "accepted: \(p.accepted)",
        ]
    }
}
