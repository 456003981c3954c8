import Testing

@testable import MSRP

/// The parser recognises a known header by comparing the line's first bytes with constants
/// (the name and colon in lower case, folded with `| 0x20` at letter positions only). These
/// tests derive the answer from the names themselves, so a wrong constant, a wrong fold mask or
/// a fold that lets a non-letter through fails here.
@Suite("Header recognition")
struct HeaderRecognitionTests {
    static let names: [(String, KnownHeader)] = [
        ("To-Path", .toPath), ("From-Path", .fromPath), ("Message-ID", .messageID),
        ("Byte-Range", .byteRange), ("Content-Type", .contentType),
        ("Success-Report", .successReport), ("Failure-Report", .failureReport), ("Status", .status),
    ]

    /// `line` followed by CRLF, as the scanner hands a line to `identify`.
    static func identify(_ line: [UInt8]) -> KnownHeader {
        let bytes = line + [0x0D, 0x0A]
        return bytes.withUnsafeBytes { KnownHeader.identify(line: $0.baseAddress!, line.count) }
    }

    @Test("each name, in every case, with and without a value", arguments: names)
    func recognisesEveryCase(_ name: String, _ header: KnownHeader) {
        let letters = name.utf8.enumerated().filter { ASCII.isAlpha($0.element) }.map(\.offset)
        var rng = SplitMix64(seed: 7)
        for variant in 0..<64 {
            var bytes = Array(name.utf8)
            // 0: as written; 1: every letter's case flipped; then a random mix.
            for i in letters where variant == 1 || (variant > 1 && rng.next() & 1 == 0) {
                bytes[i] ^= 0x20
            }
            #expect(Self.identify(bytes + Array(": x".utf8)) == header, "\(String(decoding: bytes, as: UTF8.self))")
            #expect(Self.identify(bytes + Array(":".utf8)) == header)
            #expect(header.nameLength == bytes.count)
        }
    }

    /// Every byte of the name and colon replaced, in turn, by every other byte value: never the
    /// known header (except the same letter in the other case).
    @Test("one byte different is not the header", arguments: names)
    func rejectsEveryNearMiss(_ name: String, _ header: KnownHeader) {
        let exact = Array((name + ":").utf8)
        for i in exact.indices {
            for value in UInt8.min...UInt8.max where value != exact[i] {
                var bytes = exact
                bytes[i] = value
                let sameLetter = ASCII.isAlpha(exact[i]) && value == exact[i] ^ 0x20
                let got = Self.identify(bytes + Array(" v".utf8))
                #expect((got == header) == sameLetter, "byte \(i) = \(value) in \(name)")
            }
        }
    }

    @Test("short, unknown and longer names are other headers")
    func others() {
        for line in [
            "", "T", "To-Pat", "To-Path", "Status", "To-Paths: x", "Statuses: 1", "Byte-Ranges: 1",
            "X-Custom: 1", "From-Pathx: y", "Failure-Reporting: no", "Content-Typ: a/b",
        ] {
            #expect(Self.identify(Array(line.utf8)) == .other, "\(line)")
        }
    }

    /// Through the public parser: the same frame in any case of its header names parses to
    /// the same fields.
    @Test("header names in odd case parse to the same frame")
    func oddCaseThroughParser() throws {
        let canonical =
            "MSRP a786hjs2 SEND\nTo-Path: msrp://b.example.com:8888/9di4ea;tcp\n"
            + "From-Path: msrp://a.example.com:7777/iau39;tcp\nMessage-ID: 87652\nByte-Range: 1-5/5\n"
            + "Success-Report: yes\nFailure-Report: partial\nContent-Type: text/plain\n\nhello\n-------a786hjs2$\n"
        let odd =
            "MSRP a786hjs2 SEND\nTO-path: msrp://b.example.com:8888/9di4ea;tcp\n"
            + "fROM-pATH: msrp://a.example.com:7777/iau39;tcp\nmessage-id: 87652\nBYTE-RANGE: 1-5/5\n"
            + "success-REPORT: yes\nFAILURE-report: partial\ncontent-TYPE: text/plain\n\nhello\n-------a786hjs2$\n"
        let a = parse(wire(canonical))
        let b = parse(wire(odd))
        #expect(a.error == nil && b.error == nil)
        #expect(a.frames.count == 1)
        let fa = try #require(a.frames.first)
        let fb = try #require(b.frames.first)
        #expect(
            fb.failureReport == .partial && fb.successReport == true
                && fb.byteRange == ByteRange(start: 1, end: 5, total: 5)
        )
        #expect(fb.messageID == "87652" && fb.contentType == "text/plain" && fb.toSessionID == "9di4ea")
        #expect(fa == fb)
    }

    @Test(
        "Byte-Range values",
        arguments: [
            ("1-5/5", ByteRange(start: 1, end: 5, total: 5) as ByteRange?),
            ("1-*/100", ByteRange(start: 1, end: nil, total: 100)),
            ("3-7/*", ByteRange(start: 3, end: 7, total: nil)),
            ("1-*/*", ByteRange(start: 1, end: nil, total: nil)),
            ("1-0/0", ByteRange(start: 1, end: 0, total: 0)),
            (
                "999999999999999999-999999999999999999/999999999999999999",
                ByteRange(start: 999_999_999_999_999_999, end: 999_999_999_999_999_999, total: 999_999_999_999_999_999)
            ),
            ("1234567890123456789-1/2", nil), ("1-5/10x", nil), ("-5/10", nil), ("1--5/10", nil), ("1-5//10", nil),
            ("1-5", nil), ("1-5/", nil), ("", nil), ("*-5/10", nil), ("1-**/10", nil), ("1-5/**", nil),
            ("1 -5/10", nil),
            ("0-3/10", nil), ("5-3/10", nil), ("1-20/10", nil), ("5-4/10", ByteRange(start: 5, end: 4, total: 10)),
        ]
    )
    func byteRange(_ text: String, _ expected: ByteRange?) {
        let bytes = Array(text.utf8) + [0x0D]
        let result = bytes.withUnsafeBytes { ByteRange.parse($0.baseAddress!, text.utf8.count) }
        switch result {
        case .success(let r): #expect(r == expected, "\(text)")
        case .failure: #expect(expected == nil, "\(text)")
        }
    }
}

/// The 8-bytes-at-a-time class test that transaction ids and Message-IDs are scanned with,
/// against the byte-at-a-time definition.
@Suite("Word-at-a-time checks")
struct WordCheckTests {
    static func reference(_ w: UInt64) -> UInt64 {
        var r: UInt64 = 0
        for k in 0..<8
        where !ASCII.isAlphaNum(UInt8(truncatingIfNeeded: w >> (8 * UInt64(k)))) || (w >> (8 * UInt64(k))) & 0x80 != 0 {
            r |= 0x80 << (8 * UInt64(k))
        }
        return r
    }

    @Test("every byte value in every position, and random words")
    func nonAlphaNumericBytes() {
        for k in 0..<8 {
            for b in UInt64(0)...255 {
                for filler: UInt64 in [0x61, 0x5A, 0x30, 0x2E, 0xFF, 0x00] {
                    var w: UInt64 = 0
                    for j in 0..<8 { w |= (j == k ? b : filler) << (8 * UInt64(j)) }
                    #expect(ASCII.nonAlphaNumericBytes(w) == Self.reference(w), "byte \(b) at \(k), filler \(filler)")
                }
            }
        }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<100_000 {
            let w = rng.next()
            #expect(ASCII.nonAlphaNumericBytes(w) == Self.reference(w))
        }
    }

    @Test(
        "ids with other ident characters and terminators",
        arguments: [
            ("a786hjs2 SEND", 8), ("abcdefghijklmnop SEND", 16), ("abc.def-ghi+jk%l=m SEND", 18),
            ("ABCDEFGH", 8), ("ABCDEFG@x", 7), ("abcdefgh\u{80}x", 8), ("z", 1), ("", 0), ("abcdefghijk_", 11),
        ]
    )
    func scan(_ text: String, _ length: Int) {
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes {
            TransactionID.scan($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, bytes.count)
        }
        #expect(n == length)
    }
}

/// The header scanner's line-end finder (64-byte masks, then a short search near the end)
/// against a plain search, on random buffers and random end positions.
@Suite("Line-end finder")
struct LineFeedFinderTests {
    /// Every LF the finder hands out for `bytes` up to `end`, each search starting where
    /// `after` says (the line after the one found, as the scanner does, or further on).
    static func found(_ bytes: [UInt8], end: Int, after: (Int) -> Int) -> [Int] {
        bytes.withUnsafeBytes { buffer in
            var finder = LineFeedFinder(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, end: end)
            var found: [Int] = []
            var from = 0
            while let lf = finder.next(from: from) {
                found.append(lf)
                from = after(lf)
            }
            return found
        }
    }

    @Test("exactly the LFs before the end; with skips, only real ones, in order")
    func againstPlainSearch() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<5000 {
            let n = Int(rng.next() % 400)
            let density = rng.next() % 4  // 0: no LF at all … 3: one byte in 8
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next() | 0x80) }
            if density > 0 {
                for i in bytes.indices where rng.next() % (64 >> density) == 0 { bytes[i] = 0x0A }
            }
            let end = n == 0 ? 0 : Int(rng.next() % UInt64(n + 1))
            let expected = bytes.indices.filter { $0 < end && bytes[$0] == 0x0A }
            #expect(Self.found(bytes, end: end) { $0 + 1 } == expected)
            let skipping = Self.found(bytes, end: end) { $0 + 1 + (rng.next() % 5 == 0 ? Int(rng.next() % 3) : 0) }
            #expect(skipping.allSatisfy { $0 < end && bytes[$0] == 0x0A })
            #expect(skipping == skipping.sorted() && Set(skipping).count == skipping.count)
            #expect(skipping.first == expected.first)
        }
    }
}
