/// `msrpcharge plan`: the charging load and the engine cores that a traffic description
/// implies, for each candidate interim interval.
///
/// The model (stated in the output):
/// - each of `sessions` concurrent sessions sends `messagesPerMinute` messages a minute
///   (Poisson), and lasts `sessionMinutes` on average, so sessions start and end at
///   `sessions / (60 × sessionMinutes)` a second (steady state);
/// - CH-1: a start and a stop per session; after an interim, the next goes with the first
///   completed message at least `I` seconds later, so interims are `1 / (I + 1/r)` a second
///   per session for a message rate `r` (`r` itself when `I` is 0);
/// - CH-2 (online): an initial and a termination per session, and an update whenever the
///   granted units are used up or their validity ends, whichever comes first;
/// - cores: chunks a second over the per-core rate, rounded up.
public struct CapacityPlan: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        public var sessions: Double
        public var messagesPerMinute: Double
        public var meanMessageBytes: Double
        public var chunksPerMessage: Double
        public var sessionMinutes: Double
        public var online: Bool
        public var offline: Bool
        /// CH-2 units per message (1) or per byte (mean size).
        public var unitsPerMessage: Double
        public var grantedUnits: Double
        public var validitySeconds: Double
        public var perCoreChunksPerSecond: Double
        public var perCoreSource: String

        public init(
            sessions: Double,
            messagesPerMinute: Double,
            meanMessageBytes: Double,
            chunksPerMessage: Double,
            sessionMinutes: Double,
            online: Bool,
            offline: Bool,
            unitsPerMessage: Double,
            grantedUnits: Double,
            validitySeconds: Double,
            perCoreChunksPerSecond: Double,
            perCoreSource: String
        ) {
            self.sessions = sessions
            self.messagesPerMinute = messagesPerMinute
            self.meanMessageBytes = meanMessageBytes
            self.chunksPerMessage = chunksPerMessage
            self.sessionMinutes = sessionMinutes
            self.online = online
            self.offline = offline
            self.unitsPerMessage = unitsPerMessage
            self.grantedUnits = grantedUnits
            self.validitySeconds = validitySeconds
            self.perCoreChunksPerSecond = perCoreChunksPerSecond
            self.perCoreSource = perCoreSource
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var interimIntervalSeconds: Double
        public var ch1StartPerSecond: Double
        public var ch1InterimPerSecond: Double
        public var ch1StopPerSecond: Double
        public var ch2InitialPerSecond: Double
        public var ch2UpdatePerSecond: Double
        public var ch2TerminationPerSecond: Double
        public var requestsPerSecond: Double
        /// Interims per 1000 completed messages: how much the limiter saves.
        public var interimsPerThousandMessages: Double
    }

    public var input: Input
    public var messagesPerSecond: Double
    public var chunksPerSecond: Double
    public var bodyBytesPerSecond: Double
    public var sessionsStartedPerSecond: Double
    public var cores: Int
    public var rows: [Row]

    public init(_ input: Input, interimIntervals: [Double]) {
        self.input = input
        let r = input.messagesPerMinute / 60  // messages a second per session
        let mps = input.sessions * r
        messagesPerSecond = mps
        chunksPerSecond = mps * input.chunksPerMessage
        bodyBytesPerSecond = mps * input.meanMessageBytes
        let churn = input.sessionMinutes > 0 ? input.sessions / (60 * input.sessionMinutes) : 0
        sessionsStartedPerSecond = churn
        cores = max(1, Int((chunksPerSecond / input.perCoreChunksPerSecond).rounded(.up)))
        var updates = 0.0
        if input.online {
            let unitsPerSecond = r * input.unitsPerMessage
            let byQuota = unitsPerSecond / input.grantedUnits
            let byValidity = input.validitySeconds > 0 ? 1 / input.validitySeconds : 0
            updates = input.sessions * max(byQuota, byValidity)
        }
        rows = interimIntervals.map { i in
            let interims = !input.offline || r == 0 ? 0 : input.sessions * (i > 0 ? 1 / (i + 1 / r) : r)
            let ch1 = input.offline ? churn : 0
            let ch2 = input.online ? churn : 0
            return Row(
                interimIntervalSeconds: i,
                ch1StartPerSecond: ch1,
                ch1InterimPerSecond: interims,
                ch1StopPerSecond: ch1,
                ch2InitialPerSecond: ch2,
                ch2UpdatePerSecond: updates,
                ch2TerminationPerSecond: ch2,
                requestsPerSecond: 2 * ch1 + interims + 2 * ch2 + updates,
                interimsPerThousandMessages: mps > 0 ? 1000 * interims / mps : 0
            )
        }
    }

    /// Chunks per message of a workload: one, or (for the multi-chunk share) the pieces of
    /// `chunkSize` bytes, at least two.
    public static func chunksPerMessage(meanBytes: Double, chunkSize: Int, multiChunkShare: Double) -> Double {
        let pieces = max(2, (meanBytes / Double(chunkSize)).rounded(.up))
        return (1 - multiChunkShare) + multiChunkShare * pieces
    }
}
