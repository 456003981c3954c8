import CMallocCounter
import Charging
import Diameter
import DiameterNIO
import Testing

/// Both ends of a charging request on Rf and Ro allocate nothing: the client's encoding of a
/// ``ChargingRequest`` as an ACR or CCR, the enabler's decoding of it and encoding of the
/// answer, and the client's decoding of the answer back into a ``ChargingAnswer``.
@Suite("Diameter charging allocations")
struct AllocationTests {
    @Test func noAllocationPerRequestOrAnswer() throws {
        guard msrpcharge_allocation_counting() else {
            print("skipped: allocation counting is off under a sanitizer (its allocator owns malloc)")
            return
        }
        let mapping = ChargingDiameterMapping(destinationRealm: "charging.test")
        let constants: [[UInt8]] = [
            Array("bench.test".utf8), Array("test".utf8),
            DiameterSessionID.prefix(identity: "bench.test", high: 7, interface: 0),
            mapping.destinationRealm, mapping.serviceContextID, Array("sip:".utf8), Array("ocs.test".utf8),
        ]
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 8)
        let request = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        let answer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer {
            storage.deallocate()
            request.deallocate()
            answer.deallocate()
        }
        var views: [UnsafeRawBufferPointer] = []
        var at = 0
        for c in constants {
            let s = UnsafeMutableRawBufferPointer(rebasing: storage[at..<at + c.count])
            s.copyBytes(from: c)
            views.append(UnsafeRawBufferPointer(s))
            at += c.count
        }
        let scratch = storage.baseAddress! + at
        let key = SessionKey("s0001234-005")!
        var total: UInt64 = 0
        func round(_ n: UInt32) {
            for k in 0..<2 {
                let kind: ChargingRequestKind = k == 0 ? .offlineInterim : .onlineUpdate
                var r = ChargingRequest(
                    kind: kind,
                    session: key,
                    number: n,
                    usage: ChargingUsage(messages: 2, bytes: 300),
                    usedUnits: 300,
                    requestedUnits: 1000,
                    sentAt: 0
                )
                r.usageIsSessionTotal = true
                var e = DiameterEncoder(request)
                mapping.encode(
                    r,
                    identity: (views[0], views[1]),
                    sessionIDPrefix: views[2],
                    destinationRealm: views[3],
                    serviceContextID: views[4],
                    subscriptionPrefix: views[5],
                    scratch: scratch,
                    eventTimestamp: 1,
                    hopByHopID: n,
                    into: &e
                )
                do {
                    // The enabler's side.
                    let m = try DiameterMessage(validating: e.written)
                    let got: ChargingRequest
                    let sessionID: UnsafeRawBufferPointer
                    if kind.isOffline {
                        let acr = try AccountingRequest(decoding: m)
                        got = try ChargingDiameterMapping.request(acr, header: m.header, now: 0)
                        sessionID = acr.sessionID
                    } else {
                        let ccr = try CreditControlRequest(decoding: m)
                        got = try ChargingDiameterMapping.request(ccr, header: m.header, now: 0)
                        sessionID = ccr.sessionID
                    }
                    var a = DiameterEncoder(answer)
                    ChargingDiameterMapping.encode(
                        ChargingAnswer(to: got, interimInterval: 10_000_000_000, grantedUnits: 1000),
                        answering: m.header,
                        sessionID: sessionID,
                        identity: (views[6], views[1]),
                        unitsAreMessages: false,
                        into: &a
                    )
                    // The client's side.
                    let back = try ChargingDiameterMapping.answer(DiameterMessage(validating: a.written), to: r)
                    total &+= UInt64(back.resultCode) &+ back.grantedUnits &+ got.usage.bytes
                } catch {
                    Issue.record("\(error)")
                }
            }
        }
        round(0)  // warm up
        let before = msrpcharge_thread_allocations()
        for n in 1...1000 { round(UInt32(n)) }
        let allocations = msrpcharge_thread_allocations() - before
        #expect(total == 1001 * (2001 * 2 + 1000 + 300), "every round trip read back")
        #expect(allocations == 0, "\(allocations) allocations for 2000 requests and answers")
    }
}
