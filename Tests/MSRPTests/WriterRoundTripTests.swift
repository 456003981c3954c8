import MSRP
import PropertyBased
import Testing

@Suite("Writer round trips")
struct WriterRoundTripTests {
    /// A body that is hostile to a careless end-line search: CRLF and dash runs everywhere,
    /// including end-lines of other transactions and prefixes of real ones.
    static func hostileBody(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("\r\n-------".utf8), Array("\r\n-------abcd$\r\n".utf8), Array("-------".utf8),
            Array("\r\n".utf8), Array("x".utf8), Array("\r".utf8), Array("\n".utf8), Array("$".utf8),
            Array("\r\n-------aB3".utf8),
        ]
        var body: [UInt8] = []
        while body.count < n {
            if Bool.random(using: &rng) {
                body += pieces.randomElement(using: &rng)!
            } else {
                body.append(UInt8.random(in: 0...255, using: &rng))
            }
        }
        return Array(body.prefix(n))
    }

    @Test func randomMessagesAndChunkSizes() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...3000), Gen.int(in: 1...700)) {
            seed,
            size,
            chunkSize in
            var rng = SplitMix64(seed: seed)
            let body = Self.hostileBody(size, &rng)
            var chunker = MSRPMessageChunker(
                toPath: "msrp://server.example.com:2855/s3ss10n;tcp",
                fromPath: "msrp://client.example.com:7777/abc123;tcp",
                ids: TransactionIDGenerator(seed: seed, length: Int.random(in: 4...32, using: &rng))
            )
            var out: [UInt8] = []
            let n = chunker.appendChunks(of: body, messageID: "msg-\(seed % 100000)", chunkSize: chunkSize, to: &out)
            #expect(n == max(1, (size + chunkSize - 1) / chunkSize))
            // Parse it cut at random points.
            let cuts = randomCuts(length: out.count, maxSlice: 400, using: &rng)
            let result = parse(out, cuts: cuts)
            #expect(result.error == nil)
            #expect(result.frames.count == n)
            var reassembled: [UInt8] = []
            for (k, f) in result.frames.enumerated() {
                #expect(f.method == "SEND")
                #expect(f.flag == (k == n - 1 ? .end : .more))
                #expect(f.byteRange?.start == reassembled.count + 1)
                #expect(f.byteRange?.end == reassembled.count + f.body.count)
                #expect(f.byteRange?.total == size)
                #expect(f.toSessionID == "s3ss10n")
                reassembled += f.body
            }
            #expect(reassembled == body)
            // Fresh transaction ids.
            #expect(Set(result.frames.map(\.tid)).count == n)
        }
    }

    @Test func bodyContainingItsOwnEndLineGetsAnotherTid() throws {
        // Draw the tid the chunker will draw first, and put its end-line in the body.
        var probe = TransactionIDGenerator(seed: 42, length: 8)
        let first = probe.next()
        let body = Array("before\r\n-------\(first)$\r\nafter".utf8)
        var chunker = MSRPMessageChunker(
            toPath: "msrp://a.example.com:1/x;tcp",
            fromPath: "msrp://b.example.com:2/y;tcp",
            ids: TransactionIDGenerator(seed: 42, length: 8)
        )
        var out: [UInt8] = []
        chunker.appendChunks(of: body, messageID: "m1234", chunkSize: 1000, to: &out)
        let result = parse(out)
        #expect(result.error == nil)
        try #require(result.frames.count == 1)
        #expect(result.frames[0].tid != first)
        #expect(result.frames[0].body == body)
    }

    @Test func abortedMessage() throws {
        var chunker = MSRPMessageChunker(
            toPath: "msrp://a.example.com:1/x;tcp",
            fromPath: "msrp://b.example.com:2/y;tcp",
            ids: TransactionIDGenerator(seed: 7)
        )
        var out: [UInt8] = []
        let n = chunker.appendChunks(
            of: Array(repeating: 0x41, count: 100),
            messageID: "m1234",
            chunkSize: 30,
            abortAfter: 2,
            to: &out
        )
        #expect(n == 2)
        let result = parse(out)
        #expect(result.frames.map(\.flag) == [.more, .aborted])
    }

    @Test func emptyMessageIsOneToZeroOfZero() throws {
        var chunker = MSRPMessageChunker(
            toPath: "msrp://a.example.com:1/x;tcp",
            fromPath: "msrp://b.example.com:2/y;tcp",
            ids: TransactionIDGenerator(seed: 9)
        )
        var out: [UInt8] = []
        chunker.appendChunks(of: [], messageID: "m1234", chunkSize: 10, to: &out)
        let result = parse(out)
        #expect(result.error == nil)
        #expect(result.frames.first?.byteRange == ByteRange(start: 1, end: 0, total: 0))
        #expect(result.frames.first?.body == [])
    }

    @Test func responseToARequest() throws {
        let request = wire(RFC4975Examples.chunkedViaRelay)
        var out: [UInt8] = []
        var parser = MSRPChunkParser()
        try parser.parse(request) { frame in
            let length = MSRPWriter.responseLength(
                transactionID: frame.transactionID.buffer,
                comment: "OK",
                toPath: frame.fromPath.raw.buffer,
                fromPath: frame.toPath.uris[0].raw.buffer
            )
            out.appendMSRP(length: length) {
                MSRPWriter.writeResponse(to: frame, status: 200, comment: "OK", into: $0, at: $1)
            }
        }
        let text = String(decoding: out, as: UTF8.self)
        #expect(
            text.hasPrefix(
                "MSRP dkei38sd 200 OK\r\nTo-Path: msrps://bob.example.com:7777/bar;tcp\r\nFrom-Path: msrps://relay.example.com:2855/asfd34;tcp\r\n-------dkei38sd$\r\n"
            )
        )
        let result = parse(out)
        #expect(result.error == nil)
        #expect(result.frames.map(\.status) == [200, 200])
        #expect(result.frames.map(\.tid) == ["dkei38sd", "dkei38ia"])
        #expect(result.frames[0].toPath == ["msrps://bob.example.com:7777/bar;tcp"])
    }

    @Test func errorResponseAndReport() throws {
        var out: [UInt8] = []
        let tid = Array("abcd1234".utf8)
        let to = Array("msrp://a.example.com:1/x;tcp".utf8)
        let from = Array("msrp://b.example.com:2/y;tcp".utf8)
        tid.withUnsafeBytes { t in
            to.withUnsafeBytes { to in
                from.withUnsafeBytes { from in
                    let c = MSRPWriter.comment(forStatus: 481)
                    out.appendMSRP(
                        length: MSRPWriter.responseLength(transactionID: t, comment: c, toPath: to, fromPath: from)
                    ) {
                        MSRPWriter.writeResponse(
                            transactionID: t,
                            status: 481,
                            comment: c,
                            toPath: to,
                            fromPath: from,
                            into: $0,
                            at: $1
                        )
                    }
                }
            }
        }
        appendReport(
            transactionID: "abcd1234",
            toPath: "msrp://a.example.com:1/x;tcp",
            fromPath: "msrp://b.example.com:2/y;tcp",
            messageID: "msg00001",
            range: ByteRange(start: 1, end: 106, total: 106),
            status: 200,
            to: &out
        )
        let result = parse(out)
        #expect(result.error == nil)
        try #require(result.frames.count == 2)
        #expect(result.frames[0].status == 481 && result.frames[0].comment == "Session Does Not Exist")
        #expect(result.frames[1].method == "REPORT" && result.frames[1].statusHeader == "000 200 OK")
        #expect(result.frames[1].byteRange == ByteRange(start: 1, end: 106, total: 106))
    }

    @Test func writerRefusesATooSmallBuffer() {
        let tid = Array("abcd1234".utf8)
        let path = Array("msrp://a.example.com:1/x;tcp".utf8)
        var small = [UInt8](repeating: 0, count: 20)
        let written = tid.withUnsafeBytes { t in
            path.withUnsafeBytes { p in
                small.withUnsafeMutableBytes {
                    MSRPWriter.writeResponse(
                        transactionID: t,
                        status: 200,
                        comment: "OK",
                        toPath: p,
                        fromPath: p,
                        into: $0,
                        at: 0
                    )
                }
            }
        }
        #expect(written == nil)
    }
}
