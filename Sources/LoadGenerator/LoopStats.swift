import Charging
import Histogram
import NIOCore

/// Each event loop's ``LoopStats``: the handlers made on a loop get that loop's at birth.
struct PerLoopStats: Sendable {
    let byLoop: [ObjectIdentifier: LoopStats]

    init(_ loops: [EventLoop]) {
        byLoop = Dictionary(uniqueKeysWithValues: loops.map { (ObjectIdentifier($0), LoopStats()) })
    }

    /// `loop`'s figures (a loop of the run's group).
    func callAsFunction(_ loop: EventLoop) -> LoopStats {
        guard let s = byLoop[ObjectIdentifier(loop)] else { preconditionFailure("an event loop outside the run's group") }
        return s
    }
}

/// One event loop's figures: every connection on the loop writes here (the loop is its only
/// writer), and the runner reads them on the loop at the end.
final class LoopStats: @unchecked Sendable {
    // One event loop owns this object: its properties skip the runtime's exclusivity checks
    // (a swift_beginAccess per access, 6 % of the generator's CPU at 200 k chunks/s).
    /// Everything counted on this loop (a run adds every loop's).
    @exclusivity(unchecked) var figures = LoadTotals()
    /// SEND → 200 since the last interval was taken (--interval-csv).
    @exclusivity(unchecked) var intervalLatency = LoopStats.histogram()

    static func histogram() -> Histogram<UInt64> {
        Histogram(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 60_000_000_000,
            numberOfSignificantValueDigits: .three
        )
    }

    @inline(__always)
    func record(_ h: inout Histogram<UInt64>, _ ns: Int64) {
        _ = h.record(UInt64(min(max(1, ns), 60_000_000_000)))
    }

    /// The interval's figures so far, and a fresh interval.
    func takeInterval() -> (chunks: UInt64, messages: UInt64, latency: Histogram<UInt64>) {
        let h = intervalLatency
        intervalLatency.reset()
        return (figures.chunksSent, figures.messagesSent &+ figures.abortedSent, h)
    }

    func deliveryError(_ text: @autoclosure () -> String) {
        figures.deliveryErrors &+= 1
        if figures.firstDeliveryError == nil { figures.firstDeliveryError = text() }
    }

    /// A delivery error the sender saw (a response that is not 200, or that no chunk awaits):
    /// also kept apart, since the recipient's side of the same fault (a chunk missing) may come
    /// first, and the report names both.
    func responseError(_ text: @autoclosure () -> String) {
        if figures.firstResponseError == nil {
            let t = text()
            figures.firstResponseError = t
            deliveryError(t)
        } else {
            deliveryError(text())
        }
    }
}

/// A loop's figures, or every loop's together.
struct LoadTotals {
    /// SEND written → its 200 OK read (from when it was due, with a rate), nanoseconds.
    var chunkLatency = LoopStats.histogram()
    /// First chunk of a message sent → its last chunk received by the recipient.
    var deliveryLatency = LoopStats.histogram()
    var chunksSent: UInt64 = 0
    var chunksExpectingResponse: UInt64 = 0
    var responses: [Int: UInt64] = [:]
    var messagesSent: UInt64 = 0
    var abortedSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var messagesDelivered: UInt64 = 0
    var abortedDelivered: UInt64 = 0
    var bytesDelivered: UInt64 = 0
    var chunksReceived: UInt64 = 0
    /// Connections the target bound to our recipients (one per recipient leg).
    var bindings: UInt64 = 0
    var deliveryErrors: UInt64 = 0
    var firstDeliveryError: String? = nil
    /// The first of them the sender saw (``LoopStats/responseError(_:)``).
    var firstResponseError: String? = nil
    /// Times a connection could not take more and the generator waited (its send queue full).
    var sendQueueFull: UInt64 = 0
    /// Caller connections that closed (reset, or closed by the target) before the run ended,
    /// and callers still waiting for responses when the drain timed out; BYEs unanswered.
    var callersLost: UInt64 = 0
    var callersUndrained: UInt64 = 0
    var byesUnanswered: UInt64 = 0

    mutating func add(_ o: LoadTotals) {
        callersLost &+= o.callersLost
        callersUndrained &+= o.callersUndrained
        byesUnanswered &+= o.byesUnanswered
        chunkLatency.add(o.chunkLatency)
        deliveryLatency.add(o.deliveryLatency)
        chunksSent &+= o.chunksSent
        chunksExpectingResponse &+= o.chunksExpectingResponse
        for (k, v) in o.responses { responses[k, default: 0] &+= v }
        messagesSent &+= o.messagesSent
        abortedSent &+= o.abortedSent
        bytesSent &+= o.bytesSent
        messagesDelivered &+= o.messagesDelivered
        abortedDelivered &+= o.abortedDelivered
        bytesDelivered &+= o.bytesDelivered
        chunksReceived &+= o.chunksReceived
        bindings &+= o.bindings
        deliveryErrors &+= o.deliveryErrors
        if firstDeliveryError == nil { firstDeliveryError = o.firstDeliveryError }
        if firstResponseError == nil { firstResponseError = o.firstResponseError }
        sendQueueFull &+= o.sendQueueFull
    }
}
