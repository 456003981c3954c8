/// The Charging Enabler as its user's owner sees it: requests go out, and each answer (or
/// nothing) comes back later, from any thread, into the owner's ``ChargingAnswerQueue``.
///
/// `send` returns at once and never waits for the answer: the owner keeps the request's Tx
/// timer and matches the answer when it arrives (``ChargingDispatcher``). The embedded
/// simulator (``EmbeddedChargingEnabler``) answers on the caller's thread with a simulated
/// arrival time; a Diameter client sends the ACR/CCR and pushes the mapped ACA/CCA from its
/// event loop. Owners are generic over the conforming type, so calls are specialised, never
/// existential.
public protocol ChargingEnablerClient: Sendable {
    /// How many peers requests can go to: attempt `n` of a request goes to peer
    /// ``ChargingPeers/peer(forAttempt:peers:)``, the first attempt to the primary, each
    /// retransmission after Tx to the next alternate (RFC 6733 §5.5.4).
    var peerCount: Int { get }

    /// Sends `request` (its ``ChargingRequest/attempt`` says which peer, its
    /// ``ChargingRequest/correlation`` must come back in the answer). The answer, if one
    /// comes, goes into `answers` from whatever thread has it; a client that answers on the
    /// caller's thread (the embedded simulator) may instead return it, with its arrival time,
    /// and spare the queue. Either way the owner takes it at its arrival time, not before.
    func send(_ request: ChargingRequest, answers: ChargingAnswerQueue) -> ChargingAnswerDelivery?

    /// Tells the client about an owner's queue before any request names it: a client that
    /// answers from another thread keeps the queue alive for as long as answers may still come
    /// (an answer after the owner gave up and went away must land somewhere), so that requests
    /// can carry it unretained.
    func attach(_ answers: ChargingAnswerQueue)
}

extension ChargingEnablerClient {
    /// Clients that answer on the caller's thread need nothing.
    @inlinable public func attach(_ answers: ChargingAnswerQueue) {}
}

/// Which peer each transmission of a request goes to.
public enum ChargingPeers {
    /// Peer index (0 is the primary) for transmission `attempt` (1 for the first): the first
    /// goes to the primary, the k-th to alternate k − 1, round the list when there are fewer
    /// peers than attempts. With one peer, every attempt goes to it, with the T flag after the
    /// first (RFC 6733 §5.5.4 allows that when no alternate exists).
    @inlinable
    public static func peer(forAttempt attempt: UInt8, peers: Int) -> Int {
        peers <= 1 ? 0 : (Int(max(attempt, 1)) - 1) % peers
    }
}
