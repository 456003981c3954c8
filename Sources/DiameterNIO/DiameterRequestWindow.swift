import Charging

/// A request written to the peer and not yet answered, at `hopByHopID & mask`; the
/// Hop-by-Hop Identifier's upper bits count the slot's uses, so a late answer to a slot's
/// earlier request does not match (RFC 6733 §3: the identifier matches an answer to its
/// request).
struct InFlightSlot {
    var hopByHopID: UInt32 = 0
    var live = false
    var queued: QueuedChargingRequest
    var writtenAt: Int64 = 0
}

/// The requests in flight on one peer connection, at most `capacity` (the window, a power of
/// two): further requests wait in the owners' ring, and a full ring makes them wait. Without a
/// window an overloaded enabler's answers come after Tx and retransmissions pile onto the load.
///
/// Slots are found by the answer's Hop-by-Hop Identifier, so matching an answer costs one
/// array access; free slots are a stack. Loop-local: the peer's event loop alone touches it.
struct DiameterRequestWindow: ~Copyable {
    private let slots: UnsafeMutablePointer<InFlightSlot>
    private let freeSlots: UnsafeMutablePointer<UInt32>
    private(set) var freeCount: Int
    let mask: UInt32

    /// Room for `window` requests, rounded up to a power of two (16 at least).
    init(window: Int) {
        var n = 16
        while n < window { n <<= 1 }
        let filler = ChargingRequest(kind: .offlineStart, session: .empty, number: 0, sentAt: 0)
        slots = .allocate(capacity: n)
        slots.initialize(repeating: InFlightSlot(queued: QueuedChargingRequest(request: filler, answers: nil)), count: n)
        freeSlots = .allocate(capacity: n)
        for i in 0..<n { freeSlots[i] = UInt32(n - 1 - i) }
        freeCount = n
        mask = UInt32(n - 1)
    }

    deinit {
        slots.deinitialize(count: Int(mask) + 1)
        slots.deallocate()
        freeSlots.deallocate()
    }

    var hasRoom: Bool { freeCount > 0 }

    /// Puts `o` in a free slot (the caller checked ``hasRoom``) and returns the Hop-by-Hop
    /// Identifier to write it with.
    @inline(__always)
    mutating func take(_ o: QueuedChargingRequest, writtenAt now: Int64) -> UInt32 {
        freeCount -= 1
        let index = freeSlots[freeCount]
        let slot = slots + Int(index)
        // Upper bits: a count of the slot's uses.
        let hbh = (slot.pointee.hopByHopID &+ (mask &+ 1)) & ~mask | index
        slot.pointee = InFlightSlot(hopByHopID: hbh, live: true, queued: o, writtenAt: now)
        return hbh
    }

    /// Frees the slot of `hopByHopID` without an answer (the request could not be written).
    @inline(__always)
    mutating func giveBack(_ hopByHopID: UInt32) { release(hopByHopID & mask) }

    /// The request an answer with `hopByHopID` answers, its slot freed; nil when no request in
    /// flight has that identifier (a late answer to a slot's earlier use, or a stranger's).
    @inline(__always)
    mutating func answered(_ hopByHopID: UInt32) -> InFlightSlot? {
        let index = hopByHopID & mask
        let slot = slots[Int(index)]
        guard slot.live, slot.hopByHopID == hopByHopID, slot.queued.answers != nil else { return nil }
        release(index)
        return slot
    }

    /// Every request in flight, their slots freed, each with its attempt counted up: the
    /// connection went down, so they go again (RFC 6733 §5.5.4).
    mutating func removeAllInFlight() -> [QueuedChargingRequest] {
        var again: [QueuedChargingRequest] = []
        for i in 0...Int(mask) where slots[i].live {
            release(UInt32(i))
            var o = slots[i].queued
            o.request.attempt &+= 1
            again.append(o)
        }
        return again
    }

    /// Frees the slots written before `limit` (their answers were lost; the owners' Tx fired
    /// long before); returns how many.
    mutating func expire(writtenBefore limit: Int64) -> Int {
        var n = 0
        for i in 0...Int(mask) where slots[i].live && slots[i].writtenAt < limit {
            release(UInt32(i))
            n += 1
        }
        return n
    }

    @inline(__always)
    private mutating func release(_ index: UInt32) {
        slots[Int(index)].live = false
        freeSlots[freeCount] = index
        freeCount += 1
    }
}
