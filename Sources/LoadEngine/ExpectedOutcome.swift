import MSRP

/// The chunks charging refused, by the Failure-Report of their message, counted frame by
/// frame as the pipeline refuses them (a compare per frame when nothing is refused).
public struct RefusalCounts: Sendable, Equatable {
    public var refusedWithReportYes: UInt64 = 0
    public var refusedWithReportPartial: UInt64 = 0
    public var refusedWithReportNo: UInt64 = 0
    /// Completed messages (`$`) with a chunk refused: no trigger is owed for them.
    public var completedMessagesRefused: UInt64 = 0

    public init() {}

    /// `refused` chunks of a message with `report` were refused.
    @inline(__always)
    mutating func add(_ report: FailureReport, refused: UInt64) {
        switch report {
        case .yes: refusedWithReportYes &+= refused
        case .partial: refusedWithReportPartial &+= refused
        case .no: refusedWithReportNo &+= refused
        }
    }

    public static func += (a: inout RefusalCounts, b: RefusalCounts) {
        a.refusedWithReportYes &+= b.refusedWithReportYes
        a.refusedWithReportPartial &+= b.refusedWithReportPartial
        a.refusedWithReportNo &+= b.refusedWithReportNo
        a.completedMessagesRefused &+= b.completedMessagesRefused
    }
}

/// What the traffic model says must come out of the engine: the transaction responses the
/// pipeline owes the chunks fed under their messages' Failure-Report (RFC 4975 §7.1.2), and
/// the interim triggers (one per completed message whose chunks were all accepted). Refusals
/// are charging's decision, so the counts the Charging Enabler User made go in
/// (``RefusalCounts``); everything else comes from how the traffic was built. A session whose
/// set-up was refused must have accepted nothing.
public struct ExpectedOutcome: Sendable, Equatable, Codable {
    public var ok200: UInt64 = 0
    public var forbidden403: UInt64 = 0
    /// Responses the Failure-Report withholds: every one under `no`, the 200s under `partial`.
    public var withheld: UInt64 = 0
    public var interimTriggers: UInt64 = 0
    /// Sessions whose set-up was refused that accepted usage anyway (must be 0: checked on
    /// each such session's last state, so the timed loop pays nothing for it).
    public var refusedSessionsAccepting: UInt64 = 0

    public init() {}

    public init(fed: TrafficCounts, refusals r: RefusalCounts, offlineTriggers: Bool, refusedSessionsAccepting: Int) {
        let noReportChunks = fed.chunks &- fed.successResponses &- fed.partialReportChunks
        ok200 = fed.successResponses &- r.refusedWithReportYes
        forbidden403 = r.refusedWithReportYes &+ r.refusedWithReportPartial
        withheld = noReportChunks &+ (fed.partialReportChunks &- r.refusedWithReportPartial)
        interimTriggers = offlineTriggers ? fed.messages &- r.completedMessagesRefused : 0
        self.refusedSessionsAccepting = UInt64(refusedSessionsAccepting)
    }
}
