import NIOConcurrencyHelpers

/// A Charging Enabler reached over a network, as its owners see it: ``send(_:answers:)`` pushes
/// the request into the queue of the peer its attempt names (``ChargingPeers``: retransmissions
/// after Tx go to the next peer) and returns; the answer comes back later, from the peer's
/// loop, into the owner's queue. The protocol binding (DiameterNIO's client: ACR on Rf, CCR on
/// Ro) drains the queues and fills ``acknowledged``; this type is what the engine and the
/// server are specialised for, so neither links the binding. Tx, retransmission and failure
/// handling stay with the owner's dispatcher, as for the embedded enabler.
public final class RemoteEnablerClient: ChargingEnablerClient, @unchecked Sendable {
    /// One queue per peer, primary first.
    public let queues: [ChargingPeerQueue]
    /// What the enabler answered 2001 to, per session, duplicates dropped: the bench's
    /// conservation check compares it with the usage it accepted.
    public let acknowledged: ChargingLedger
    /// Owners' queues, kept alive while the client lives (answers may arrive after an owner
    /// gave up on them and went away).
    let attached = NIOLockedValueBox([ChargingAnswerQueue]())

    public init(queues: [ChargingPeerQueue], acknowledged: ChargingLedger) {
        self.queues = queues
        self.acknowledged = acknowledged
    }

    public var peerCount: Int { queues.count }

    public func attach(_ answers: ChargingAnswerQueue) {
        attached.withLockedValue { $0.append(answers) }
    }

    /// Sends to the peer the attempt names, or, when that one is not open, to the next open
    /// one: a first transmission does not wait out Tx on a peer known to be down.
    @inlinable @inline(__always)
    public func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery? {
        var p = ChargingPeers.peer(forAttempt: request.attempt, peers: queues.count)
        if queues.count > 1 && !queues[p].isOpen {
            for k in 1..<queues.count where queues[(p + k) % queues.count].isOpen {
                p = (p + k) % queues.count
                break
            }
        }
        queues[p].enqueue(request, answers: answers)
        return nil
    }
}
