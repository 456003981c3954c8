import MSRP
import PropertyBased
import Testing

/// Corrupted streams: never a crash or a hang, the same outcome however the stream is cut, and
/// memory bounded by the limits.
@Suite("Malformed input")
struct MalformedInputTests {
    static let valid = wire(RFC4975Examples.all)

    static func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        let interesting: [UInt8] = [0x0D, 0x0A, 0x2D, 0x24, 0x2B, 0x23, 0x3A, 0x20, 0x00, 0xFF, 0x2A, 0x2F, 0x3B]
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: b[i] = UInt8.random(in: 0...255, using: &rng)
            case 1: b[i] = interesting.randomElement(using: &rng)!
            case 2: b.remove(at: i)
            case 3: b.insert(interesting.randomElement(using: &rng)!, at: i)
            case 4: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...40, using: &rng)))
            default:
                let j = Int.random(in: 0..<b.count, using: &rng)
                let n = min(Int.random(in: 1...30, using: &rng), b.count - j)
                b.insert(contentsOf: b[j..<j + n], at: i)
            }
        }
        return b
    }

    @Test func mutatedStreamsGiveTheSameOutcomeWholeOrSplit() async {
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var rng = SplitMix64(seed: seed)
            let bytes = Self.mutate(Self.valid, &rng)
            let whole = parse(bytes)
            let cuts = randomCuts(length: bytes.count, maxSlice: 97, using: &rng)
            let split = parse(bytes, cuts: cuts)
            #expect(split == whole)
            if let e = whole.error {
                #expect(e.offset >= 0 && e.offset <= bytes.count)
            }
        }
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 2000, input: Gen.uint64(), Gen.int(in: 0...600)) { seed, n in
            var rng = SplitMix64(seed: seed)
            var bytes = Array("MSRP ".utf8)
            for _ in 0..<n { bytes.append(UInt8.random(in: 0...255, using: &rng)) }
            let out = parse(bytes, every: Int.random(in: 1...64, using: &rng))
            // Random bytes never form a frame (a tid, two valid paths and a matching end-line).
            #expect(out.frames.isEmpty)
            #expect(out.error != nil)
            #expect((out.error?.offset ?? -1) >= 0 && (out.error?.offset ?? .max) <= bytes.count)
        }
    }

    @Test func memoryStaysWithinTheLimits() throws {
        // An endless body with no end-line: the parser keeps at most the body limit plus one
        // end-line, then fails with bodyTooLarge.
        let limits = MSRPParserLimits(maxHeaderBytes: 1024, maxHeaderCount: 8, maxBodyBytes: 64 * 1024)
        var parser = MSRPChunkParser(limits: limits)
        try parser.parse(
            wire(
                "MSRP abcd1234 SEND\nTo-Path: msrp://b.example.com/s;tcp\nFrom-Path: msrp://a.example.com/t;tcp\nContent-Type: text/plain\n\n"
            )
        ) { _ in }
        let read = [UInt8](repeating: 0x61, count: 4096)
        var failure: MSRPParseError?
        for _ in 0..<100 {
            do { try parser.parse(read) { _ in } } catch {
                failure = error
                break
            }
            #expect(parser.bufferedByteCount <= 1024 + 64 * 1024 + 4096)
        }
        #expect(failure?.code == .bodyTooLarge)

        // An endless header line: bounded by the header limit.
        var headers = MSRPChunkParser(limits: limits)
        failure = nil
        for _ in 0..<100 {
            do { try headers.parse(Array("MSRP abcd1234 SEND\r\nX-Long: ".utf8) + read) { _ in } } catch {
                failure = error
                break
            }
            #expect(headers.bufferedByteCount <= 1024 + 4096 + 64)
        }
        #expect(failure?.code == .headerSectionTooLarge)
    }
}
