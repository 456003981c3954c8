import Histogram

/// What one peer connection saw, for the report's `diameter` section: requests and answers
/// by command and Result-Code, retransmissions (T flag), answers nobody waited for, the
/// watchdog and the connection's ups and downs, and the wire round trip.
public struct DiameterPeerCounters: Sendable {
    public var peer: String
    public var accountingRequests: UInt64 = 0
    public var creditControlRequests: UInt64 = 0
    public var retransmissions: UInt64 = 0
    /// Answers by Result-Code (the MSCC's own code for a CCA whose command succeeded).
    public var answersByResultCode: [UInt32: UInt64] = [:]
    /// The same, by command: ACAs and CCAs.
    public var accountingAnswersByResultCode: [UInt32: UInt64] = [:]
    public var creditControlAnswersByResultCode: [UInt32: UInt64] = [:]
    /// Answers whose Hop-by-Hop Identifier matched nothing in flight: dropped (RFC 6733 §6.2.1).
    public var unmatchedAnswers: UInt64 = 0
    /// Answers that could not be decoded, dropped and counted.
    public var malformedAnswers: UInt64 = 0
    /// AVPs with the M bit this codec does not know, in answers that were used all the same
    /// (``DiameterMessage/UnknownMandatoryAVPs/count``), and the first of them.
    public var unknownMandatoryAVPs: UInt64 = 0
    /// ACAs with a transient failure (4xxx, RFC 6733 §7.1.4): not an acknowledgement; the
    /// record is left to its owner's Tx, which sends it again (T flag, next peer).
    public var transientAccountingFailures: UInt64 = 0
    public var firstUnknownMandatoryAVP: String? = nil
    /// Requests whose answer never came within the slot expiry (their slots were given up), or
    /// that could not be encoded (over 64 KiB).
    public var abandonedSlots: UInt64 = 0
    public var watchdogRequests: UInt64 = 0
    /// Requests in flight when the connection went down, sent again (T flag) to another peer
    /// or kept for the reconnection.
    public var failedOver: UInt64 = 0
    public var connects: UInt64 = 0
    /// Back-pressure: times a worker found the ring full and waited for room, and requests it
    /// then gave up to its Tx (retransmitted to the next peer) after the queue wait.
    public var queueFullWaits: UInt64 = 0
    public var queueGiveUps: UInt64 = 0
    /// Answers held on the loop because their owner's queue was full, delivered later.
    public var answersHeldForOwner: UInt64 = 0
    public var disconnects: UInt64 = 0
    /// The peer's CEA Origin-Host, and whether it advertised the Relay application.
    public var peerOriginHost = ""
    public var peerIsRelay = false
    /// Request written → answer read, nanoseconds.
    public var roundTrip = Histogram<UInt64>(
        lowestDiscernibleValue: 1_000,
        highestTrackableValue: 60_000_000_000,
        numberOfSignificantValueDigits: .three
    )

    public init(peer: String) { self.peer = peer }

    public var answers: UInt64 { answersByResultCode.values.reduce(0, +) }

    public mutating func add(_ o: DiameterPeerCounters) {
        accountingRequests += o.accountingRequests
        creditControlRequests += o.creditControlRequests
        retransmissions += o.retransmissions
        for (k, v) in o.answersByResultCode { answersByResultCode[k, default: 0] += v }
        for (k, v) in o.accountingAnswersByResultCode { accountingAnswersByResultCode[k, default: 0] += v }
        for (k, v) in o.creditControlAnswersByResultCode { creditControlAnswersByResultCode[k, default: 0] += v }
        unmatchedAnswers += o.unmatchedAnswers
        malformedAnswers += o.malformedAnswers
        unknownMandatoryAVPs += o.unknownMandatoryAVPs
        transientAccountingFailures += o.transientAccountingFailures
        if firstUnknownMandatoryAVP == nil { firstUnknownMandatoryAVP = o.firstUnknownMandatoryAVP }
        abandonedSlots += o.abandonedSlots
        watchdogRequests += o.watchdogRequests
        failedOver += o.failedOver
        connects += o.connects
        queueFullWaits += o.queueFullWaits
        queueGiveUps += o.queueGiveUps
        answersHeldForOwner += o.answersHeldForOwner
        disconnects += o.disconnects
        roundTrip.add(o.roundTrip)
    }
}
