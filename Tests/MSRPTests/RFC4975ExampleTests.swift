import MSRP
import Testing

@Suite("RFC 4975 examples")
struct RFC4975ExampleTests {
    @Test func section4SendAndOK() throws {
        let out = parse(wire(RFC4975Examples.section4))
        #expect(out.error == nil)
        try #require(out.frames.count == 2)
        let send = out.frames[0]
        #expect(send.offset == 0)
        #expect(!send.isResponse)
        #expect(send.tid == "a786hjs2")
        #expect(send.method == "SEND")
        #expect(send.toPath == ["msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"])
        #expect(send.fromPath == ["msrp://atlanta.example.com:7654/jshA7weztas;tcp"])
        #expect(send.toSessionID == "kjhd37s2s20w2a")
        #expect(send.messageID == "87652491")
        #expect(send.byteRange == ByteRange(start: 1, end: 25, total: 25))
        #expect(send.contentType == "text/plain")
        #expect(send.bodyString == "Hey Bob, are you there?")
        #expect(send.flag == .end)
        #expect(send.successReport == nil && send.failureReport == nil)
        let ok = out.frames[1]
        #expect(ok.isResponse)
        #expect(ok.offset == send.length)
        #expect(ok.tid == "a786hjs2")
        #expect(ok.status == 200 && ok.comment == "OK" && ok.method == nil)
        #expect(ok.toPath == ["msrp://atlanta.example.com:7654/jshA7weztas;tcp"])
        #expect(ok.fromPath == ["msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"])
        #expect(!ok.hasBody && ok.body.isEmpty)
        #expect(ok.flag == .end)
        #expect(ok.messageID == nil && ok.byteRange == nil && ok.contentType == nil)
    }

    @Test func section10_1BasicSession() throws {
        let out = parse(wire(RFC4975Examples.section10_1))
        #expect(out.error == nil)
        try #require(out.frames.count == 4)
        #expect(out.frames.map(\.tid) == ["d93kswow", "d93kswow", "op2nc9a", "op2nc9a"])
        #expect(out.frames.map(\.isResponse) == [false, true, false, true])
        #expect(out.frames[0].bodyString == "Hi, I'm Alice!")
        #expect(out.frames[0].messageID == "12339sdqwer")
        #expect(out.frames[0].byteRange == ByteRange(start: 1, end: 16, total: 16))
        #expect(out.frames[2].bodyString == "Hi, Alice! I'm Bob!")
        #expect(out.frames[2].toSessionID == "iau39soe2843z")
        #expect(out.frames[3].status == 200)
    }

    @Test func section10_5ReportsAndHTMLBody() throws {
        let out = parse(wire(RFC4975Examples.section10_5))
        #expect(out.error == nil)
        try #require(out.frames.count == 2)
        let send = out.frames[0]
        #expect(send.successReport == true)
        #expect(send.failureReport == .no)
        #expect(send.contentType == "text/html")
        #expect(send.bodyString.hasPrefix("<html><body>\r\n<p>Here is that important link..."))
        #expect(send.bodyString.hasSuffix("</body></html>"))
        let report = out.frames[1]
        #expect(report.method == "REPORT")
        #expect(report.tid == "dkei38sd")
        #expect(report.statusHeader == "000 200 OK")
        #expect(report.byteRange == ByteRange(start: 1, end: 106, total: 106))
        #expect(!report.hasBody)
    }

    @Test func chunkedMessageThroughRelay() throws {
        let out = parse(wire(RFC4975Examples.chunkedViaRelay))
        #expect(out.error == nil)
        try #require(out.frames.count == 2)
        #expect(
            out.frames[0].toPath == ["msrps://relay.example.com:2855/asfd34;tcp", "msrps://[2001:db8::1]:7777/foo;tcp"]
        )
        #expect(out.frames[0].toSessionID == "asfd34")
        #expect(out.frames[0].byteRange == ByteRange(start: 1, end: nil, total: 8))
        #expect(out.frames[0].flag == .more)
        #expect(out.frames[0].bodyString == "abcd")
        #expect(out.frames[1].byteRange == ByteRange(start: 5, end: 8, total: 8))
        #expect(out.frames[1].flag == .end)
        #expect(out.frames[1].bodyString == "EFGH")
    }

    @Test func uriPartsAreExposed() throws {
        let bytes = wire(RFC4975Examples.chunkedViaRelay)
        var parser = MSRPChunkParser()
        var checked = 0
        do {
            try parser.parse(bytes) { frame in
                guard checked == 0 else { return }
                let uris = frame.toPath.uris
                #expect(uris.count == 2)
                #expect(uris[0].isSecure)
                #expect(uris[0].host == "relay.example.com")
                #expect(uris[0].port == 2855)
                #expect(uris[0].sessionID == "asfd34")
                #expect(uris[0].transport == "tcp")
                #expect(uris[1].host == "[2001:db8::1]")
                #expect(uris[1].port == 7777)
                checked += 1
            }
        }
        #expect(checked == 1)
    }
}
