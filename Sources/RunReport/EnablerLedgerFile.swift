import Charging

/// An enabler's ledger as it is saved (`enabler --ledger`, `serve --ledger`) and read back by
/// `reconcile`: totals, the requests that built it, and per session what was charged.
public struct EnablerLedgerFile: Codable, Sendable {
    public struct Session: Codable, Sendable {
        public var session: String
        public var offlineMessages: UInt64
        public var offlineBytes: UInt64
        public var onlineUnits: UInt64
        public var duplicates: UInt32
        public var offlineStarted: Bool
        public var offlineStopped: Bool
        public var onlineInitiated: Bool
        public var onlineTerminated: Bool
    }

    public var sessions: [Session]
    public var totalOfflineMessages: UInt64
    public var totalOfflineBytes: UInt64
    public var totalOnlineUnits: UInt64
    public var duplicatesDropped: UInt64
    public var accountingRequests: UInt64
    public var creditControlRequests: UInt64
    public var answersByResultCode: [String: UInt64]
    public var refusedByResultCode: [String: UInt64]

    /// The ledger with the requests that built it: (ACR, CCR) received by an enabler, or the
    /// CH-1 and CH-2 requests an IM server sent; sessions sorted by name. CH-1 messages count
    /// completed and aborted messages together, as Rf does.
    public init(
        _ ledger: ChargingLedger,
        requests: (UInt64, UInt64),
        answers: [String: UInt64] = [:],
        refused: [String: UInt64] = [:]
    ) {
        var sessions: [Session] = []
        ledger.entries.forEach { key, e in
            sessions.append(
                Session(
                    session: key.description,
                    offlineMessages: e.offline.messages &+ e.offline.abortedMessages,
                    offlineBytes: e.offline.bytes,
                    onlineUnits: e.onlineUnits,
                    duplicates: e.duplicates,
                    offlineStarted: e.offlineStarted,
                    offlineStopped: e.offlineStopped,
                    onlineInitiated: e.onlineInitiated,
                    onlineTerminated: e.onlineTerminated
                )
            )
        }
        sessions.sort { $0.session < $1.session }
        let t = ledger.totals
        self.sessions = sessions
        totalOfflineMessages = t.offline.messages &+ t.offline.abortedMessages
        totalOfflineBytes = t.offline.bytes
        totalOnlineUnits = t.onlineUnits
        duplicatesDropped = t.duplicates
        accountingRequests = requests.0
        creditControlRequests = requests.1
        answersByResultCode = answers
        refusedByResultCode = refused
    }
}
