import ArgumentParser
import Charging
import LoadEngine
import Workload

/// How the Charging Enabler User charges, as options: the same names on `bench` (in memory)
/// and `serve` (on the wire), with the embedded enabler's model beside them.
public struct ChargingOptions: ParsableArguments {
    @Option(help: "Charging: off, offline (CH-1), online (CH-2) or both.")
    var mode = ChargingMode.offline

    @Option(
        help:
            "Interim interval in seconds, until the enabler sends one (and the embedded enabler's Acct-Interim-Interval unless --enabler-interim-interval is given)."
    )
    var interimInterval = 10.0

    @Option(help: "Ceiling on CH-1 interims per second across all sessions (token bucket).")
    var interimCeiling: Double?

    @Option(help: "Interims the ceiling lets through at once.")
    var interimCeilingBurst = 100

    @Option(help: "CH-2 units: bytes or messages.")
    var unit = ChargingUnit.bytes

    @Option(help: "Requested-Service-Unit on CH-2 initial and update.")
    var requestedUnits: UInt64 = 100_000

    @Option(help: "Session set-up: one-to-one, one-to-one-on-answer or conference.")
    var setup = SessionSetup.oneToOne

    @Option(help: "When Tx expires on CH-2: continue, terminate or retry-then-terminate.")
    var failureHandling = CreditControlFailureHandling.retryThenTerminate

    @Option(help: "Tx, seconds to wait for a charging answer.")
    var txTimeout = 2.0

    @OptionGroup(title: "Charging Enabler model (the embedded enabler, or `msrpcharge enabler`)")
    var enablerModel: EnablerModelOptions

    public init() {}

    /// The Charging Enabler User's configuration; throws with the offending value.
    public func configuration() throws(WorkloadError) -> ChargingConfiguration {
        var c = ChargingConfiguration()
        c.mode = mode
        c.defaultInterimInterval = try WorkloadOptions.seconds("--interim-interval", interimInterval)
        c.interimCeilingPerSecond = interimCeiling
        c.interimCeilingBurst = interimCeilingBurst
        c.unit = unit
        c.requestedUnits = requestedUnits
        c.setup = setup
        c.failureHandling = failureHandling
        c.txTimeout = try WorkloadOptions.seconds("--tx-timeout", txTimeout)
        return c
    }

    /// The embedded enabler's model. No Acct-Interim-Interval by default when the client
    /// charges every message: it keeps its own interval of 0.
    public func enablerConfiguration(seed: UInt64) throws(WorkloadError) -> EmbeddedEnablerConfiguration {
        let interval = try WorkloadOptions.seconds("--interim-interval", interimInterval)
        return try enablerModel.configuration(seed: seed, defaultInterimInterval: interimInterval > 0 ? interval : nil)
    }
}
