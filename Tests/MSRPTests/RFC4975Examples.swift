/// Example messages of RFC 4975 (§4 and §10.1, §10.5), and a relayed SEND in the form of RFC 4976
/// §8 (a To-Path of two URIs). Lines end in LF here; `wire(_:)` makes them CRLF.
enum RFC4975Examples {
    /// §4: Alice's SEND and Bob's 200 OK.
    static let section4 = """
        MSRP a786hjs2 SEND
        To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp
        From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp
        Message-ID: 87652491
        Byte-Range: 1-25/25
        Content-Type: text/plain

        Hey Bob, are you there?
        -------a786hjs2$
        MSRP a786hjs2 200 OK
        To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp
        From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp
        -------a786hjs2$

        """

    /// §10.1: a basic IM session.
    static let section10_1 = """
        MSRP d93kswow SEND
        To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        Message-ID: 12339sdqwer
        Byte-Range: 1-16/16
        Content-Type: text/plain

        Hi, I'm Alice!
        -------d93kswow$
        MSRP d93kswow 200 OK
        To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        -------d93kswow$
        MSRP op2nc9a SEND
        To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        Message-ID: 194838sd9
        Byte-Range: 1-21/21
        Content-Type: text/plain

        Hi, Alice! I'm Bob!
        -------op2nc9a$
        MSRP op2nc9a 200 OK
        To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        -------op2nc9a$

        """

    /// §10.5: a SEND asking for a positive report, and the REPORT.
    static let section10_5 = """
        MSRP d93kswow SEND
        To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        Message-ID: 12339sdqwer
        Byte-Range: 1-106/106
        Success-Report: yes
        Failure-Report: no
        Content-Type: text/html

        <html><body>
        <p>Here is that important link...
        <a href="http://www.example.com/foobar">foobar</a>
        </p>
        </body></html>
        -------d93kswow$
        MSRP dkei38sd REPORT
        To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp
        From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp
        Message-ID: 12339sdqwer
        Byte-Range: 1-106/106
        Status: 000 200 OK
        -------dkei38sd$

        """

    /// A message in two chunks (RFC 4975 §5.1, §7.1.1), the first with an unknown end, through a
    /// relay (To-Path of two URIs, RFC 4976 §8), msrps and an IPv6 literal.
    static let chunkedViaRelay = """
        MSRP dkei38sd SEND
        To-Path: msrps://relay.example.com:2855/asfd34;tcp msrps://[2001:db8::1]:7777/foo;tcp
        From-Path: msrps://bob.example.com:7777/bar;tcp
        Message-ID: 4564dpWd
        Byte-Range: 1-*/8
        Content-Type: text/plain

        abcd
        -------dkei38sd+
        MSRP dkei38ia SEND
        To-Path: msrps://relay.example.com:2855/asfd34;tcp msrps://[2001:db8::1]:7777/foo;tcp
        From-Path: msrps://bob.example.com:7777/bar;tcp
        Message-ID: 4564dpWd
        Byte-Range: 5-8/8
        Content-Type: text/plain

        EFGH
        -------dkei38ia$

        """

    static var all: String { section4 + section10_1 + section10_5 + chunkedViaRelay }
}
