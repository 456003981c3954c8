/// The six charging requests of the two seed flows, with the Diameter values they map to.
///
/// CH-1 (offline) is Diameter accounting (RFC 6733 §9, ACR command 271,
/// Accounting-Record-Type AVP 480); CH-2 (online) is credit control (RFC 4006, CCR command
/// 272, CC-Request-Type AVP 416).
public enum ChargingRequestKind: UInt8, Sendable, Hashable, CaseIterable, BitwiseCopyable, CustomStringConvertible {
    /// CH-1 SessionRequest (start): ACR, START_RECORD (2).
    case offlineStart
    /// CH-1 SessionRequest (interim): ACR, INTERIM_RECORD (3).
    case offlineInterim
    /// CH-1 SessionRequest (stop): ACR, STOP_RECORD (4).
    case offlineStop
    /// CH-2 SessionRequest (start): CCR, INITIAL_REQUEST (1).
    case onlineInitial
    /// CH-2 SessionRequest (update): CCR, UPDATE_REQUEST (2).
    case onlineUpdate
    /// CH-2 SessionRequest (stop): CCR, TERMINATION_REQUEST (3).
    case onlineTermination

    @inlinable public var isOffline: Bool { rawValue <= ChargingRequestKind.offlineStop.rawValue }

    /// Accounting-Record-Type (offline) or CC-Request-Type (online) on the wire.
    public var diameterRecordType: UInt32 {
        switch self {
        case .offlineStart: 2
        case .offlineInterim: 3
        case .offlineStop: 4
        case .onlineInitial: 1
        case .onlineUpdate: 2
        case .onlineTermination: 3
        }
    }

    public var description: String {
        switch self {
        case .offlineStart: "CH-1 start"
        case .offlineInterim: "CH-1 interim"
        case .offlineStop: "CH-1 stop"
        case .onlineInitial: "CH-2 initial"
        case .onlineUpdate: "CH-2 update"
        case .onlineTermination: "CH-2 termination"
        }
    }
}

/// One charging request, as the Charging Enabler User sends it. A plain value: the embedded
/// enabler reads it directly, and the Diameter binding maps it onto an ACR or a CCR.
/// The unit a CH-2 grant came in, and so the unit its usage is reported in (RFC 4006 §8.17–8.19:
/// Used-Service-Unit in the unit of the grant it uses).
public enum GrantUnit: UInt8, Sendable, Hashable, BitwiseCopyable {
    /// The configured unit: bytes (CC-Total-Octets) or messages (CC-Service-Specific-Units).
    case configured
    /// Octets counted each way (CC-Input-Octets and CC-Output-Octets): the body bytes accepted
    /// from the sender are the input, and the same bytes forwarded the output. A grant in both
    /// lasts until the smaller runs out.
    case inputAndOutputOctets
    /// Seconds of session (CC-Time, §8.21): the grant runs out in time, whatever the traffic.
    case time
}

public struct ChargingRequest: Sendable, Hashable, BitwiseCopyable {
    public var kind: ChargingRequestKind
    public var session: SessionKey
    /// Accounting-Record-Number (AVP 485) for CH-1, CC-Request-Number (AVP 415) for CH-2:
    /// counts from 0 per session and kind family. A retransmission keeps the number, which is
    /// how the enabler recognises a duplicate (RFC 6733 §9.4).
    public var number: UInt32
    /// 1 for the first transmission; a retransmission after a Tx timeout counts up and sets
    /// the T flag (RFC 6733 §3).
    public var attempt: UInt8
    /// CH-2: the unit ``usedUnits`` is in (the unit of the grant they were used against).
    public var usedUnit: GrantUnit = .configured
    /// CH-1: ``usage`` is the session's total through this record (as Rf's
    /// Accounting-Input-Octets/-Packets carry it, RFC 7155 §4.4), not the record's own: the
    /// Charging Enabler User's records are, and an enabler's from the wire. A ledger keeps the
    /// largest total of a session; records without the mark add up.
    public var usageIsSessionTotal = false
    /// CH-1: the session's usage through this record when ``usageIsSessionTotal`` (what the
    /// Charging Enabler User sends), else the record's own.
    public var usage: ChargingUsage
    /// CH-2: Used-Service-Unit (AVP 446) since the previous CH-2 report.
    public var usedUnits: UInt64
    /// CH-2: Requested-Service-Unit (AVP 437); 0 on a termination.
    public var requestedUnits: UInt64
    /// When the request left (nanoseconds on the caller's clock).
    public var sentAt: Int64
    /// Which of the owner's records in flight this is, set by ``ChargingDispatcher`` on the
    /// first transmission and kept by retransmissions; an enabler client echoes it in the
    /// answer (a Diameter client keeps it beside the Hop-by-Hop Identifier, RFC 6733 §3).
    public var correlation: UInt64 = 0

    @inlinable
    public init(
        kind: ChargingRequestKind,
        session: SessionKey,
        number: UInt32,
        attempt: UInt8 = 1,
        usage: ChargingUsage = .zero,
        usedUnits: UInt64 = 0,
        requestedUnits: UInt64 = 0,
        sentAt: Int64
    ) {
        self.kind = kind
        self.session = session
        self.number = number
        self.attempt = attempt
        self.usage = usage
        self.usedUnits = usedUnits
        self.requestedUnits = requestedUnits
        self.sentAt = sentAt
    }

    /// The T flag of RFC 6733 §3: set on a retransmission.
    @inlinable public var isRetransmission: Bool { attempt > 1 }
}

/// Diameter Result-Code values (RFC 6733 §7.1, RFC 4006 §9) that the flows act on.
public enum ChargingResultCode {
    public static let success: UInt32 = 2001
    /// DIAMETER_END_USER_SERVICE_DENIED (RFC 4006 §9.1): the enabler refuses the service.
    public static let endUserServiceDenied: UInt32 = 4010
    /// DIAMETER_CREDIT_LIMIT_REACHED (RFC 4006 §9.1): no credit left.
    public static let creditLimitReached: UInt32 = 4012
    /// DIAMETER_UNABLE_TO_DELIVER (RFC 6733 §7.1.3). The client uses it as the reason when
    /// no answer came within Tx.
    public static let unableToDeliver: UInt32 = 3002
    /// DIAMETER_TOO_BUSY (RFC 6733 §7.1.3): the peer cannot take the request now; another
    /// peer may.
    public static let tooBusy: UInt32 = 3004
    /// DIAMETER_UNABLE_TO_COMPLY (RFC 6733 §7.1.5).
    public static let unableToComply: UInt32 = 5012

    @inlinable public static func isSuccess(_ code: UInt32) -> Bool { code / 1000 == 2 }
}

/// The Charging Enabler's answer (ACA or CCA) to one request.
public struct ChargingAnswer: Sendable, Hashable, BitwiseCopyable {
    public var kind: ChargingRequestKind
    public var session: SessionKey
    public var number: UInt32
    public var resultCode: UInt32
    /// Acct-Interim-Interval (AVP 85) in nanoseconds; nil when the answer carries none (the
    /// client keeps the interval in force). 0 asks for no interims at all, only start and stop
    /// (RFC 6733 §9.8.2).
    public var interimInterval: Int64?
    /// CH-2: Granted-Service-Unit (AVP 431), in ``grantUnit`` (seconds for a time grant).
    public var grantedUnits: UInt64
    /// CH-2: Validity-Time (AVP 448) in nanoseconds; 0 for none.
    public var validityTime: Int64
    /// CH-2: Final-Unit-Indication (AVP 430) present: these units are the last.
    public var finalUnits: Bool
    /// The request's ``ChargingRequest/correlation``, echoed.
    public var correlation: UInt64 = 0
    /// The transmission this answers (1 for the first).
    public var attempt: UInt8 = 1
    /// CH-2: Credit-Control-Failure-Handling (AVP 427): overrides the configured handling for
    /// the session's later requests (RFC 4006 §5.7).
    public var failureHandling: CreditControlFailureHandling? = nil
    /// CH-2: the enabler keeps a credit-control session for this answer although it grants
    /// nothing the session can use: a CCA whose command succeeded (its Multiple-Services-Credit-
    /// Control denied, or granted no units), or one that came and could not be read. A session
    /// that does not go on then closes it with a termination (RFC 4006 §5.2), so no reservation
    /// is left open at the OCS.
    public var enablerHoldsSession = false
    /// CH-2: the unit of ``grantedUnits``.
    public var grantUnit: GrantUnit = .configured

    @inlinable
    public init(
        kind: ChargingRequestKind,
        session: SessionKey,
        number: UInt32,
        resultCode: UInt32 = ChargingResultCode.success,
        interimInterval: Int64? = nil,
        grantedUnits: UInt64 = 0,
        validityTime: Int64 = 0,
        finalUnits: Bool = false
    ) {
        self.kind = kind
        self.session = session
        self.number = number
        self.resultCode = resultCode
        self.interimInterval = interimInterval
        self.grantedUnits = grantedUnits
        self.validityTime = validityTime
        self.finalUnits = finalUnits
    }

    /// An answer to `request` (same kind, session, number, correlation and attempt).
    @inlinable
    public init(
        to request: ChargingRequest,
        resultCode: UInt32 = ChargingResultCode.success,
        interimInterval: Int64? = nil,
        grantedUnits: UInt64 = 0,
        validityTime: Int64 = 0,
        finalUnits: Bool = false
    ) {
        self.init(
            kind: request.kind,
            session: request.session,
            number: request.number,
            resultCode: resultCode,
            interimInterval: interimInterval,
            grantedUnits: grantedUnits,
            validityTime: validityTime,
            finalUnits: finalUnits
        )
        correlation = request.correlation
        attempt = request.attempt
    }

    @inlinable public var isSuccess: Bool { ChargingResultCode.isSuccess(resultCode) }
}
