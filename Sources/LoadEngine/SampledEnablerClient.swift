import Charging

/// The embedded enabler as one worker's client, timing a sample of its requests so that the
/// report can say how much of the worker's time went to the enabler, which stands for a
/// remote system, rather than to the Charging Enabler User's own work. One request in
/// ``sampleEvery`` is timed with two clock reads; the total is estimated from the sample.
/// One per worker (its counters are the worker's alone).
///
/// With a Diameter client (`bench --enabler diameter://…`) every request goes to it instead:
/// one branch, no existential.
final class SampledEnablerClient: ChargingEnablerClient, @unchecked Sendable {
    let inner: EmbeddedChargingEnabler
    let remote: RemoteEnablerClient?
    static let sampleEvery: UInt64 = 64
    var requests: UInt64 = 0
    var sampledNanoseconds: Int64 = 0
    var sampled: UInt64 = 0

    init(_ inner: EmbeddedChargingEnabler, remote: RemoteEnablerClient? = nil) {
        self.inner = inner
        self.remote = remote
    }

    var peerCount: Int { remote?.peerCount ?? inner.peerCount }

    func attach(_ answers: ChargingAnswerQueue) { remote?.attach(answers) }

    @inlinable
    func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        requests &+= 1
        if let remote { return remote.send(request, answers: answers) }
        guard requests % Self.sampleEvery == 0 else { return inner.send(request, answers: answers) }
        let start = monotonicNanoseconds()
        let d = inner.send(request, answers: answers)
        let took = monotonicNanoseconds() &- start
        // A sample over 1 ms had the thread preempted inside it (an answer takes well under a
        // microsecond): it would inflate the estimate past the whole timed phase.
        if took < 1_000_000 {
            sampledNanoseconds &+= took
            sampled &+= 1
        }
        return d
    }

    /// Estimated nanoseconds spent in the enabler for every request so far.
    var estimatedNanoseconds: Double {
        sampled == 0 ? 0 : Double(sampledNanoseconds) / Double(sampled) * Double(requests)
    }
}
