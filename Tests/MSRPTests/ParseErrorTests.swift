import MSRP
import Testing

/// Each way a frame can be wrong gives its own error code and the offset of the offending byte,
/// the same whether the stream arrives whole or cut anywhere.
@Suite("Parse errors")
struct ParseErrorTests {
    static let to = "To-Path: msrp://b.example.com:8888/s1;tcp\n"
    static let from = "From-Path: msrp://a.example.com:7777/s2;tcp\n"
    static let head = "MSRP abcd1234 SEND\n" + to + from

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        var code: MSRPParseError.Code
        /// Offset of the offending element, as a search string in `text` (first occurrence, in
        /// wire bytes) plus an adjustment.
        var at: String
        var plus: Int = 0
        var limits = MSRPParserLimits.default
        /// Send the text's LF line ends as they are, without making them CRLF.
        var bareLF = false
        var testDescription: String { name }

        func onWire(_ s: String) -> [UInt8] { bareLF ? Array(s.utf8) : wire(s) }
        var bytes: [UInt8] { onWire(text) }
        var expectedOffset: Int {
            let w = bytes
            let needle = onWire(at)
            for i in 0...(w.count - needle.count) where Array(w[i..<i + needle.count]) == needle { return i + plus }
            fatalError("'\(at)' not in case \(name)")
        }
    }

    static let cases: [Case] = [
        Case(name: "not MSRP", text: "HTTP/1.1 200 OK\n\n", code: .invalidStartLine, at: "HTTP"),
        Case(
            name: "lower-case method",
            text: "MSRP abcd1234 send\n" + to + from + "-------abcd1234$\n",
            code: .invalidStartLine,
            at: "send"
        ),
        Case(name: "no method", text: "MSRP abcd1234\n" + to, code: .invalidStartLine, at: "\n"),
        Case(name: "status not 3 digits", text: "MSRP abcd1234 20 OK\n" + to, code: .invalidStartLine, at: "20 OK"),
        Case(name: "tid too short", text: "MSRP abc SEND\n" + to, code: .invalidTransactionID, at: "abc"),
        Case(
            name: "tid too long",
            text: "MSRP a23456789012345678901234567890123 SEND\n" + to,
            code: .invalidTransactionID,
            at: "a234"
        ),
        Case(name: "tid bad character", text: "MSRP abc_defg SEND\n" + to, code: .invalidTransactionID, at: "_"),
        Case(name: "tid starts with dot", text: "MSRP .abcdefg SEND\n" + to, code: .invalidTransactionID, at: ".abc"),
        Case(name: "bare LF", text: "MSRP abcd1234 SEND\n", code: .lineNotCRLF, at: "MSRP").withBareLF(),
        Case(
            name: "header without colon",
            text: "MSRP abcd1234 SEND\nTo-Path msrp://b.example.com/s;tcp\n",
            code: .headerWithoutColon,
            at: "To-Path"
        ),
        Case(name: "From-Path first", text: "MSRP abcd1234 SEND\n" + from + to, code: .missingToPath, at: "From-Path"),
        Case(
            name: "From-Path not second",
            text: "MSRP abcd1234 SEND\n" + to + "Message-ID: m1234\n",
            code: .missingFromPath,
            at: "Message-ID"
        ),
        Case(
            name: "no path headers",
            text: "MSRP abcd1234 SEND\n-------abcd1234$\n",
            code: .missingToPath,
            at: "-------"
        ),
        Case(
            name: "no From-Path before body",
            text: "MSRP abcd1234 SEND\n" + to + "\nbody\n-------abcd1234$\n",
            code: .missingFromPath,
            at: "\n\nbody",
            plus: 2
        ),
        Case(
            name: "duplicate Message-ID",
            text: head + "Message-ID: m1234\nMessage-ID: m5678\n",
            code: .duplicateHeader,
            at: "Message-ID: m5678"
        ),
        Case(name: "duplicate To-Path", text: head + to, code: .duplicateHeader, at: "From-Path", plus: 45),
        Case(
            name: "URI scheme",
            text: "MSRP abcd1234 SEND\nTo-Path: http://b.example.com/s;tcp\n",
            code: .malformedURI,
            at: "http"
        ),
        Case(
            name: "URI without transport",
            text: "MSRP abcd1234 SEND\nTo-Path: msrp://b.example.com:1/s\n",
            code: .malformedURI,
            at: "msrp"
        ),
        Case(
            name: "URI bad port",
            text: "MSRP abcd1234 SEND\nTo-Path: msrp://b.example.com:99999/s;tcp\n",
            code: .malformedURI,
            at: "msrp"
        ),
        Case(
            name: "second URI bad",
            text: "MSRP abcd1234 SEND\n" + to + "From-Path: msrp://a.example.com/x;tcp msrp://;tcp\n",
            code: .malformedURI,
            at: "msrp://;tcp"
        ),
        Case(
            name: "empty To-Path",
            text: "MSRP abcd1234 SEND\nTo-Path: \n",
            code: .malformedURI,
            at: "To-Path: ",
            plus: 9
        ),
        Case(name: "Byte-Range not numbers", text: head + "Byte-Range: 1-x/5\n", code: .invalidByteRange, at: "1-x"),
        Case(
            name: "Byte-Range end before start",
            text: head + "Byte-Range: 5-3/10\n",
            code: .invalidByteRange,
            at: "5-3"
        ),
        Case(name: "Byte-Range start zero", text: head + "Byte-Range: 0-3/10\n", code: .invalidByteRange, at: "0-3"),
        Case(
            name: "Byte-Range end beyond total",
            text: head + "Byte-Range: 1-20/10\n",
            code: .invalidByteRange,
            at: "1-20"
        ),
        Case(name: "Message-ID too short", text: head + "Message-ID: ab\n", code: .invalidMessageID, at: "ab\n"),
        Case(
            name: "Failure-Report value",
            text: head + "Failure-Report: maybe\n",
            code: .invalidHeaderValue,
            at: "maybe"
        ),
        Case(name: "Status value", text: head + "Status: 200 OK\n", code: .invalidHeaderValue, at: "200 OK"),
        Case(name: "bad flag, bodyless", text: head + "-------abcd1234!\n", code: .invalidContinuationFlag, at: "!"),
        Case(
            name: "bad flag after body",
            text: head + "Content-Type: text/plain\n\nhello\n-------abcd1234?\n",
            code: .invalidContinuationFlag,
            at: "?"
        ),
        Case(
            name: "body in response",
            text: "MSRP abcd1234 200 OK\n" + to + from + "\nx\n-------abcd1234$\n",
            code: .bodyInResponse,
            at: "\n\nx",
            plus: 2
        ),
        Case(
            name: "header section too large",
            text: head + "X-Pad: " + String(repeating: "p", count: 200) + "\n",
            code: .headerSectionTooLarge,
            at: "MSRP",
            plus: 128,
            limits: MSRPParserLimits(maxHeaderBytes: 128)
        ),
        Case(
            name: "too many headers",
            text: head + "X-A: 1\nX-B: 2\n",
            code: .tooManyHeaders,
            at: "X-B",
            limits: MSRPParserLimits(maxHeaderCount: 3)
        ),
        Case(
            name: "body too large",
            text: head + "Content-Type: text/plain\n\n0123456789ABC\n-------abcd1234$\n",
            code: .bodyTooLarge,
            at: "0123",
            plus: 10,
            limits: MSRPParserLimits(maxBodyBytes: 10)
        ),
        Case(
            name: "truncated",
            text: RFC4975Examples.section4 + "MSRP abcd1234 SEND\nTo-Pa",
            code: .truncatedFrame,
            at: "MSRP abcd1234"
        ),
    ]

    @Test(arguments: cases)
    func errorCodeAndOffset(_ c: Case) {
        let out = parse(c.bytes, limits: c.limits)
        #expect(out.error?.code == c.code, "\(out.error?.description ?? "no error")")
        #expect(out.error?.offset == c.expectedOffset, "\(out.error?.description ?? "no error")")
        #expect(out.error.map { !$0.reason.isEmpty } == true)
    }

    @Test(arguments: cases)
    func sameErrorAtEveryCut(_ c: Case) {
        let whole = parse(c.bytes, limits: c.limits)
        for cut in 0...c.bytes.count {
            let split = parse(c.bytes, cuts: [cut], limits: c.limits)
            #expect(
                split == whole,
                "cut at \(cut): \(split.error?.description ?? "-") vs \(whole.error?.description ?? "-")"
            )
            if split != whole { return }
        }
        #expect(parse(c.bytes, every: 1, limits: c.limits) == whole)
    }

    @Test func framesBeforeTheErrorAreDelivered() {
        let out = parse(wire(RFC4975Examples.section10_1 + "MSRP abcd1234 send\n"))
        #expect(out.frames.count == 4)
        #expect(out.error?.code == .invalidStartLine)
    }

    @Test func parserStaysFailed() throws {
        var parser = MSRPChunkParser()
        #expect(throws: MSRPParseError.self) { try parser.parse(Array("GET / HTTP/1.1\r\n".utf8)) { _ in } }
        var delivered = 0
        #expect(throws: MSRPParseError.self) {
            try parser.parse(wire(RFC4975Examples.section4)) { _ in delivered += 1 }
        }
        #expect(delivered == 0)
    }

    @Test func statusCodesForResponses() {
        #expect(MSRPParseError(code: .bodyTooLarge, offset: 0, reason: "x").msrpStatusCode == 413)
        #expect(MSRPParseError(code: .malformedURI, offset: 0, reason: "x").msrpStatusCode == 400)
    }

    @Test func emptyBodyRangeIsValid() {
        let out = parse(wire(Self.head + "Message-ID: m1234\nByte-Range: 1-0/0\n-------abcd1234$\n"))
        #expect(out.error == nil)
        #expect(out.frames.first?.byteRange == ByteRange(start: 1, end: 0, total: 0))
    }

    @Test func headersAreCaseInsensitive() {
        let out = parse(
            wire(
                "MSRP abcd1234 SEND\nto-path: msrp://b.example.com:8888/s1;tcp\nFROM-PATH: msrp://a.example.com/s2;tcp\nmessage-id: m1234\nBYTE-RANGE: 1-2/2\ncontent-type: text/plain\n\nhi\n-------abcd1234$\n"
            )
        )
        #expect(out.error == nil)
        #expect(out.frames.first?.messageID == "m1234")
        #expect(out.frames.first?.byteRange == ByteRange(start: 1, end: 2, total: 2))
    }
}

extension ParseErrorTests.Case {
    /// The same case with LF-only line ends on the wire.
    func withBareLF() -> Self {
        var c = self
        c.bareLF = true
        return c
    }
}

@Suite("Path validation cache")
struct PathCacheTests {
    static func frame(_ to: String, tid: String = "abcd1234") -> String {
        "MSRP \(tid) SEND\nTo-Path: \(to)\nFrom-Path: msrp://a.example.com:7777/s2;tcp\nMessage-ID: m1234\nByte-Range: 1-0/0\n-------\(tid)$\n"
    }

    @Test func sameLengthBadPathAfterAGoodOneIsStillRejected() {
        let good = Self.frame("msrp://b.example.com:8888/s1;tcp")
        let bad = Self.frame("msrp://b.example.com:8888/s1;t!p", tid: "efgh5678")
        let out = parse(wire(good + bad))
        #expect(out.frames.count == 1)
        #expect(out.error?.code == .malformedURI)
    }

    @Test func changedPathGivesItsOwnSessionID() {
        let out = parse(
            wire(
                Self.frame("msrp://b.example.com:8888/s1;tcp") + Self.frame("msrp://b.example.com:8888/zz;tcp")
                    + Self.frame("msrp://b.example.com:8888/s1;tcp")
            )
        )
        #expect(out.error == nil)
        #expect(out.frames.map(\.toSessionID) == ["s1", "zz", "s1"])
    }
}
