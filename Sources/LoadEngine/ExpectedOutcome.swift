import MSRP

/// What the traffic model says must come out of the engine, message by message: the
/// transaction responses the pipeline owes each chunk under its message's Failure-Report
/// (RFC 4975 §7.1.2), and the interim triggers (one per completed message whose last chunk
/// was accepted). Refusals are charging's decision, so the count the Charging Enabler User
/// made per message goes in; everything else comes from how the traffic was built. A session
/// whose set-up was refused must have every chunk refused.
public struct ExpectedOutcome: Sendable, Equatable, Codable {
    public var ok200: UInt64 = 0
    public var forbidden403: UInt64 = 0
    /// Responses the Failure-Report withholds: every one under `no`, the 200s under `partial`.
    public var withheld: UInt64 = 0
    public var interimTriggers: UInt64 = 0
    /// Messages of refused sessions with a chunk accepted anyway.
    public var refusedSessionMessagesAccepted: UInt64 = 0

    public init() {}

    @inlinable
    mutating func add(_ t: TrafficTurn, refused: UInt64, rejectedAtSetUp: Bool, offline: Bool) {
        let chunks = UInt64(t.chunks)
        let accepted = chunks &- refused
        switch t.failureReport {
        case .yes:
            ok200 &+= accepted
            forbidden403 &+= refused
        case .partial:
            withheld &+= accepted
            forbidden403 &+= refused
        case .no:
            withheld &+= chunks
        }
        if offline && t.completed && refused == 0 { interimTriggers &+= 1 }
        if rejectedAtSetUp && refused != chunks { refusedSessionMessagesAccepted &+= 1 }
    }

    public static func += (a: inout ExpectedOutcome, b: ExpectedOutcome) {
        a.ok200 &+= b.ok200
        a.forbidden403 &+= b.forbidden403
        a.withheld &+= b.withheld
        a.interimTriggers &+= b.interimTriggers
        a.refusedSessionMessagesAccepted &+= b.refusedSessionMessagesAccepted
    }
}
