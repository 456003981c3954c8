// libFuzzer harness for the MSRP chunk parser. Build and run with scripts/fuzz.sh.
//
// Each input is parsed twice: whole, and cut at points derived from its own bytes. Both must
// give the same frames and the same error (code and offset), the parser must never hold more
// than its limits allow, and nothing may crash or hang. A difference is a crash (a finding).

#if canImport(Glibc)
import Glibc
#endif

struct Outcome: Equatable {
    var frames: [Int] = []  // offset, length, body count, flag, per frame
    var error: MSRPParseError?
}

let limits = MSRPParserLimits(maxHeaderBytes: 512, maxHeaderCount: 16, maxBodyBytes: 2048)

func run(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> Outcome {
    var parser = MSRPChunkParser(limits: limits)
    var out = Outcome()
    var start = 0
    for end in cuts + [input.count] where end >= start {
        // Copy the piece so a frame view into an earlier read would be caught by ASan.
        let piece = Array(UnsafeRawBufferPointer(rebasing: input[start..<end]))
        start = end
        do {
            try parser.parse(piece) { f in
                out.frames += [f.streamOffset, f.length, f.body.count, Int(f.flag.rawValue)]
                _ = f.toPath.uris.count
                _ = f.byteRange
            }
        } catch {
            out.error = error
            return out
        }
        if parser.bufferedByteCount > limits.maxHeaderBytes + limits.maxBodyBytes + 64 + piece.count {
            fatalError("parser holds \(parser.bufferedByteCount) bytes, more than its limits allow")
        }
    }
    do { try parser.finish() } catch { out.error = error }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let whole = run(input, cuts: [])
    var cuts: [Int] = []
    var at = 0
    var k = 0
    while size > 0 {
        at += 1 + Int(input[k % size]) % 61
        if at >= size { break }
        cuts.append(at)
        k += 7
    }
    let split = run(input, cuts: cuts)
    if split != whole {
        fatalError("whole and split parses differ: \(whole) vs \(split)")
    }
    return 0
}
