import Charging
import Diameter
import NIOCore

/// One Diameter peer of the client (RFC 6733 §5; RFC 3539's watchdog), as the other threads
/// see it: where it is, the event loop it runs on, and ``queue``, the owners' side (any thread
/// pushes requests into its ring; ``ChargingPeerQueue`` holds the wake-up and back-pressure,
/// counted in ``DiameterPeerCounters/queueFullWaits``). Waking the loop is NIO's `execute`,
/// which takes NIO's task-queue lock once per wake-up, not per request.
///
/// Everything else is ``DiameterPeerConnection``, confined to ``eventLoop`` by a
/// `NIOLoopBoundBox`: reading it anywhere else stops the process, so the type is `Sendable`
/// without an unchecked promise.
/// What a peer is made with: where it is, who this node is, how its requests are written, and
/// its window, answer expiry, watchdog interval and queue wait.
struct DiameterPeerSettings: Sendable {
    var host: String
    var port: Int
    var identity: EncodedIdentity
    var mapping: ChargingDiameterMapping
    /// What the enabler answered 2001 to (the client's record for the conservation check).
    var acknowledged: ChargingLedger
    var window: Int
    var slotExpiry: Int64
    /// Tw (RFC 3539 §3.4.1).
    var watchdogInterval: TimeAmount
    var queueWait: Int64 = 1_000_000_000
    /// Who each session charges, where the IM server recorded it (else the session's own
    /// `sip:<session>@<realm>`).
    var parties: ChargedParties? = nil
}

public final class DiameterPeer: Sendable {
    public let host: String
    public let port: Int
    public let eventLoop: EventLoop
    /// The owners' side: the ring they push into, the open and wake-up words, back-pressure.
    public let queue: ChargingPeerQueue
    /// Tw (RFC 3539 §3.4.1): silence after which a DWR goes out.
    let watchdogInterval: TimeAmount
    let slotExpiry: Int64
    private let state: NIOLoopBoundBox<DiameterPeerConnection>

    init(_ settings: DiameterPeerSettings, eventLoop: EventLoop) {
        host = settings.host
        port = settings.port
        self.eventLoop = eventLoop
        watchdogInterval = settings.watchdogInterval
        slotExpiry = settings.slotExpiry
        let queue = ChargingPeerQueue(window: settings.window, queueWait: settings.queueWait)
        self.queue = queue
        state = .makeBoxSendingValue(
            DiameterPeerConnection(settings, eventLoop: eventLoop, queue: queue),
            eventLoop: eventLoop
        )
        // Weak: the queue outlives nothing here, and a strong box would close a cycle
        // (box → connection → queue → these closures → box).
        let box = state
        let loop = eventLoop
        let drain: @Sendable () -> Void = { [weak box] in box?.value.drain() }
        queue.scheduleDrain = { loop.execute(drain) }
        let handOver: @Sendable () -> Void = { [weak box] in box?.value.handOverRequested() }
        queue.scheduleHandOver = { loop.execute(handOver) }
    }

    /// The loop-confined part; only on ``eventLoop``.
    var connection: DiameterPeerConnection { state.value }

    /// Connects (on the loop), starts the watchdog's Tw timer and the sweep of lost answers,
    /// and completes `opened` when the capabilities exchange succeeded, or fails it after
    /// `timeout`.
    func start(opened: EventLoopPromise<Void>, timeout: TimeAmount) {
        let box = state
        let endpoint = "\(host):\(port)"
        let tw = watchdogInterval
        let sweep = TimeAmount.nanoseconds(max(1_000_000, min(250_000_000, slotExpiry / 4)))
        eventLoop.execute {
            let connection = box.value
            connection.openPromise = opened
            connection.connect()
            let loop = connection.eventLoop
            loop.scheduleRepeatedTask(initialDelay: tw, delay: tw) { [weak box] _ in box?.value.watchdogTick() }
            loop.scheduleRepeatedTask(initialDelay: sweep, delay: sweep) { [weak box] _ in box?.value.expireSlots() }
            loop.scheduleTask(in: timeout) {
                let connection = box.value
                guard let promise = connection.openPromise else { return }
                connection.openPromise = nil
                promise.fail(
                    DiameterPeerError(
                        description:
                            "no capabilities exchange with \(endpoint) within \(timeout.nanoseconds / 1_000_000_000) s"
                    )
                )
            }
        }
    }

    /// Its counters, read on its loop.
    func counters() -> EventLoopFuture<DiameterPeerCounters> {
        let box = state
        let queue = queue
        return eventLoop.submit {
            var c = box.value.counters
            c.queueFullWaits = queue.queueFullWaits
            c.queueGiveUps = queue.queueGiveUps
            return c
        }
    }

    /// Sends a DPR (RFC 6733 §5.4) and closes when the DPA comes, or after a second.
    func shutdown() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let box = state
        eventLoop.execute { box.value.shutdown(promise) }
        return promise.futureResult
    }
}

struct DiameterPeerError: Error, CustomStringConvertible {
    var description: String
}
