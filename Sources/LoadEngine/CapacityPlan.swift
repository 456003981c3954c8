#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `msrpcharge plan`: the charging load and the engine cores that a traffic description
/// implies, for each candidate interim interval.
///
/// The model (stated in the output):
/// - each of `sessions` concurrent sessions sends `messagesPerMinute` messages a minute
///   (Poisson), and lasts `sessionMinutes` on average, so sessions start and end at
///   `sessions / (60 × sessionMinutes)` a second (steady state);
/// - CH-1: a start and a stop per session; an interim goes once `I` seconds have passed since
///   the last: with the first message completed after that, or, when a message completed
///   before it (its usage held back), by the interval's timer at `I` (the Charging Enabler
///   User's interim flush). The gap between interims is `max(I, X)` for an exponential `X` of
///   rate `r`, whose mean is `I + e^(−rI)/r`: interims are `1 / (I + e^(−rI)/r)` a second per
///   session (`r` itself when `I` is 0), a share `1 − e^(−rI)` of them sent by the timer;
/// - CH-2 (online): an initial and a termination per session, and an update whenever the
///   granted units are used up or their validity ends, whichever comes first;
/// - cores, for each interval: `chunks/s × c_chunk + requests/s × c_request + timer
///   interims/s × c_flush` core-seconds a second, rounded up. The three costs are measured on
///   this machine (``Costs``): a chunk with charging but no request, a charging request with
///   its answer, and what an interim sent by the flush timer adds (arming it, firing it, the
///   session looked up again) over one sent with a message.
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
        /// Core-nanoseconds one chunk takes (parse, table, Charging Enabler User, response).
        public var chunkCostNanoseconds: Double
        /// Core-nanoseconds one charging request and its answer add (the embedded enabler's
        /// share included, as it stands for the remote system's client side).
        public var requestCostNanoseconds: Double
        /// Core-nanoseconds an interim sent by the interval's timer adds to
        /// `requestCostNanoseconds`.
        public var flushCostNanoseconds: Double
        /// Where the costs come from.
        public var costSource: String

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
            chunkCostNanoseconds: Double,
            requestCostNanoseconds: Double,
            flushCostNanoseconds: Double = 0,
            costSource: String
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
            self.chunkCostNanoseconds = chunkCostNanoseconds
            self.requestCostNanoseconds = requestCostNanoseconds
            self.flushCostNanoseconds = flushCostNanoseconds
            self.costSource = costSource
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var interimIntervalSeconds: Double
        public var ch1StartPerSecond: Double
        public var ch1InterimPerSecond: Double
        /// The interims of those sent by the interval's timer (usage held back since a message
        /// completed inside the interval).
        public var ch1InterimByTimerPerSecond: Double
        public var ch1StopPerSecond: Double
        public var ch2InitialPerSecond: Double
        public var ch2UpdatePerSecond: Double
        public var ch2TerminationPerSecond: Double
        public var requestsPerSecond: Double
        /// Interims per 1000 completed messages: how much the limiter saves.
        public var interimsPerThousandMessages: Double
        /// Core-seconds a second: chunks/s × c_chunk + requests/s × c_request + timer
        /// interims/s × c_flush.
        public var coreSeconds: Double
        /// Engine cores at this interval (core-seconds rounded up, at least 1).
        public var cores: Int
    }

    /// The three costs of the model, measured by runs of the same traffic on one worker: one
    /// with no interims (every chunk, hardly a request), one with every message charged (no
    /// timer: each message's interim goes with it) and one with an interval that holds usage
    /// back, so the flush timer sends a share of the interims. Each run's time per chunk is
    /// `c_chunk + q × c_request + f × c_flush`, with `q` its requests and `f` its timer
    /// interims per chunk; the first two give `c_chunk` and `c_request`, the third `c_flush`.
    public struct Costs: Codable, Sendable, Equatable {
        public var chunkNanoseconds: Double
        public var requestNanoseconds: Double
        public var flushNanoseconds: Double

        public init(chunkNanoseconds: Double, requestNanoseconds: Double, flushNanoseconds: Double = 0) {
            self.chunkNanoseconds = chunkNanoseconds
            self.requestNanoseconds = requestNanoseconds
            self.flushNanoseconds = flushNanoseconds
        }

        /// From two runs, per core: chunks/s and requests/s of each. Nil when the runs do not
        /// differ in requests per chunk (the two equations are then the same one).
        public init?(
            chunksPerSecondA: Double,
            requestsPerSecondA: Double,
            chunksPerSecondB: Double,
            requestsPerSecondB: Double
        ) {
            let tA = 1e9 / chunksPerSecondA
            let tB = 1e9 / chunksPerSecondB
            let qA = requestsPerSecondA / chunksPerSecondA
            let qB = requestsPerSecondB / chunksPerSecondB
            guard abs(qB - qA) > 1e-9, chunksPerSecondA > 0, chunksPerSecondB > 0 else { return nil }
            let request = (tB - tA) / (qB - qA)
            self.init(chunkNanoseconds: tA - qA * request, requestNanoseconds: max(0, request))
        }

        /// `c_flush` from a run whose interims were partly sent by the timer, per core: its
        /// chunks/s, requests/s and timer interims/s. Nil when the run had no timer interims.
        public func withFlush(
            chunksPerSecond: Double,
            requestsPerSecond: Double,
            timerInterimsPerSecond: Double
        ) -> Costs? {
            guard chunksPerSecond > 0 else { return nil }
            let f = timerInterimsPerSecond / chunksPerSecond
            guard f > 1e-9 else { return nil }
            let rest = 1e9 / chunksPerSecond - chunkNanoseconds - requestsPerSecond / chunksPerSecond * requestNanoseconds
            return Costs(chunkNanoseconds: chunkNanoseconds, requestNanoseconds: requestNanoseconds, flushNanoseconds: max(0, rest / f))
        }

        /// Chunks per second one core carries at `requestsPerChunk` requests, of which
        /// `timerInterimsPerChunk` were sent by the flush timer (the model's prediction).
        public func chunksPerSecond(requestsPerChunk q: Double, timerInterimsPerChunk f: Double = 0) -> Double {
            1e9 / (chunkNanoseconds + q * requestNanoseconds + f * flushNanoseconds)
        }
    }

    public var input: Input
    public var messagesPerSecond: Double
    public var chunksPerSecond: Double
    public var bodyBytesPerSecond: Double
    public var sessionsStartedPerSecond: Double
    /// The most cores any interval needs.
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
        var updates = 0.0
        if input.online {
            let unitsPerSecond = r * input.unitsPerMessage
            let byQuota = unitsPerSecond / input.grantedUnits
            let byValidity = input.validitySeconds > 0 ? 1 / input.validitySeconds : 0
            updates = input.sessions * max(byQuota, byValidity)
        }
        let chunks = chunksPerSecond
        rows = interimIntervals.map { i in
            let interims = !input.offline || r == 0 ? 0 : input.sessions * (i > 0 ? 1 / (i + exp(-r * i) / r) : r)
            let byTimer = i > 0 ? interims * (1 - exp(-r * i)) : 0
            let ch1 = input.offline ? churn : 0
            let ch2 = input.online ? churn : 0
            let requests = 2 * ch1 + interims + 2 * ch2 + updates
            let coreSeconds =
                (chunks * input.chunkCostNanoseconds + requests * input.requestCostNanoseconds
                    + byTimer * input.flushCostNanoseconds) / 1e9
            return Row(
                interimIntervalSeconds: i,
                ch1StartPerSecond: ch1,
                ch1InterimPerSecond: interims,
                ch1InterimByTimerPerSecond: byTimer,
                ch1StopPerSecond: ch1,
                ch2InitialPerSecond: ch2,
                ch2UpdatePerSecond: updates,
                ch2TerminationPerSecond: ch2,
                requestsPerSecond: requests,
                interimsPerThousandMessages: mps > 0 ? 1000 * interims / mps : 0,
                coreSeconds: coreSeconds,
                cores: max(1, Int((coreSeconds - 1e-9).rounded(.up)))
            )
        }
        cores = rows.map(\.cores).max() ?? 1
    }

    /// Chunks per message of a workload: one, or (for the multi-chunk share) the pieces of
    /// `chunkSize` bytes, at least two.
    public static func chunksPerMessage(meanBytes: Double, chunkSize: Int, multiChunkShare: Double) -> Double {
        let pieces = max(2, (meanBytes / Double(chunkSize)).rounded(.up))
        return (1 - multiChunkShare) + multiChunkShare * pieces
    }
}
