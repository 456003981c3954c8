import MSRP
import PropertyBased
import Testing

/// The same stream cut anywhere gives the same frames (RFC 4975 §7: TCP may split a chunk at
/// any byte).
@Suite("Split invariance")
struct SplitInvarianceTests {
    static let stream = wire(RFC4975Examples.all)

    @Test func referenceParseSucceeds() {
        let whole = parse(Self.stream)
        #expect(whole.error == nil)
        #expect(whole.frames.count == 10)
        // Offsets are contiguous: each frame starts where the previous ended.
        var next = 0
        for f in whole.frames {
            #expect(f.offset == next)
            next = f.offset + f.length
        }
        #expect(next == Self.stream.count)
    }

    @Test func everySingleCutPoint() {
        let whole = parse(Self.stream)
        for cut in 0...Self.stream.count {
            let split = parse(Self.stream, cuts: [cut])
            #expect(split == whole, "cut at \(cut)")
            if split != whole { break }
        }
    }

    @Test func everyPairOfCutPointsInOneFrame() {
        // All (a, b) cut pairs inside the first, longest-headed frames: exercises a frame
        // spanning three reads at every position of its header and body.
        let whole = parse(Self.stream)
        let limit = min(Self.stream.count, 330)
        for a in stride(from: 0, through: limit, by: 1) {
            for b in stride(from: a, through: limit, by: 7) {
                let split = parse(Self.stream, cuts: [a, b])
                #expect(split == whole, "cuts at \(a), \(b)")
                if split != whole { return }
            }
        }
    }

    @Test func oneByteAtATime() {
        #expect(parse(Self.stream, every: 1) == parse(Self.stream))
    }

    @Test func randomSlices() async {
        let whole = parse(Self.stream)
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...64)) { seed, maxSlice in
            var rng = SplitMix64(seed: seed)
            let cuts = randomCuts(length: Self.stream.count, maxSlice: maxSlice, using: &rng)
            #expect(parse(Self.stream, cuts: cuts) == whole)
        }
    }

    @Test func aBodyCopiedIntoTheTailIsOnlyTheFrame() throws {
        // A frame that spans reads is held in the tail; the frames after it in the same read are
        // parsed in place, so the tail never holds more than one frame plus one end-line.
        var parser = MSRPChunkParser()
        let bytes = Self.stream
        var maxBuffered = 0
        var count = 0
        for piece in stride(from: 0, to: bytes.count, by: 50) {
            try parser.parse(Array(bytes[piece..<min(bytes.count, piece + 50)])) { _ in count += 1 }
            maxBuffered = max(maxBuffered, parser.bufferedByteCount)
        }
        try parser.finish()
        #expect(count == 10)
        #expect(maxBuffered < 400, "largest frame is under 400 bytes")
    }
}
