import Workload

/// Why enablers' records could not be read for reconciling (a line that is no journal line).
public struct ReconciliationError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The comparison `reconcile` makes, apart from files.
public enum Reconciliation {
    public enum Source: Sendable {
        case journal(String, String)
        case ledger(EnablerLedgerFile)
    }

    typealias Charged = JournalRecords.Charged

    public struct Result: Sendable {
        public var ok: Bool
        /// What was compared and found, without the verdict (bench's conservation line uses it).
        public var figures: String
        public var differences: [String]

        public var summary: String { "reconcile: \(ok ? "OK" : "FAILED"): " + figures }
    }

    /// What each session's usage should have been charged, against what the sources charged.
    public static func run(
        _ sessions: [SessionUsage],
        mode: String,
        unit: String,
        _ sources: [Source]
    ) throws(ReconciliationError) -> Result {
        var journals = JournalRecords()
        var charged: [String: Charged] = [:]
        for source in sources {
            switch source {
            case .journal(let path, let text):
                try journals.add(path: path, text: text)
            case .ledger(let file):
                // A ledger's CH-1 figures are the session's totals (the records carry them,
                // RFC 7155): a session in two ledgers (a failover) is charged the larger; its
                // CH-2 units, reported per request, add up.
                for s in file.sessions {
                    var c = charged[s.session, default: Charged()]
                    c.offlineMessages = max(c.offlineMessages, s.offlineMessages)
                    c.offlineBytes = max(c.offlineBytes, s.offlineBytes)
                    c.onlineUnits &+= s.onlineUnits
                    charged[s.session] = c
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
