import Benchmark
import Diameter

/// Encode and decode of the two charging requests the engine sends most (an ACR INTERIM on
/// Rf, a CCR UPDATE on Ro), as the client and the enabler do them: encode into a reused
/// buffer, validate the whole message, decode every field. 1000 messages an iteration; the
/// copy of the same bytes is the anchor measured beside them.
struct Identity {
    let storage: UnsafeMutableRawBufferPointer
    let fields: [UnsafeRawBufferPointer]

    init() {
        let strings = [
            "bench.msrpcharge.test;1764500000;0;s0001234-005", "bench.msrpcharge.test", "msrpcharge.test",
            "charging.test", "msrp@msrpcharge.test", "sip:s0001234-005@msrpcharge.test",
        ]
        storage = .allocate(byteCount: 512, alignment: 8)
        var views: [UnsafeRawBufferPointer] = []
        var at = 0
        for s in strings {
            let bytes = Array(s.utf8)
            let slice = UnsafeMutableRawBufferPointer(rebasing: storage[at..<at + bytes.count])
            slice.copyBytes(from: bytes)
            views.append(UnsafeRawBufferPointer(slice))
            at += bytes.count
        }
        fields = views
    }
}

@inline(never)
func acrRoundTrip(_ id: Identity, _ buffer: UnsafeMutableRawBufferPointer, _ n: UInt32) -> UInt64 {
    var e = DiameterEncoder(buffer)
    AccountingRequest(
        sessionID: id.fields[0],
        originHost: id.fields[1],
        originRealm: id.fields[2],
        destinationRealm: id.fields[3],
        recordType: .interim,
        recordNumber: n,
        eventTimestamp: 3_973_000_000,
        inputOctets: 1000 + UInt64(n),
        inputPackets: 10
    ).encode(into: &e, hopByHopID: n, endToEndID: n)
    do {
        let d = try AccountingRequest(decoding: DiameterMessage(validating: e.written))
        return (d.inputOctets ?? 0) &+ UInt64(d.recordNumber) &+ UInt64(d.sessionID.count)
    } catch {
        fatalError("\(error)")
    }
}

@inline(never)
func ccrRoundTrip(_ id: Identity, _ buffer: UnsafeMutableRawBufferPointer, _ n: UInt32) -> UInt64 {
    var e = DiameterEncoder(buffer)
    CreditControlRequest(
        sessionID: id.fields[0],
        originHost: id.fields[1],
        originRealm: id.fields[2],
        destinationRealm: id.fields[3],
        serviceContextID: id.fields[4],
        requestType: .update,
        requestNumber: n,
        eventTimestamp: 3_973_000_000,
        subscriptionIDType: .sipURI,
        subscriptionIDData: id.fields[5],
        requestedUnits: 100_000,
        usedUnits: 1000 + UInt64(n)
    ).encode(into: &e, hopByHopID: n, endToEndID: n)
    do {
        let d = try CreditControlRequest(decoding: DiameterMessage(validating: e.written))
        return (d.usedUnits ?? 0) &+ UInt64(d.requestNumber) &+ UInt64(d.subscriptionIDData.count)
    } catch {
        fatalError("\(error)")
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    let id = Identity()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)

    Benchmark("acr-encode-decode") { benchmark in
        for i in benchmark.scaledIterations { blackHole(acrRoundTrip(id, buffer, UInt32(truncatingIfNeeded: i))) }
    }
    Benchmark("ccr-encode-decode") { benchmark in
        for i in benchmark.scaledIterations { blackHole(ccrRoundTrip(id, buffer, UInt32(truncatingIfNeeded: i))) }
    }
    // The anchor: copying an encoded ACR's bytes (what any codec must at least touch).
    _ = acrRoundTrip(id, buffer, 1)  // leaves an encoded ACR of 240 bytes in `buffer`
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    Benchmark("acr-copy") { benchmark in
        for _ in benchmark.scaledIterations {
            copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<240]))
            blackHole(copy[7])
        }
    }
}
