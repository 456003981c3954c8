import SIP
import Testing

/// An INVITE as an IM client sends it (RFC 4975 §8's offer), with compact headers, a folded
/// line and two Via entries in one field.
let invite = """
    INVITE sip:bob@example.test SIP/2.0\r
    v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8;received=192.0.2.10, SIP/2.0/TCP proxy.test;branch=z9hG4bK77\r
    Max-Forwards: 70\r
    t: Bob <sip:bob@example.test>\r
    f: "Alice A" <sip:alice@example.test>;tag=1928301774\r
    i: a84b4c76e66710@pc33.example.test\r
    CSeq: 314159 INVITE\r
    m: <sip:alice@192.0.2.10:5060;transport=udp>\r
    Subject: a folded\r
     subject line\r
    c: application/sdp\r
    l: 165\r
    \r
    v=0\r
    o=- 1 1 IN IP4 192.0.2.10\r
    s=-\r
    c=IN IP4 192.0.2.10\r
    t=0 0\r
    m=message 7394 TCP/MSRP *\r
    a=accept-types:text/plain\r
    a=path:msrp://192.0.2.10:7394/2s93i93idj;tcp\r

    """

@Suite struct SIPParserTests {
    @Test func parsesAnInviteWithCompactFormsAndFolding() throws {
        let m = try SIPParser.parse(Array(invite.utf8))
        #expect(m.startLine == .request(method: .invite, uri: "sip:bob@example.test"))
        #expect(try m.callID == "a84b4c76e66710@pc33.example.test")
        #expect(try m.cseq == SIPCSeq(314159, .invite))
        #expect(try m.from.tag == "1928301774")
        #expect(try m.from.displayName == "\"Alice A\"")
        #expect(try m.from.uri.addressOfRecord == "alice@example.test")
        #expect(try m.to.tag == nil)
        let vias = try m.vias
        #expect(vias.count == 2)
        #expect(vias[0].branch == "z9hG4bKnashds8")
        #expect(vias[0].transport == "UDP" && vias[0].host == "192.0.2.10" && vias[0].port == 5060)
        #expect(vias[1].transport == "TCP" && vias[1].port == nil)
        #expect(try m.topVia == vias[0], "the topmost Via alone, as transactions match on it")
        #expect(try SIPMessage(.response(status: 200, reason: "OK")).topVia == nil)
        #expect(try m.contact?.uri.port == 5060)
        #expect(m.value("Subject") == "a folded subject line")
        #expect(m.contentType == "application/sdp")
        #expect(m.body.count == 165)
        let media = try MSRPMediaDescription(parsing: m.body)
        #expect(media.path == ["msrp://192.0.2.10:7394/2s93i93idj;tcp"])
        #expect(media.acceptTypes == ["text/plain"])
        #expect(media.port == 7394)
    }

    /// The value parsers scan bytes for their ASCII delimiters: the cases where a Character
    /// search and a byte search could part (quotes, brackets, case, IPv6, user-info).
    @Test func valueParsersFindTheirDelimitersInBytes() throws {
        let text = """
            OPTIONS sip:b@x SIP/2.0\r
            via: sip/2.0/udp h.test:5070;BRANCH=z9hG4bKab;Received=192.0.2.1\r
            FROM: "Smith, J" <SIPS:j:secret@[2001:db8::1]:5061;transport=tls?subject=x>;TAG=7\r
            To: <sip:b@x>\r
            CALL-id: c1\r
            cseq: 2\tOPTIONS\r
            Contact: "Smith, J" <sip:j@a;p=1,2>, <sip:k@b:5080> ;expires=30\r
            Content-Length: 0\r
            \r

            """
        let m = try SIPParser.parse(Array(text.utf8))
        let via = try #require(try m.topVia)
        #expect(via.transport == "UDP" && via.host == "h.test" && via.port == 5070)
        #expect(via.branch == "z9hG4bKab" && via.parameters["received"] == "192.0.2.1")
        let from = try m.from
        #expect(from.displayName == "\"Smith, J\"" && from.tag == "7")
        #expect(from.uri.scheme == "sips" && from.uri.user == "j" && from.uri.host == "[2001:db8::1]")
        #expect(from.uri.port == 5061 && from.uri.parameters["transport"] == "tls")
        #expect(try m.callID == "c1" && m.cseq == SIPCSeq(2, .options))
        let contacts = m.values("Contact")
        #expect(contacts == ["\"Smith, J\" <sip:j@a;p=1,2>", "<sip:k@b:5080> ;expires=30"])
        let second = try SIPNameAddress(parsing: contacts[1], header: "Contact")
        #expect(second.uri.port == 5080 && second.parameters["expires"] == "30")
        // Names are given in lower case and match whatever case arrived.
        var p = via.parameters
        p.set("received", "192.0.2.2")
        #expect(p["received"] == "192.0.2.2" && p.items.count == 2 && p.contains("branch"))
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "tel:+1555") }
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:a@h:0") }
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: "sip:a@[::1") }
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: "SIP/2.0/UDP") }
        #expect(throws: SIPParseError.self) { try SIPNameAddress(parsing: "<sip:a@h>;", header: "To") }
        #expect(try SIPURI(parsing: "sip:bob@Example.Test").addressOfRecord == "bob@example.test")
        // Names matched to their canonical spelling from the bytes; unknown ones kept as sent.
        let odd = try SIPParser.parse(
            Array(
                "OPTIONS sip:b@x SIP/2.0\r\nVIA: SIP/2.0/tcp h\t;branch=z9hG4bK2\r\nf: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\ni: c2\r\nCSeq:  7  OPTIONS \r\ncontent-TYPE: text/plain\r\nX-Odd-Thing:  kept as is \r\n\r\n"
                    .utf8
            )
        )
        #expect(odd.headers.map(\.name) == ["Via", "From", "To", "Call-ID", "CSeq", "Content-Type", "X-Odd-Thing"])
        #expect(try odd.topVia?.transport == "TCP" && odd.value("X-Odd-Thing") == "kept as is")
        #expect(try odd.cseq == SIPCSeq(7, .options))
        #expect(throws: SIPParseError.self) { try SIPCSeq(parsing: "1 INVITE extra") }
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: "SIP/2.0/UDP h extra;branch=z9hG4bK1") }
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: "SIP/2.0/UDP/x h;branch=z9hG4bK1") }
    }

    @Test func encodedMessagesParseBackTheSame() throws {
        let m = try SIPParser.parse(Array(invite.utf8))
        let again = try SIPParser.parse(m.encoded)
        #expect(again.headers == m.headers)
        #expect(again.body == m.body)
        #expect(again.startLine == m.startLine)
    }

    @Test func responseCopiesTheTransactionHeadersAndAddsTheToTag() throws {
        let m = try SIPParser.parse(Array(invite.utf8))
        let r = SIPMessage.response(to: m, status: 200, reason: "OK", toTag: "srv1")
        let parsed = try SIPParser.parse(r.encoded)
        #expect(parsed.statusCode == 200)
        #expect(try parsed.vias.count == 2)
        #expect(try parsed.to.tag == "srv1")
        #expect(try parsed.cseq == SIPCSeq(314159, .invite))
        #expect(parsed.method == .invite)
        let trying = SIPMessage.response(to: m, status: 100, reason: "Trying", toTag: "srv1")
        #expect(try SIPParser.parse(trying.encoded).to.tag == nil, "100 Trying carries no To tag (§8.2.6.2)")
    }

    @Test(arguments: [
        (
            "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCSeq: 1 INVITE\r\n\r\n",
            SIPParseError.Code.missingHeader, "missing Call-ID header"
        ),
        (
            "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 BYE\r\n\r\n",
            .cseqMethodMismatch, "CSeq method BYE does not match request method INVITE"
        ),
        (
            "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: one INVITE\r\n\r\n",
            .badHeaderValue, "CSeq is not 'number method': 'one INVITE'"
        ),
        ("INVITE sip:b@x SIP/3.0\r\n\r\n", .unsupportedVersion, "version 'SIP/3.0' is not SIP/2.0"),
        ("INVITE sip:b@x\r\n\r\n", .badStartLine, "request line 'INVITE sip:b@x' is not 'METHOD URI SIP/2.0'"),
        ("SIP/2.0 99 Odd\r\n\r\n", .badStartLine, "status code '99' is not 100 to 699"),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n", .badHeader,
            "header line without a colon: 'Via SIP/2.0/UDP h'"
        ),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
            .badHeaderValue, "From has '<' without '>': '<sip:a@x;tag=1'"
        ),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 10\r\n\r\nabc",
            .badContentLength, "Content-Length 10 but only 3 bytes follow the headers"
        ),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nBad Name: x\r\n\r\n", .badHeader, "header name 'Bad Name' is not a token"
        ),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nVia: HTTP/1.1 h\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
            .badHeaderValue, "Via protocol is not SIP/2.0/TRANSPORT: 'HTTP/1.1'"
        ),
        (
            "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: lots\r\n\r\n",
            .badHeaderValue, "Max-Forwards is not a number from 0 to 255: 'lots'"
        ),
    ])
    func refusesBadMessagesWithAReasonThatNamesTheFault(text: String, code: SIPParseError.Code, reason: String) {
        #expect {
            _ = try SIPParser.parse(Array(text.utf8))
        } throws: { error in
            guard let e = error as? SIPParseError else { return false }
            return e.code == code && e.reason == reason
        }
    }

    @Test func versionAndSizeFaultsMapTo505And513() {
        #expect(SIPParseError(code: .unsupportedVersion, reason: "").statusCode == 505)
        #expect(SIPParseError(code: .tooLarge, reason: "").statusCode == 513)
        #expect(SIPParseError(code: .badHeader, reason: "").statusCode == 400)
        var limits = SIPParserLimits()
        limits.maxMessageBytes = 100
        #expect(throws: SIPParseError(code: .tooLarge, reason: "")) {
            _ = try SIPParser.parse(Array(invite.utf8), limits: limits)
        }
    }
}

@Suite struct SIPStreamFramerTests {
    @Test func framesMessagesSplitAtEveryByteAndSkipsKeepAlives() throws {
        let one = try SIPParser.parse(Array(invite.utf8)).encoded
        let stream = Array("\r\n\r\n".utf8) + one + Array("\r\n".utf8) + one
        for cut in [1, 7, 100, one.count - 1, one.count, one.count + 3] {
            var framer = SIPStreamFramer()
            var got: [SIPMessage] = []
            framer.append(Array(stream[..<min(cut, stream.count)]))
            while let m = try framer.next() { got.append(m) }
            framer.append(Array(stream[min(cut, stream.count)...]))
            while let m = try framer.next() { got.append(m) }
            #expect(got.count == 2, "cut at \(cut)")
            #expect(got.allSatisfy { $0.body.count == 165 })
            try framer.finish()
        }
    }

    @Test func refusesAMessageWithoutContentLengthOverAStream() {
        var framer = SIPStreamFramer()
        framer.append(
            Array(
                "OPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n"
                    .utf8
            )
        )
        #expect(throws: SIPParseError(code: .missingHeader, reason: "")) { _ = try framer.next() }
        // stays failed
        #expect(throws: SIPParseError(code: .missingHeader, reason: "")) { _ = try framer.next() }
    }

    @Test func boundsWhatItHoldsForAnEndlessHeader() {
        var framer = SIPStreamFramer(limits: SIPParserLimits(maxMessageBytes: 1000))
        framer.append(Array(repeating: UInt8(ascii: "a"), count: 1001))
        #expect(throws: SIPParseError(code: .tooLarge, reason: "")) { _ = try framer.next() }
    }

    @Test func aCutOffMessageIsTruncatedAtTheEnd() throws {
        var framer = SIPStreamFramer()
        framer.append(Array(invite.utf8.prefix(50)))
        #expect(try framer.next() == nil)
        #expect(throws: SIPParseError(code: .truncated, reason: "")) { try framer.finish() }
    }
}
