import Charging

/// Failover (RFC 6733 §5.5.4): what a connection that went down had in flight or waiting goes
/// to another open peer, or waits for this one to reopen (§9.4).
extension DiameterPeerConnection {
    /// The connection is no longer usable (closed, or the peer sent DPR). Every request in
    /// flight on it goes again, with the T flag, to another open peer, and so do the requests
    /// waiting for it; with no other peer open they wait here for the reconnection, the
    /// unanswered ones marked as retransmissions, or for another peer to open
    /// (``DiameterChargingClient``'s adoption).
    func closed() {
        guard open else { return }
        open = false
        watchdog.reset(at: .now())
        queue.markClosed()
        let again = window.removeAllInFlight()
        counters.failedOver &+= UInt64(again.count)
        // Unanswered first, then what was held, then the ring: all to another open peer, or
        // all kept here, in that order.
        held.prepend(again)
        handOverWaiting()
    }

    /// The owners asked for a hand-over (their peer is closed): unless it reopened meanwhile,
    /// what it holds goes to another open peer.
    func handOverRequested() {
        queue.handOverStarted()
        if !open { handOverWaiting() }
    }

    /// Moves everything this (closed) peer holds or finds in its ring to another open peer;
    /// keeps it when none is open. On the loop, which consumes every peer's ring.
    func handOverWaiting() {
        while let o = held.popFirst() {
            if !reroute(o) {
                held.prepend([o])
                return
            }
        }
        while let o = queue.ring.pop() {
            if !reroute(o) {
                held.prepend([o])
                break
            }
        }
        queue.madeRoom()
    }
}

/// Requests the loop holds for a peer (see ``DiameterPeerConnection``): a FIFO of its own, so
/// the loop never pushes into a ring it drains itself.
struct HeldRequests {
    var items: [QueuedChargingRequest] = []
    var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ o: QueuedChargingRequest) { items.append(o) }

    /// Puts `first` before everything held, in its order.
    mutating func prepend(_ first: [QueuedChargingRequest]) {
        guard !first.isEmpty else { return }
        items.replaceSubrange(0..<head, with: first)
        head = 0
    }

    mutating func popFirst() -> QueuedChargingRequest? {
        guard head < items.count else { return nil }
        let o = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return o
    }
}
