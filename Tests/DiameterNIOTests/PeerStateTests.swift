import Charging
import NIOCore
import Testing

@testable import DiameterNIO

/// The peer's loop state as values: the RFC 3539 watchdog and the window of requests in
/// flight, each without a socket.
@Suite("Diameter peer state")
struct PeerStateTests {
    @Test func watchdogSendsADWRAfterTwAndClosesAfterASecondTw() {
        let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
        var w = DiameterWatchdog(interval: .seconds(30), now: t0)
        #expect(w.tick(now: t0 + .seconds(29)) == .none, "less than Tw of silence")
        #expect(w.tick(now: t0 + .seconds(30)) == .sendWatchdogRequest)
        #expect(w.state == .suspect)
        #expect(w.tick(now: t0 + .seconds(60)) == .closeConnection, "the DWR went unanswered for Tw")
        // Anything heard makes the connection OKAY again (RFC 3539 §3.4.1).
        var v = DiameterWatchdog(interval: .seconds(30), now: t0)
        #expect(v.tick(now: t0 + .seconds(30)) == .sendWatchdogRequest)
        v.heard(at: t0 + .seconds(31))
        #expect(v.state == .okay)
        #expect(v.tick(now: t0 + .seconds(60)) == .none, "heard 29 s ago")
        #expect(v.tick(now: t0 + .seconds(61)) == .sendWatchdogRequest)
    }

    @Test func windowMatchesAnswersByHopByHopAndRefusesStaleOnes() {
        var window = DiameterRequestWindow(window: 4)
        let mask = window.mask
        #expect(mask == 15, "rounded up to 16 slots")
        let owner = UnsafeMutableRawPointer(bitPattern: 0x1000)
        func queued(_ n: UInt32) -> QueuedChargingRequest {
            QueuedChargingRequest(
                request: ChargingRequest(kind: .offlineInterim, session: .empty, number: n, sentAt: 0),
                answers: owner
            )
        }
        var ids: [UInt32] = []
        for n in 0..<16 { ids.append(window.take(queued(UInt32(n)), writtenAt: Int64(n))) }
        let full = !window.hasRoom
        #expect(full)
        #expect(Set(ids).count == 16, "distinct Hop-by-Hop Identifiers")
        #expect(window.answered(ids[3])?.queued.request.number == 3)
        #expect(window.answered(ids[3]) == nil, "an answer repeated matches nothing")
        let room = window.hasRoom
        #expect(room)
        // The freed slot's next use carries another identifier: a late answer to its first
        // use does not match the second request.
        let reused = window.take(queued(99), writtenAt: 100)
        #expect(reused != ids[3] && reused & mask == ids[3] & mask)
        #expect(window.answered(ids[3]) == nil)
        #expect(window.answered(reused)?.queued.request.number == 99)
        // Lost answers expire; what is left goes again with its attempt counted up.
        #expect(window.expire(writtenBefore: 5) == 4, "written at 0, 1, 2 and 4")
        let again = window.removeAllInFlight()
        #expect(again.count == 11 && again.allSatisfy { $0.request.attempt == 2 && $0.request.isRetransmission })
        let free = window.freeCount
        #expect(free == 16)
    }
}
