/// Which charging the Charging Enabler User does.
public enum ChargingMode: String, Sendable, CaseIterable {
    case off, offline, online, both

    @inlinable public var offline: Bool { self == .offline || self == .both }
    @inlinable public var online: Bool { self == .online || self == .both }
}

/// What CH-2 counts as a unit of service.
public enum ChargingUnit: String, Sendable, CaseIterable {
    /// One unit per message that ended (`$` or `#`).
    case messages
    /// One unit per body byte accepted.
    case bytes
}

/// What the client does when the enabler does not answer a CH-2 request within Tx:
/// Credit-Control-Failure-Handling, RFC 4006 §8.14 (AVP 427).
public enum CreditControlFailureHandling: String, Sendable, CaseIterable, BitwiseCopyable {
    /// TERMINATE (0): end the session (or refuse its set-up) at the first timeout.
    case terminate
    /// CONTINUE (1): carry on without credit control; usage is still reported.
    case `continue`
    /// RETRY_AND_TERMINATE (2): retransmit; end the session if every attempt times out.
    case retryThenTerminate = "retry-then-terminate"
}

/// How the IM session is set up, which fixes when CH-2 start is sent (seed 001).
public enum SessionSetup: String, Sendable, CaseIterable {
    /// 6.3.3.1 as its figure draws it: INVITE in → CH-2 start → forward the INVITE only if
    /// units were granted → 200 OK from the recipient → 200 OK to the originator.
    case oneToOne = "one-to-one"
    /// 6.3.3.1 as its step 3 reads: INVITE forwarded → 200 OK from the recipient → CH-2 start
    /// → 200 OK to the originator only if units were granted (else both legs are ended).
    case oneToOneReserveOnAnswer = "one-to-one-on-answer"
    /// 6.3.3.2: INVITE in → 200 OK to the originator → CH-2 start → INVITE to each recipient
    /// if granted (else the originator's session is ended).
    case conference
}

/// The Charging Enabler User's settings. Durations are nanoseconds.
public struct ChargingConfiguration: Sendable {
    public var mode: ChargingMode = .offline
    /// Interim interval used until the enabler sends Acct-Interim-Interval (RFC 6733 §9.8.2).
    public var defaultInterimInterval: Int64 = 10 * ChargingConfiguration.second
    /// The first interim of a session waits a further random share (up to this fraction) of
    /// the interval, drawn from the session's hash, so that sessions set up together do not
    /// all report together (RFC 6733 §9.8.2 asks clients to avoid such storms).
    public var firstInterimJitter: Double = 0.25
    /// A ceiling on CH-1 interims per second across all sessions (a token bucket); nil for
    /// none. Interims over the ceiling are suppressed like those inside the interval.
    public var interimCeilingPerSecond: Double? = nil
    /// Interims the bucket may let through at once.
    public var interimCeilingBurst: Int = 100
    public var unit: ChargingUnit = .bytes
    /// Requested-Service-Unit on CH-2 initial and update.
    public var requestedUnits: UInt64 = 100_000
    public var failureHandling: CreditControlFailureHandling = .retryThenTerminate
    public var setup: SessionSetup = .oneToOne
    /// Tx (RFC 4006 §13): how long to wait for an answer.
    public var txTimeout: Int64 = 2 * ChargingConfiguration.second
    /// Transmissions of a request that carries usage (and of a CH-2 initial under
    /// retry-then-terminate) before it is given up.
    public var maximumAttempts: UInt8 = 8

    public static let second: Int64 = 1_000_000_000
    public static let millisecond: Int64 = 1_000_000

    public init() {}

    public init(mode: ChargingMode) { self.mode = mode }
}
