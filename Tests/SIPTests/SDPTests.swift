import SIP
import Testing

@Suite struct SDPTests {
    @Test func buildsAnAnswerThatParsesBack() throws {
        let media = MSRPMediaDescription(
            port: 2855,
            acceptTypes: ["text/plain", "message/cpim"],
            path: ["msrp://relay.test:2855/r1;tcp", "msrp://127.0.0.1:2855/s1;tcp"]
        )
        let body = media.sdp(address: "127.0.0.1")
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("m=message 2855 TCP/MSRP *\r\n"))
        #expect(text.contains("c=IN IP4 127.0.0.1\r\n"))
        #expect(try MSRPMediaDescription(parsing: body) == media)
    }

    @Test(arguments: [
        ("v=0\r\nm=audio 49170 RTP/AVP 0\r\n", SDPError.Code.noMSRPMedia, "the offer has no m=message TCP/MSRP media"),
        (
            "v=0\r\nm=message 0 TCP/MSRP *\r\na=path:msrp://h:1/s;tcp\r\n", .noMSRPMedia,
            "the m=message line is not TCP/MSRP with a port"
        ),
        (
            "v=0\r\nm=message 9 TCP/MSRP *\r\na=accept-types:text/plain\r\n", .missingPath,
            "the MSRP media has no a=path attribute"
        ),
        ("v=0\r\nthis is not sdp\r\n", .malformed, "SDP line 'this is not sdp' is not type=value"),
    ])
    func refusesOffersItCannotTake(sdp: String, code: SDPError.Code, reason: String) {
        #expect {
            _ = try MSRPMediaDescription(parsing: Array(sdp.utf8))
        } throws: { error in
            (error as? SDPError).map { $0.code == code && $0.reason == reason } ?? false
        }
        #expect(SDPError(code, "").sipStatus == (code == .malformed ? 400 : 488))
    }

    @Test func takesTheMSRPMediaBesideAudio() throws {
        let sdp =
            "v=0\nm=audio 1 RTP/AVP 0\na=path:msrp://wrong:1/x;tcp\nm=message 7 TCP/MSRP *\na=path:msrp://h:7/s;tcp\n"
        #expect(try MSRPMediaDescription(parsing: Array(sdp.utf8)).path == ["msrp://h:7/s;tcp"])
    }

    @Test func readsTheRecipientsOfAnAdHocGroupInvite() throws {
        // RFC 5366 §4's example body: the SDP offer and the URI list in multipart/mixed.
        let body = """
            --boundary1\r
            Content-Type: application/sdp\r
            \r
            v=0\r
            m=message 7 TCP/MSRP *\r
            a=path:msrp://h:7/s;tcp\r
            \r
            --boundary1\r
            Content-Type: application/resource-lists+xml\r
            Content-Disposition: recipient-list\r
            \r
            <?xml version="1.0" encoding="UTF-8"?>
            <resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
              <list>
                <entry uri="sip:bill@example.com"/>
                <entry uri='sip:joe@example.org'/>
                <entry uri="sip:ted@example.net?a=1&amp;b=2"/>
              </list>
            </resource-lists>\r
            --boundary1--\r

            """
        let parts = try #require(
            SIPMultipart.parts(of: Array(body.utf8), contentType: "multipart/mixed;boundary=\"boundary1\"")
        )
        #expect(parts.map(\.contentType) == ["application/sdp", "application/resource-lists+xml"])
        #expect(try MSRPMediaDescription(parsing: parts[0].body).path == ["msrp://h:7/s;tcp"])
        #expect(
            ResourceList.uris(in: parts[1].body) == [
                "sip:bill@example.com", "sip:joe@example.org", "sip:ted@example.net?a=1&b=2",
            ]
        )
        #expect(SIPMultipart.parts(of: [], contentType: "application/sdp") == nil)
    }
}
