import ArgumentParser
import Charging
import LoadEngine
import Workload

/// The Charging Enabler's model, as options: the same names on `bench` (the embedded enabler)
/// and on `msrpcharge enabler` (the Diameter server).
public struct EnablerModelOptions: ParsableArguments {
    @Option(help: "Embedded enabler answer latency in milliseconds: N, LO-HI (uniform) or exp:MEAN.")
    public var enablerLatency = "1"

    @Option(help: "Units the embedded enabler grants per CH-2 answer.")
    public var grantedUnits: UInt64 = 1_000_000

    @Option(help: "Validity-Time of a grant, seconds (0: none).")
    public var validity = 0.0

    @Option(help: "Units the enabler grants a session in all (the last grant carries final units).")
    public var creditPerSession: UInt64?

    @Option(help: "Share of CH-2 requests the enabler denies.")
    public var denialShare = 0.0

    @Option(help: "Share of requests the enabler never answers.")
    public var timeoutShare = 0.0

    @Option(
        help:
            "Acct-Interim-Interval the embedded enabler returns, seconds; 0 asks for no interims at all, only start and stop (RFC 6733 §9.8.2). Default: --interim-interval, or no AVP when that is 0."
    )
    public var enablerInterimInterval: Double?

    @Option(
        help:
            "Credit-Control-Failure-Handling the enabler sends with each CH-2 answer (terminate, continue or retry-then-terminate): it overrides the client's --failure-handling (RFC 4006 §5.7). Default: none."
    )
    public var enablerFailureHandling: CreditControlFailureHandling?

    public init() {}

    /// `1` (fixed), `0.5-2` (uniform) or `exp:1`, in milliseconds.
    static func latency(_ text: String) throws(WorkloadError) -> AnswerLatency {
        try WorkloadOptions.durations("--enabler-latency", text, unit: "milliseconds", nanoseconds: 1e6)
    }

    /// The embedded enabler's configuration; `defaultInterimInterval` (nanoseconds, nil for no
    /// AVP) applies when --enabler-interim-interval is not given.
    public func configuration(
        seed: UInt64,
        defaultInterimInterval: Int64?
    ) throws(WorkloadError)
        -> EmbeddedEnablerConfiguration
    {
        var c = EmbeddedEnablerConfiguration()
        c.latency = try Self.latency(enablerLatency)
        c.grantedUnits = grantedUnits
        c.validityTime = try WorkloadOptions.seconds("--validity", validity)
        c.creditPerSession = creditPerSession
        c.denialShare = denialShare
        c.timeoutShare = timeoutShare
        if let enablerInterimInterval {
            c.interimInterval = try WorkloadOptions.seconds("--enabler-interim-interval", enablerInterimInterval)
        } else {
            c.interimInterval = defaultInterimInterval
        }
        c.creditControlFailureHandling = enablerFailureHandling
        c.seed = seed
        try c.validate()
        return c
    }
}
