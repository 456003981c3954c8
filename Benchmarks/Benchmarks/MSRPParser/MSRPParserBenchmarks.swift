import Benchmark
import MSRP

#if canImport(Glibc)
import Glibc
#endif

/// Traffic for one benchmark iteration: `chunksPerIteration` SEND chunks as an IM client sends
/// them (To-Path, From-Path, Message-ID, Byte-Range, Failure-Report, Content-Type), encoded by
/// the writer before timing starts.
struct Traffic {
    static let chunksPerIteration = 1000
    let bytes: UnsafeMutableRawBufferPointer

    init(bodySize: Int) {
        var chunker = MSRPMessageChunker(
            toPath: "msrp://im.example.com:2855/s3ss10n4k2;tcp",
            fromPath: "msrp://client.example.com:7777/c11ent9x;tcp",
            failureReport: .yes,
            ids: TransactionIDGenerator(seed: 1, length: 12)
        )
        var out: [UInt8] = []
        var text: [UInt8] = Array("The quick brown fox jumps over the lazy dog; charging every chunk. ".utf8)
        while text.count < bodySize { text += text }
        for k in 0..<Self.chunksPerIteration {
            chunker.appendChunks(
                of: Array(text.prefix(bodySize)),
                messageID: "m\(100_000 + k)",
                chunkSize: bodySize,
                to: &out
            )
        }
        bytes = .allocate(byteCount: out.count, alignment: 64)
        bytes.copyBytes(from: out)
    }
}

/// Feeds the traffic to the parser in 64 KiB reads, as a socket would, and returns the frames
/// and body bytes it saw (so the work cannot be optimised away).
@inline(never)
func parseAll(_ parser: inout MSRPChunkParser, _ bytes: UnsafeRawBufferPointer) -> (Int, Int) {
    var frames = 0
    var bodyBytes = 0
    var at = 0
    while at < bytes.count {
        let n = min(65536, bytes.count - at)
        do {
            try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[at..<at + n])) { frame in
                frames += 1
                bodyBytes &+= frame.body.count
            }
        } catch {
            fatalError("benchmark traffic must parse: \(error)")
        }
        at += n
    }
    return (frames, bodyBytes)
}

/// The plain byte scan the parser is compared with: memchr for every LF of the same buffer.
@inline(never)
func memchrScan(_ bytes: UnsafeRawBufferPointer) -> Int {
    var lines = 0
    var p = bytes.baseAddress!
    let end = p + bytes.count
    while p < end, let hit = memchr(p, 0x0A, end - p) {
        lines += 1
        p = UnsafeRawPointer(hit) + 1
    }
    return lines
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    for (name, bodySize) in [("small-100B", 100), ("4KiB", 4096)] {
        let traffic = Traffic(bodySize: bodySize)
        let buffer = UnsafeRawBufferPointer(traffic.bytes)

        Benchmark("parse-\(name)") { benchmark in
            var parser = MSRPChunkParser()
            _ = parseAll(&parser, buffer)  // warm up: the tail buffer reaches its size
            benchmark.startMeasurement()
            for _ in 0..<benchmark.scaledIterations.count / Traffic.chunksPerIteration {
                let (frames, body) = parseAll(&parser, buffer)
                precondition(frames == Traffic.chunksPerIteration && body == Traffic.chunksPerIteration * bodySize)
                blackHole(frames)
            }
        }

        Benchmark("memchr-scan-\(name)") { benchmark in
            for _ in 0..<benchmark.scaledIterations.count / Traffic.chunksPerIteration {
                blackHole(memchrScan(buffer))
            }
        }
    }
}
