import Charging
import Diameter
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The request path: the owners' ring into the window and onto the wire, answers back to the
/// owners' queues.
extension DiameterPeerConnection {
    /// The next request to write: what the loop holds first, then the workers' ring.
    @inline(__always)
    func nextWaiting() -> QueuedChargingRequest? {
        held.popFirst() ?? queue.ring.pop()
    }

    /// Writes waiting requests while the window has room (up to a batch; more reschedules
    /// itself), in one buffer. When the window is full, `wake` stays 1 and answers resume the
    /// drain (``readComplete()``).
    func drain() {
        guard open, let channel else { return }  // `wake` stays 1 until the connection opens
        guard window.hasRoom else {
            queue.holdWakeUps()
            return
        }
        queue.acceptWakeUps()
        var buffer = channel.allocator.buffer(capacity: 32 * 1024)
        let now = monotonicNanoseconds()
        let timestamp = ChargingDiameterMapping.ntpSeconds(unixSeconds: Int64(time(nil)))
        var written = 0
        while written < 2048, window.hasRoom, let o = nextWaiting() {
            let hbh = window.take(o, writtenAt: now)
            let later = o.request.kind == .onlineUpdate || o.request.kind == .onlineTermination
            let destination = later ? destinations?.host(o.request.session) : nil
            let encoded = withParty(o.request.session) { party in
                (destination ?? []).withUnsafeBytes { destinationHost in
                    buffer.writeDiameterMessage {
                        mapping.encode(
                            o.request,
                            identity: (identity.originHost, identity.originRealm),
                            sessionIDPrefix: o.request.kind.isOffline ? rfPrefix : roPrefix,
                            destinationRealm: destinationRealm,
                            serviceContextID: serviceContextID,
                            subscriptionPrefix: subscriptionPrefix,
                            scratch: scratch,
                            eventTimestamp: timestamp,
                            hopByHopID: hbh,
                            party: party,
                            destinationHost: destinationHost,
                            into: &$0
                        )
                    }
                }
            }
            if !encoded {
                // Over 64 KiB (identities of that size): never sent; the owner's Tx gives it up.
                window.giveBack(hbh)
                counters.abandonedSlots &+= 1
                continue
            }
            if o.request.kind.isOffline {
                counters.accountingRequests &+= 1
            } else {
                counters.creditControlRequests &+= 1
            }
            if o.request.isRetransmission { counters.retransmissions &+= 1 }
            written += 1
        }
        if !window.hasRoom {
            queue.holdWakeUps()
        } else if written == 2048 {
            eventLoop.assumeIsolated().execute(drainTask)
        }
        if written > 0 {
            channel.writeAndFlush(buffer, promise: nil)
            queue.madeRoom()
        }
    }

    /// Calls `body` with views of the session's recorded parties (calling, called), or nil.
    @inline(__always)
    func withParty<R>(_ session: SessionKey, _ body: (ChargingDiameterMapping.Party?) -> R) -> R {
        guard let parties, let p = parties.party(session) else { return body(nil) }
        return p.calling.withUnsafeBytes { calling in
            p.called.withUnsafeBytes { called in
                p.icid.withUnsafeBytes { icid in
                    body(ChargingDiameterMapping.Party(calling: calling, called: called, icid: icid))
                }
            }
        }
    }

    /// An ACA or CCA: matched to its request by Hop-by-Hop Identifier, decoded, and handed to
    /// the request's owner; 3002 and 3004 send the request to another peer.
    func answered(_ m: DiameterMessage) {
        guard let slot = window.answered(m.header.hopByHopID), let queue = slot.queued.answers else {
            counters.unmatchedAnswers &+= 1
            return
        }
        let request = slot.queued.request
        let answer: ChargingAnswer
        do {
            answer = try ChargingDiameterMapping.answer(m, to: request, ratingGroup: mapping.ratingGroup)
        } catch {
            counters.malformedAnswers &+= 1
            if request.kind == .onlineInitial {
                // A CCA-I came and cannot be read: the OCS may hold a reservation for it, so
                // the set-up is refused with a termination behind it, rather than left to Tx
                // (which would refuse it later with nothing to close the reservation).
                var unusable = ChargingAnswer(to: request, resultCode: ChargingResultCode.unableToComply)
                unusable.enablerHoldsSession = true
                deliver(ChargingAnswerDelivery(unusable), to: queue)
            }
            return
        }
        counters.answersByResultCode[answer.resultCode, default: 0] &+= 1
        if request.kind.isOffline {
            counters.accountingAnswersByResultCode[answer.resultCode, default: 0] &+= 1
        } else {
            counters.creditControlAnswersByResultCode[answer.resultCode, default: 0] &+= 1
        }
        if answer.resultCode == ChargingResultCode.unableToDeliver || answer.resultCode == ChargingResultCode.tooBusy {
            // DIAMETER_UNABLE_TO_DELIVER or DIAMETER_TOO_BUSY (RFC 6733 §7.1.3) is no answer from
            // the charging system: the request goes again, with the T flag, to another open peer;
            // with none, the owner's Tx sends it again as for a request never answered.
            var r = request
            r.attempt &+= 1
            if reroute(QueuedChargingRequest(request: r, answers: queue)) { counters.failedOver &+= 1 }
            return
        }
        if request.kind.isOffline && answer.resultCode / 1000 == 4 {
            // A transient failure (RFC 6733 §7.1.4, e.g. 4002 out of space): the OFCS may take
            // the record later, so it is not given up: Tx sends it again, up to its attempts.
            counters.transientAccountingFailures &+= 1
            return
        }
        counters.roundTrip.record(UInt64(max(1_000, monotonicNanoseconds() &- slot.writtenAt)))
        if request.kind == .onlineInitial && answer.isSuccess {
            destinations?.record(request.session, host: Self.originHost(m))
        } else if request.kind == .onlineTermination {
            destinations?.forget(request.session)
        }
        if answer.isSuccess {
            acknowledged.acknowledge(request)
            if request.kind == .offlineStop || request.kind == .onlineTermination {
                parties?.finalAnswered(request.session)
            }
        }
        deliver(ChargingAnswerDelivery(answer), to: queue)
    }

    /// An answer's Origin-Host (empty without one).
    static func originHost(_ m: DiameterMessage) -> UnsafeRawBufferPointer {
        for avp in m.avps where avp.code == DiameterAVPCode.originHost && avp.vendorID == 0 { return avp.data }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// Hands an answer to its owner's queue; when that is full (the owner is busy, or waits
    /// for room in a ring this loop drains), keeps it and tries again on a later turn: the
    /// loop never waits for an owner.
    @inline(__always)
    func deliver(_ d: ChargingAnswerDelivery, to queue: UnsafeMutableRawPointer) {
        if undelivered.isEmpty,
            Unmanaged<ChargingAnswerQueue>.fromOpaque(queue).takeUnretainedValue().tryPush(d)
        {
            return
        }
        undelivered.append((queue, d))
        counters.answersHeldForOwner &+= 1
        retryDeliveries()
    }

    func retryDeliveries() {
        var kept = 0
        for i in undelivered.indices {
            let (queue, d) = undelivered[i]
            if Unmanaged<ChargingAnswerQueue>.fromOpaque(queue).takeUnretainedValue().tryPush(d) { continue }
            undelivered[kept] = undelivered[i]
            kept += 1
        }
        undelivered.removeLast(undelivered.count - kept)
        if !undelivered.isEmpty && !deliveryRetryScheduled {
            deliveryRetryScheduled = true
            eventLoop.assumeIsolated().scheduleTask(in: .microseconds(200)) { [unowned self] in
                deliveryRetryScheduled = false
                retryDeliveries()
            }
        }
    }

    /// After a read: answers freed window room, so requests waiting for it go out.
    func readComplete() {
        if open && window.hasRoom && queue.wakeUpsHeld && (!held.isEmpty || queue.ring.hasWaiting) {
            drain()
        }
    }

    /// Gives up slots whose answer never came (``slotExpiry``), so the window does not shrink.
    func expireSlots() {
        counters.abandonedSlots &+= UInt64(window.expire(writtenBefore: monotonicNanoseconds() &- slotExpiry))
        readComplete()
    }
}
