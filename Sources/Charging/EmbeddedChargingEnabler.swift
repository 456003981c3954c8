#if canImport(Glibc)
import Glibc
#endif

/// How long the embedded enabler takes to answer.
public enum AnswerLatency: Sendable, Equatable {
    case fixed(Int64)
    /// Uniform between the two bounds (nanoseconds).
    case uniform(Int64, Int64)
    /// Exponential with this mean (nanoseconds): a long tail, as a loaded server has.
    case exponential(mean: Int64)

    /// The mean, in nanoseconds.
    public var mean: Double {
        switch self {
        case .fixed(let d): Double(d)
        case .uniform(let lo, let hi): (Double(lo) + Double(hi)) / 2
        case .exponential(let mean): Double(mean)
        }
    }

    /// The latency for a uniform draw `u` in [0, 1).
    @inlinable
    public func sample(_ u: Double) -> Int64 {
        switch self {
        case .fixed(let d): d
        case .uniform(let lo, let hi): lo + Int64(u * Double(hi - lo))
        case .exponential(let mean): Int64(-Double(mean) * log(1 - u))
        }
    }
}

/// The embedded Charging Enabler's behaviour. Durations are nanoseconds.
public struct EmbeddedEnablerConfiguration: Sendable {
    public var latency: AnswerLatency = .fixed(ChargingConfiguration.millisecond)
    /// Granted-Service-Unit per CH-2 initial or update.
    public var grantedUnits: UInt64 = 1_000_000
    /// Validity-Time sent with each grant; 0 for none.
    public var validityTime: Int64 = 0
    /// Acct-Interim-Interval sent with each CH-1 answer: nil sends none (the client keeps its
    /// own), 0 asks for no interims at all (RFC 6733 §9.8.2).
    public var interimInterval: Int64? = 10 * ChargingConfiguration.second
    /// Total units one session may be granted; the grant that reaches it carries
    /// Final-Unit-Indication, and later requests for units are refused. Nil for no limit.
    public var creditPerSession: UInt64? = nil
    /// Share of CH-2 initial and update requests refused (DIAMETER_CREDIT_LIMIT_REACHED).
    public var denialShare: Double = 0
    /// Share of requests never answered. Half of them were recorded (the answer was lost),
    /// half never arrived; a retransmission of a recorded one is a duplicate.
    public var timeoutShare: Double = 0
    /// Seeds every random choice: a run is reproducible.
    public var seed: UInt64 = 1
    /// Credit-Control-Failure-Handling sent with every CH-2 answer (RFC 4006 §5.7: it overrides
    /// the client's configured handling); nil sends none.
    public var creditControlFailureHandling: CreditControlFailureHandling? = nil
    /// Peers the client sees (replicas sharing one ledger, as an OCS cluster behind one
    /// realm): retransmissions go to the next one (``ChargingPeers``).
    public var peers = 1

    public init() {}
}

/// An in-process Charging Enabler: answers CH-1 and CH-2 requests as configured and keeps a
/// ledger of what it was charged. Every choice (latency, denial, timeout) is a hash of the
/// seed and the request's identity, so it is the same in every run and needs no random state
/// shared between worker threads; the only shared state is the ledger's sharded table.
public final class EmbeddedChargingEnabler: ChargingEnablerClient {
    public let configuration: EmbeddedEnablerConfiguration
    public let ledger: ChargingLedger

    /// The ledger's table, unretained (``ledger`` keeps it alive): every worker calls in for
    /// every request, and a retain and release each time wrote the table's object header, a
    /// cache line all of them shared.
    @usableFromInline let entriesRef: Unmanaged<SessionTable<LedgerEntry>>
    /// Whether any choice depends on a draw: with no timeouts, no denials and a fixed latency
    /// the four draws (a hash of the request's identity) are skipped.
    @usableFromInline let drawsNeeded: Bool

    public init(_ configuration: EmbeddedEnablerConfiguration = .init(), expectedSessions: Int = 1024) {
        self.configuration = configuration
        ledger = ChargingLedger(expectedSessions: expectedSessions)
        entriesRef = .passUnretained(ledger.entries)
        let fixedLatency = if case .fixed = configuration.latency { true } else { false }
        drawsNeeded = configuration.timeoutShare > 0 || configuration.denialShare > 0 || !fixedLatency
    }

    /// Four independent uniform draws in [0, 1) for this transmission of the request.
    @inlinable
    func draws(_ r: ChargingRequest) -> (Double, Double, Double, Double) {
        var x = configuration.seed ^ r.session.mix
        x = SessionKey.round(x, UInt64(r.kind.rawValue) << 40 | UInt64(r.number))
        x = SessionKey.round(x, UInt64(r.attempt))
        // Four steps of the same mix, written out: a nested function capturing `x` would box it.
        let a = SessionKey.round(x, 0x9E37_79B9_7F4A_7C15)
        let b = SessionKey.round(a, 0x9E37_79B9_7F4A_7C15)
        let c = SessionKey.round(b, 0x9E37_79B9_7F4A_7C15)
        let d = SessionKey.round(c, 0x9E37_79B9_7F4A_7C15)
        return (
            Double(a >> 11) * 0x1p-53, Double(b >> 11) * 0x1p-53, Double(c >> 11) * 0x1p-53, Double(d >> 11) * 0x1p-53
        )
    }

    /// A uniform draw in [0, 1) from a 64-bit identity (a server's Hop-by-Hop and End-to-End
    /// Identifiers, say), by the same mix as the enabler's own choices: a server that sheds a
    /// share of requests sheds the same ones in every run, and each transmission draws anew.
    @inlinable
    public static func draw(_ identity: UInt64) -> Double {
        let x = SessionKey.round(SessionKey.round(identity, 0x9E37_79B9_7F4A_7C15), 0x94D0_49BB_1331_11EB)
        return Double(x >> 11) * 0x1p-53
    }

    public var peerCount: Int { configuration.peers }

    /// Records the request and returns the answer with its simulated arrival time (the
    /// request's `sentAt` plus the latency), unless the request or the answer is lost. The
    /// answer may arrive after the client's Tx: the owner then sees it as late.
    @inlinable
    public func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        answer(request)
    }

    /// What happens to `request`: its answer and arrival time, or nil when it is lost.
    @inlinable
    public func answer(_ request: ChargingRequest) -> ChargingAnswerDelivery? { answerRecording(request).delivery }

    /// ``answer(_:)``, also saying whether the request's usage went into the ledger now (it
    /// arrived and was no duplicate): a server journals exactly those records.
    @inlinable
    public func answerRecording(_ request: ChargingRequest) -> (delivery: ChargingAnswerDelivery?, recorded: Bool) {
        // Without draws: both shares are 0, so no u is below them, and a fixed latency ignores its u.
        let (uTimeout, uRecorded, uDenial, uLatency) = drawsNeeded ? draws(request) : (1, 1, 1, 0)
        let lost = uTimeout < configuration.timeoutShare
        if lost && uRecorded < 0.5 { return (nil, false) }  // the request never arrived
        // `ChargingAnswer(to:)` echoes the correlation and the attempt.
        var recorded = false
        var answer = entriesRef._withUnsafeGuaranteedRef { entries in
            entries.upsert(request.session, LedgerEntry()) { e in
                let duplicates = e.duplicates
                let a = record(request, &e, uDenial)
                recorded = e.duplicates == duplicates
                return a
            }
        }
        if lost { return (nil, recorded) }  // recorded, but the answer was lost
        if !request.kind.isOffline { answer.failureHandling = configuration.creditControlFailureHandling }
        return (
            ChargingAnswerDelivery(answer, arrivesAt: request.sentAt &+ configuration.latency.sample(uLatency)),
            recorded
        )
    }

    @usableFromInline
    func record(_ r: ChargingRequest, _ e: inout LedgerEntry, _ uDenial: Double) -> ChargingAnswer {
        guard e.recordUsage(r) else {
            if r.kind.isOffline { return ChargingAnswer(to: r, interimInterval: configuration.interimInterval) }
            return ChargingAnswer(
                to: r,
                grantedUnits: r.kind == .onlineTermination ? 0 : e.lastGrant,
                validityTime: configuration.validityTime,
                finalUnits: e.lastGrantFinal
            )
        }
        if r.kind.isOffline {
            return ChargingAnswer(to: r, interimInterval: r.kind == .offlineStop ? nil : configuration.interimInterval)
        }
        switch r.kind {
        case .onlineTermination:
            return ChargingAnswer(to: r)
        case .onlineInitial, .onlineUpdate:
            let left = configuration.creditPerSession.map { $0 &- min($0, e.unitsGranted) } ?? .max
            if uDenial < configuration.denialShare || left == 0 {
                e.lastGrant = 0
                return ChargingAnswer(to: r, resultCode: ChargingResultCode.creditLimitReached)
            }
            let grant = min(configuration.grantedUnits, left)
            e.unitsGranted &+= grant
            e.lastGrant = grant
            e.lastGrantFinal = configuration.creditPerSession != nil && grant == left
            return ChargingAnswer(
                to: r,
                grantedUnits: grant,
                validityTime: configuration.validityTime,
                finalUnits: e.lastGrantFinal
            )
        default:
            return ChargingAnswer(to: r, resultCode: ChargingResultCode.unableToComply)
        }
    }
}
